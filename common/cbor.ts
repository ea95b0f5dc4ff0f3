/**
 * The one cbor-x configuration of common/ (COSE/CWT, SUIT, EST multipart-core): integer map
 * labels stay integers (no maps as objects, no records) and byte strings are not tagged
 * (tagUint8Array: false). Callers wrap decoding failures into their own typed errors.
 */
import { Decoder, Encoder, Tag } from 'cbor-x';

const encoder = new Encoder({ tagUint8Array: false, mapsAsObjects: false, useRecords: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

export { Tag };

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

/** Encode `value` (maps in insertion order). */
export function encodeCbor(value: unknown): Uint8Array {
  const out = encoder.encode(prepare(value));
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decode one CBOR item as cbor-x gives it (throws cbor-x's errors; see normaliseDecoded). */
export function decodeCborRaw(bytes: Uint8Array): unknown {
  return decoder.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * 64-bit integers come back from cbor-x as BigInt: give safe ones back as numbers. With
 * `plainBytes`, byte strings (Buffers over the decoder's input) become plain Uint8Array views.
 */
export function normaliseDecoded(value: unknown, opts: { plainBytes?: boolean } = {}): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (opts.plainBytes && v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
    if (v instanceof Tag) return new Tag(walk(v.value), v.tag);
    return v;
  };
  return walk(value);
}

/** True when `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
