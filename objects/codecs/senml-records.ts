/**
 * SenML (RFC 8428) records as LwM2M uses them (LwM2M 1.1 Transport/Core §7.4.4–7.4.5): the raw
 * record layer shared by SenML-JSON and SenML-CBOR. Resolves base name and base time (§4.5),
 * maps typed leaf values onto v / vs / vb / vd / vlo and back.
 */
import type { ModelProvider, ResourceType } from '../model';
import type { ResourceValue } from '../node';
import { PayloadError } from '../errors';
import type { LwM2mPath } from '../path';
import { checkValue, dateFromSeconds, objLinkFromText, objLinkToText, secondsFromDate } from '../value';
import { pathFromName, type Leaf } from './node-leaves';

/** One SenML record, field names as in SenML-JSON. `vd` is raw bytes here. */
export interface SenmlRecord {
  bn?: string;
  bt?: number;
  n?: string;
  t?: number;
  v?: number | bigint;
  vs?: string;
  vb?: boolean;
  vd?: Uint8Array;
  vlo?: string;
}

/** A record after base resolution: absolute name and time (undefined when none was given). */
export interface ResolvedRecord {
  readonly name: string;
  readonly time?: number;
  readonly record: SenmlRecord;
}

/** Apply base name / base time (RFC 8428 §4.5). */
export function resolveRecords(records: readonly SenmlRecord[]): ResolvedRecord[] {
  let bn = '';
  let bt: number | undefined;
  return records.map((r) => {
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    const name = bn + (r.n ?? '');
    if (name === '') throw new PayloadError('SenML record without a name');
    const t = r.t !== undefined || bt !== undefined ? (bt ?? 0) + (r.t ?? 0) : undefined;
    return { name, time: t, record: r };
  });
}

function hasValue(r: SenmlRecord): boolean {
  return r.v !== undefined || r.vs !== undefined || r.vb !== undefined || r.vd !== undefined || r.vlo !== undefined;
}

/** Put a typed leaf value into a record. */
export function setRecordValue(rec: SenmlRecord, type: ResourceType, value: ResourceValue): void {
  const v = checkValue(value, type);
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      rec.vs = v as string; return;
    case 'INTEGER':
    case 'UNSIGNED_INTEGER': {
      const b = v as bigint;
      rec.v = b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b; return;
    }
    case 'FLOAT':
      rec.v = v as number; return;
    case 'BOOLEAN':
      rec.vb = v as boolean; return;
    case 'OPAQUE':
      rec.vd = v as Uint8Array; return;
    case 'TIME':
      rec.v = Number(secondsFromDate(v as Date)); return;
    case 'OBJLNK':
      rec.vlo = objLinkToText(v as { objectId: number; instanceId: number }); return;
    case 'NONE':
      return;
  }
}

function guessType(r: SenmlRecord): ResourceType {
  if (r.vs !== undefined) return 'STRING';
  if (r.vb !== undefined) return 'BOOLEAN';
  if (r.vd !== undefined) return 'OPAQUE';
  if (r.vlo !== undefined) return 'OBJLNK';
  if (typeof r.v === 'bigint' || (typeof r.v === 'number' && Number.isInteger(r.v))) return 'INTEGER';
  return 'FLOAT';
}

/** Read a record's value as `type` (from the model, else guessed from the field present). */
export function recordValue(r: SenmlRecord, type: ResourceType | undefined, name: string): { type: ResourceType; value: ResourceValue } {
  const t = type ?? guessType(r);
  const wrong = (): never => { throw new PayloadError(`SenML record ${name} has no value of type ${t}`); };
  switch (t) {
    case 'STRING':
    case 'CORELNK':
      return { type: t, value: r.vs ?? wrong() };
    case 'INTEGER':
    case 'UNSIGNED_INTEGER': {
      const v = r.v ?? wrong();
      if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new PayloadError(`SenML record ${name}: ${v} is not an integer`);
      return { type: t, value: checkValue(typeof v === 'bigint' ? v : BigInt(v), t) };
    }
    case 'FLOAT':
      return { type: t, value: checkValue(r.v ?? wrong(), t) };
    case 'BOOLEAN':
      return { type: t, value: r.vb ?? wrong() };
    case 'OPAQUE':
      return { type: t, value: r.vd ?? wrong() };
    case 'TIME': {
      const v = r.v ?? wrong();
      return { type: t, value: dateFromSeconds(typeof v === 'bigint' ? v : Math.trunc(v)) };
    }
    case 'OBJLNK':
      try {
        return { type: t, value: objLinkFromText(r.vlo ?? wrong()) };
      } catch (e) {
        throw new PayloadError(`SenML record ${name}: bad object link`, { cause: e });
      }
    case 'NONE':
      return { type: t, value: null };
  }
}

/** Records for leaves, names absolute, optional time per record. */
export function leavesToRecords(leaves: readonly Leaf[], time?: number): SenmlRecord[] {
  return leaves.map((l, i) => {
    const rec: SenmlRecord = { n: l.path.toString() };
    if (time !== undefined && i === 0) rec.bt = time;
    setRecordValue(rec, l.type, l.value);
    return rec;
  });
}

/** Typed leaves of resolved records that carry a value. */
export function recordsToLeaves(records: readonly ResolvedRecord[], models: ModelProvider): { leaf: Leaf; time?: number }[] {
  const out: { leaf: Leaf; time?: number }[] = [];
  for (const rr of records) {
    if (!hasValue(rr.record)) continue;
    const path: LwM2mPath = pathFromName(rr.name);
    if (path.depth < 3) throw new PayloadError(`SenML value at ${rr.name} is not at a resource path`);
    const [o, , r] = path.ids();
    const { type, value } = recordValue(rr.record, models.getResource(o, r)?.type, rr.name);
    out.push({ leaf: { path, type, value }, time: rr.time });
  }
  return out;
}
