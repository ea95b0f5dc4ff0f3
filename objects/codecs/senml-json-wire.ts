/**
 * SenML JSON (RFC 8428 §5, application/senml+json) ↔ SenML records: field types checked, `vd`
 * as base64url without padding (§5; standard base64 is accepted on input), unknown fields
 * ignored except must-understand ones (ending in "_", §4.4), which are refused. Integers beyond
 * 2^53 are written exactly (bigint) but read back through JSON.parse, as doubles.
 */
import { PayloadError } from '../errors';
import { bytesFromAnyBase64 } from '../value';
import { decodeUtf8 } from './text';
import type { SenmlRecord } from './senml-record';

const STRING_FIELDS = ['bn', 'bu', 'n', 'u', 'vs', 'vlo'] as const;
const NUMBER_FIELDS = ['bt', 'bv', 'bs', 'bver', 'v', 's', 't', 'ut'] as const;
/** Field order when writing, as in the RFC's examples. */
const ORDER = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver', 'n', 'u', 'v', 'vs', 'vb', 'vd', 'vlo', 's', 't', 'ut'] as const;

/** Parse a SenML JSON pack. Throws PayloadError. */
export function decodeSenmlJson(bytes: Uint8Array): SenmlRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeUtf8(bytes));
  } catch (e) {
    throw e instanceof PayloadError ? e : new PayloadError(`Invalid SenML JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!Array.isArray(doc)) throw new PayloadError('SenML JSON must be an array of records');
  return doc.map((r, i) => jsonRecord(r, i));
}

/** Check one parsed JSON object as a SenML record. */
export function jsonRecord(r: unknown, i: number): SenmlRecord {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new PayloadError(`SenML record ${i} is not an object`);
  const o = r as Record<string, unknown>;
  const out: SenmlRecord = {};
  for (const k of Object.keys(o)) {
    if (k.endsWith('_')) throw new PayloadError(`SenML record ${i}: must-understand field "${k}" is not supported`);
  }
  for (const k of STRING_FIELDS) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'string') throw new PayloadError(`SenML record ${i}: "${k}" must be a string`);
    out[k] = o[k];
  }
  for (const k of NUMBER_FIELDS) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'number') throw new PayloadError(`SenML record ${i}: "${k}" must be a number`);
    out[k] = o[k];
  }
  if (o.vb !== undefined) {
    if (typeof o.vb !== 'boolean') throw new PayloadError(`SenML record ${i}: "vb" must be a boolean`);
    out.vb = o.vb;
  }
  if (o.vd !== undefined) {
    if (typeof o.vd !== 'string') throw new PayloadError(`SenML record ${i}: "vd" must be a base64 string`);
    out.vd = bytesFromAnyBase64(o.vd);
  }
  return out;
}

/** Write records as a SenML JSON pack. Throws PayloadError for non-finite numbers. */
export function encodeSenmlJson(records: readonly SenmlRecord[]): Uint8Array {
  const text = '[' + records.map((r) => '{' + fields(r).join(',') + '}').join(',\n') + ']';
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function fields(r: SenmlRecord): string[] {
  const out: string[] = [];
  for (const k of ORDER) {
    const v = r[k];
    if (v === undefined) continue;
    out.push(`"${k}":${jsonValue(k, v)}`);
  }
  return out;
}

function jsonValue(k: string, v: string | number | bigint | boolean | Uint8Array): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64url'));
  if (typeof v === 'number' && !Number.isFinite(v)) throw new PayloadError(`SenML JSON cannot carry ${v} in "${k}"`);
  return JSON.stringify(v);
}
