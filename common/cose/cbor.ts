/**
 * The CBOR layer of COSE and CWT (on common/cbor.ts: integer labels stay integers, byte strings
 * are not tagged), a decoder that turns every failure (garbage, truncation, trailing
 * bytes) into a CoseInvalidError, and helpers for the tag that may wrap a COSE message.
 */
import { Tag, decodeCborRaw, encodeCbor, normaliseDecoded, sameBytes } from '../cbor';
import { CoseInvalidError } from './errors';

export { encodeCbor, sameBytes };

/** Decode exactly one CBOR item filling `bytes`; any failure is a CoseInvalidError naming `what`. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new CoseInvalidError(`${what}: empty input`);
  try {
    return normaliseDecoded(decodeCborRaw(bytes), { plainBytes: true });
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
