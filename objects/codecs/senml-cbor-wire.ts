/**
 * SenML CBOR (RFC 8428 §6, application/senml+cbor) ↔ SenML records: integer map labels (Table 4),
 * LwM2M's "vlo" as a text key (LwM2M 1.1 Core §7.4.6), `vd` a byte string. Integers that fit
 * a double are written as numbers, larger ones as 64-bit integers.
 */
import { Decoder, Encoder } from 'cbor-x';
import { PayloadError } from '../errors';
import type { SenmlRecord } from './senml-record';

const LABELS: ReadonlyArray<readonly [keyof SenmlRecord, number | string]> = [
  ['bver', -1], ['bn', -2], ['bt', -3], ['bu', -4], ['bv', -5], ['bs', -6],
  ['n', 0], ['u', 1], ['v', 2], ['vs', 3], ['vb', 4], ['s', 5], ['t', 6], ['ut', 7], ['vd', 8], ['vlo', 'vlo'],
];
const FIELD_BY_LABEL = new Map<number | string, keyof SenmlRecord>(LABELS.map(([f, l]) => [l, f]));
const KIND: Readonly<Record<keyof SenmlRecord, 'string' | 'number' | 'boolean' | 'bytes'>> = {
  bn: 'string', bu: 'string', n: 'string', u: 'string', vs: 'string', vlo: 'string',
  bt: 'number', bv: 'number', bs: 'number', bver: 'number', v: 'number', s: 'number', t: 'number', ut: 'number',
  vb: 'boolean', vd: 'bytes',
};

const encoder = new Encoder({ tagUint8Array: false, mapsAsObjects: false, useRecords: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

/** Decode any CBOR item with cbor-x, turning every failure into a PayloadError. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (bytes.length === 0) throw new PayloadError(`Empty ${what} payload`);
  try {
    return decoder.decode(bytes);
  } catch (e) {
    throw new PayloadError(`Invalid ${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** Encode with the project's cbor-x settings (integer keys stay integers, no records). */
export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(value));
}

/** A bigint as a plain number when exact, so that cbor-x writes the shortest integer. */
export function cborInteger(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** Parse a SenML CBOR pack. Throws PayloadError. */
export function decodeSenmlCbor(bytes: Uint8Array): SenmlRecord[] {
  const doc = decodeCbor(bytes, 'SenML CBOR');
  if (!Array.isArray(doc)) throw new PayloadError('SenML CBOR must be an array of records');
  return doc.map((m, i) => {
    if (!(m instanceof Map)) throw new PayloadError(`SenML record ${i} is not a map`);
    const out: Record<string, unknown> = {};
    for (const [label, value] of m) {
      if (typeof label === 'string' && label.endsWith('_')) throw new PayloadError(`SenML record ${i}: must-understand field "${label}" is not supported`);
      const field = FIELD_BY_LABEL.get(label as number | string);
      if (field === undefined) continue;
      out[field] = checked(field, value, i);
    }
    return out as SenmlRecord;
  });
}

function checked(field: keyof SenmlRecord, value: unknown, i: number): unknown {
  const kind = KIND[field];
  const ok =
    kind === 'string' ? typeof value === 'string'
    : kind === 'boolean' ? typeof value === 'boolean'
    : kind === 'bytes' ? value instanceof Uint8Array
    : typeof value === 'number' || (typeof value === 'bigint' && field === 'v');
  if (!ok) throw new PayloadError(`SenML record ${i}: "${field}" must be a ${kind}`);
  return kind === 'bytes' ? Uint8Array.from(value as Uint8Array) : value;
}

/** Write records as a SenML CBOR pack (a definite-length array of maps). */
export function encodeSenmlCbor(records: readonly SenmlRecord[]): Uint8Array {
  return encodeCbor(records.map((r) => {
    const m = new Map<number | string, unknown>();
    for (const [field, label] of LABELS) {
      const v = r[field];
      if (v === undefined) continue;
      m.set(label, typeof v === 'bigint' ? cborInteger(v) : v);
    }
    return m;
  }));
}
