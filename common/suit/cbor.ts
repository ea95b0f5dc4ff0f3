/**
 * The CBOR layer of SUIT (on common/cbor.ts: integer labels stay integers), with a strict
 * decoder. SUIT requires deterministic encoding (manifest §8.1) and digests are computed over
 * encoded bytes, so a decoded item is re-encoded and must give back exactly the input bytes:
 * that single check refuses non-minimal heads, indefinite lengths, duplicate or unordered map
 * keys and trailing bytes, so nothing outside the signed bytes can change meaning.
 */
import { Tag, decodeCborRaw, encodeCbor, normaliseDecoded, sameBytes } from '../cbor';
import { SuitInvalidError } from './errors';

/** A CBOR tagged item (re-exported so callers do not depend on cbor-x directly). */
export { Tag, encodeCbor };

/** `bytes` as a CBOR byte string (head included): what SUIT digests are computed over. */
export function bstrWrap(bytes: Uint8Array): Uint8Array {
  return encodeCbor(bytes);
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
    raw = decodeCborRaw(bytes);
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
  return normaliseDecoded(raw);
}

/** Copy `bytes` out of a decoder buffer so later changes to the input cannot alias it. */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}
