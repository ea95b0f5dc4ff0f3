/**
 * The mapping of LwM2M values onto SenML records (LwM2M 1.1 Core §7.4.5 table "SenML JSON format
 * and description"): numbers (INTEGER, UNSIGNED_INTEGER, FLOAT, TIME as Unix seconds) in `v`,
 * booleans in `vb`, opaque in `vd`, object links "a:b" in `vlo`, strings and core links in `vs`.
 * With a model the record must carry the model's field; without one the field decides the type:
 * v → FLOAT, vs → STRING, vb → BOOLEAN, vd → OPAQUE, vlo → OBJLNK.
 */
import type { ModelProvider, ResourceType } from '../model';
import type { ObjLink, ResourceValue } from '../node';
import type { LwM2mPath } from '../path';
import { PayloadError } from '../errors';
import { bytesFromBase64, checkValue, dateFromSeconds, objLinkFromText, objLinkToText, secondsFromDate } from '../value';
import { pathFromName, type Leaf } from './node-leaves';
import type { ResolvedRecord, SenmlValue } from './senml-record';

const FIELD_TYPE: Readonly<Record<SenmlValue['field'], ResourceType>> = {
  v: 'FLOAT', vs: 'STRING', vb: 'BOOLEAN', vd: 'OPAQUE', vlo: 'OBJLNK',
};

export interface SenmlMappingOptions {
  /** OMA JSON (11543) carries opaque values base64-encoded in the string field. */
  readonly opaqueInStrings?: boolean;
}

/** The SenML value of a leaf; undefined for NONE (executable resources carry no value). */
export function senmlValueOf(leaf: Leaf): SenmlValue | undefined {
  const v = checkValue(leaf.value, leaf.type);
  switch (leaf.type) {
    case 'STRING':
    case 'CORELNK':
      return { field: 'vs', value: v as string };
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      return { field: 'v', value: v as bigint };
    case 'FLOAT':
      return { field: 'v', value: v as number };
    case 'TIME':
      return { field: 'v', value: secondsFromDate(v as Date) };
    case 'BOOLEAN':
      return { field: 'vb', value: v as boolean };
    case 'OPAQUE':
      return { field: 'vd', value: v as Uint8Array };
    case 'OBJLNK':
      return { field: 'vlo', value: objLinkToText(v as ObjLink) };
    case 'NONE':
      return undefined;
  }
}

/** A resolved record as a leaf, typed by the model when there is one. Throws PayloadError. */
export function leafOf(record: ResolvedRecord, models: ModelProvider, options: SenmlMappingOptions = {}): Leaf {
  const path = pathFromName(record.name);
  if (path.depth < 3) throw new PayloadError(`SenML record "${record.name}" does not name a resource or resource instance`);
  if (!record.value) throw new PayloadError(`SenML record "${record.name}" has no value`);
  const modelType = models.getResource(path.objectId as number, path.resourceId as number)?.type;
  const type = modelType === undefined || modelType === 'NONE' ? FIELD_TYPE[record.value.field] : modelType;
  return { path, type, value: typedValue(record.value, type, path, options) };
}

function typedValue(sv: SenmlValue, type: ResourceType, path: LwM2mPath, options: SenmlMappingOptions): ResourceValue {
  const wrong = (): never => {
    throw new PayloadError(`SenML field "${sv.field}" cannot carry the ${type} resource ${path}`);
  };
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return sv.field === 'vs' ? sv.value : wrong();
    case 'INTEGER':
    case 'UNSIGNED_INTEGER': {
      if (sv.field !== 'v') return wrong();
      const n = sv.value;
      if (typeof n === 'number' && !Number.isInteger(n)) throw new PayloadError(`${path}: ${n} is not an integer`);
      return checkValue(typeof n === 'bigint' ? n : BigInt(n), type);
    }
    case 'FLOAT':
      return sv.field === 'v' ? Number(sv.value) : wrong();
    case 'TIME':
      return sv.field === 'v' ? dateFromSeconds(sv.value) : wrong();
    case 'BOOLEAN':
      return sv.field === 'vb' ? sv.value : wrong();
    case 'OPAQUE':
      if (sv.field === 'vd') return sv.value;
      return sv.field === 'vs' && options.opaqueInStrings ? bytesFromBase64(sv.value) : wrong();
    case 'OBJLNK':
      return sv.field === 'vlo' ? objLinkFromText(sv.value) : wrong();
    case 'NONE':
      return wrong();
  }
}
