/**
 * The CBOR layer of COSE and CWT: cbor-x configured so integer labels stay integers and byte
 * strings are not tagged, a decoder that turns every failure (garbage, truncation, trailing
 * bytes) into a CoseInvalidError, and helpers for the tag that may wrap a COSE message.
 */
import { Decoder, Encoder, Tag } from 'cbor-x';
import { CoseInvalidError } from './errors';

const encoder = new Encoder({ tagUint8Array: false, mapsAsObjects: false, useRecords: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

/** cbor-x writes integers beyond 32 bits as floats unless they are BigInts: normalise first. */
function prepare(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (value > 0xffffffff || value < -0x100000000)) return BigInt(value);
    return value;
  }
  if (Array.isArray(value)) return value.map(prepare);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [prepare(k), prepare(v)]));
  if (value instanceof Tag) return new Tag(prepare(value.value), value.tag);
  return value;
}

/** 64-bit integers come back as BigInt: give safe ones back as numbers; Buffers as plain views. */
function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [normalise(k), normalise(v)]));
  if (value instanceof Tag) return new Tag(normalise(value.value), value.tag);
  return value;
}

/** Encode `value` (maps in insertion order). */
export function encodeCbor(value: unknown): Uint8Array {
  const out = encoder.encode(prepare(value));
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decode exactly one CBOR item filling `bytes`; any failure is a CoseInvalidError naming `what`. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new CoseInvalidError(`${what}: empty input`);
  try {
    return normalise(decoder.decode(bytes));
  } catch (e) {
    throw new CoseInvalidError(`${what}: malformed CBOR (${(e as Error).message})`, { cause: e });
  }
}

/** A CBOR tag with its content (re-exported so callers do not depend on cbor-x directly). */
export { Tag };

/** Remove an expected tag: returns the content and whether the tag was there; another tag is refused. */
export function untag(item: unknown, tag: number, what: string): { value: unknown; tagged: boolean } {
  if (item instanceof Tag) {
    if (Number(item.tag) !== tag) throw new CoseInvalidError(`${what}: unexpected CBOR tag ${String(item.tag)} (expected ${tag} or none)`);
    return { value: item.value, tagged: true };
  }
  return { value: item, tagged: false };
}

/** True when `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
