/**
 * The CBOR layer of SUIT: cbor-x configured so integer labels stay integers, plus a strict
 * decoder. SUIT requires deterministic encoding (manifest §8.1) and digests are computed over
 * encoded bytes, so a decoded item is re-encoded and must give back exactly the input bytes:
 * that single check refuses non-minimal heads, indefinite lengths, duplicate or unordered map
 * keys and trailing bytes, so nothing outside the signed bytes can change meaning.
 */
import { Decoder, Encoder, Tag } from 'cbor-x';
import { SuitInvalidError } from './errors';

const encoder = new Encoder({ tagUint8Array: false, mapsAsObjects: false, useRecords: false });
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

/** A CBOR tagged item (re-exported so callers do not depend on cbor-x directly). */
export { Tag };

/** cbor-x writes integers above 32 bits as floats unless they are BigInts: normalise first. */
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

/** Deterministic encoding of `value` (maps are written in insertion order: insert keys sorted). */
export function encodeCbor(value: unknown): Uint8Array {
  const out = encoder.encode(prepare(value));
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** `bytes` as a CBOR byte string (head included): what SUIT digests are computed over. */
export function bstrWrap(bytes: Uint8Array): Uint8Array {
  return encodeCbor(bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** 64-bit integers come back as BigInt from cbor-x: give safe ones back as numbers. */
function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [normalise(k), normalise(v)]));
  if (value instanceof Tag) return new Tag(normalise(value.value), value.tag);
  return value;
}

/** Byte-wise lexicographic order of encoded keys (RFC 8949 §4.2.1). */
function checkMapOrder(value: unknown, what: string): void {
  if (Array.isArray(value)) { for (const v of value) checkMapOrder(v, what); return; }
  if (value instanceof Tag) { checkMapOrder(value.value, what); return; }
  if (!(value instanceof Map)) return;
  let prev: Uint8Array | undefined;
  for (const [k, v] of value) {
    const enc = encodeCbor(k);
    if (prev && Buffer.compare(prev, enc) >= 0) throw new SuitInvalidError(`${what}: map keys are not in deterministic order`);
    prev = enc;
    checkMapOrder(k, what);
    checkMapOrder(v, what);
  }
}

/**
 * Decode one CBOR item that must be deterministically encoded and fill `bytes` exactly.
 * `what` names the element in error messages ("SUIT_Manifest", "install sequence"...).
 */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (bytes.length === 0) throw new SuitInvalidError(`${what} is empty`);
  let raw: unknown;
  try {
    raw = decoder.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new SuitInvalidError(`${what} is not well-formed CBOR: ${(e as Error).message}`, { cause: e });
  }
  let again: Uint8Array;
  try {
    again = encodeCbor(raw);
  } catch (e) {
    throw new SuitInvalidError(`${what} holds CBOR items SUIT does not use`, { cause: e });
  }
  if (!sameBytes(again, bytes)) throw new SuitInvalidError(`${what} is not deterministically encoded CBOR (RFC 8949 §4.2)`);
  checkMapOrder(raw, what);
  return normalise(raw);
}

/** Copy `bytes` out of a decoder buffer so later changes to the input cannot alias it. */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}
