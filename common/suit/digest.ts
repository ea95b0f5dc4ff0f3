/**
 * SUIT_Digest (manifest §10): [algorithm-id, digest-bytes], the integrity value of the manifest,
 * of severable members and of images. SHA-256 is mandatory; SHAKE128, SHA-384, SHA-512 and
 * SHAKE256 are the optional COSE hash algorithms, all available in node:crypto.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeCbor, encodeCbor, ownBytes } from './cbor';
import { SuitInvalidError, SuitUnsupportedError } from './errors';

/** The COSE hash algorithms SUIT names, by their COSE id. */
export const SuitDigestAlgorithm = { sha256: -16, shake128: -18, sha384: -43, sha512: -44, shake256: -45 } as const;
export type SuitDigestAlg = keyof typeof SuitDigestAlgorithm;

/** Output lengths in bytes (RFC 9054: SHAKE128 gives 256 bits, SHAKE256 512 bits). */
const LENGTH: Record<SuitDigestAlg, number> = { sha256: 32, shake128: 32, sha384: 48, sha512: 64, shake256: 64 };

export interface SuitDigest {
  readonly alg: SuitDigestAlg;
  readonly bytes: Uint8Array;
}

/** The digest of `data` with `alg`. */
export function computeSuitDigest(data: Uint8Array, alg: SuitDigestAlg = 'sha256'): SuitDigest {
  const hash = alg.startsWith('shake') ? createHash(alg, { outputLength: LENGTH[alg] }) : createHash(alg);
  return { alg, bytes: new Uint8Array(hash.update(data).digest()) };
}

/** True when `data` hashes to `digest` (constant-time comparison). */
export function suitDigestMatches(digest: SuitDigest, data: Uint8Array): boolean {
  const actual = computeSuitDigest(data, digest.alg).bytes;
  return actual.length === digest.bytes.length && timingSafeEqual(actual, digest.bytes);
}

/** A SUIT_Digest from its decoded CBOR form. */
export function suitDigestFromCbor(value: unknown, what: string): SuitDigest {
  if (!Array.isArray(value) || value.length < 2) throw new SuitInvalidError(`${what} is not a SUIT_Digest [algorithm-id, digest-bytes]`);
  if (value.length > 2) throw new SuitUnsupportedError(`${what}: SUIT_Digest extensions are not supported`);
  const [id, bytes] = value;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new SuitInvalidError(`${what}: digest algorithm id must be an integer`);
  const alg = (Object.keys(SuitDigestAlgorithm) as SuitDigestAlg[]).find((a) => SuitDigestAlgorithm[a] === id);
  if (!alg) throw new SuitUnsupportedError(`${what}: digest algorithm ${id} is not supported`);
  if (!(bytes instanceof Uint8Array)) throw new SuitInvalidError(`${what}: digest-bytes must be a byte string`);
  if (bytes.length !== LENGTH[alg]) throw new SuitInvalidError(`${what}: a ${alg} digest has ${LENGTH[alg]} bytes, not ${bytes.length}`);
  return { alg, bytes: ownBytes(bytes) };
}

/** The CBOR form of a SUIT_Digest (to embed in a larger item). */
export function suitDigestToCbor(digest: SuitDigest): unknown[] {
  return [SuitDigestAlgorithm[digest.alg], digest.bytes];
}

/** Decode an encoded SUIT_Digest (the content of a bstr). */
export function decodeSuitDigest(bytes: Uint8Array, what: string): SuitDigest {
  return suitDigestFromCbor(decodeCbor(bytes, what), what);
}

/** Encode a SUIT_Digest. */
export function encodeSuitDigest(digest: SuitDigest): Uint8Array {
  return encodeCbor(suitDigestToCbor(digest));
}

/** Lower-case hex of a digest's bytes. */
export function suitDigestHex(digest: SuitDigest): string {
  return Buffer.from(digest.bytes).toString('hex');
}
