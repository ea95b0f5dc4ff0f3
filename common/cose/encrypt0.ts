/**
 * COSE_Encrypt0 (RFC 9052 §5.2) with AES-CCM-16-64-128 (alg 10: 128-bit key, 64-bit tag,
 * 13-byte nonce), as the symmetric ownership-transfer token needs. Enc_structure =
 * ["Encrypt0", protected, external_aad] is the AAD. The nonce is the full IV header (5), or a
 * Partial IV (6) left-padded and XORed into a base IV the caller shares with the sender
 * (RFC 9052 §3.1). Unknown critical headers are refused.
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { type CoseEncAlg, decryptBytes, encAlgFromHeader, encAlgId, encNonceLength, encryptBytes } from './algorithms';
import { Tag, decodeCbor, encodeCbor, untag } from './cbor';
import { CoseAlgorithmError, CoseInvalidError } from './errors';
import { type HeaderMap, HeaderLabel, checkHeaders, decodeProtected, encodeProtected, headerKid, headerValue, protectedForStructure } from './headers';

export type { CoseEncAlg };

/** CBOR tag of COSE_Encrypt0_Tagged. */
export const COSE_ENCRYPT0_TAG = 16;

export interface Encrypt0Options {
  plaintext: Uint8Array;
  key: KeyObject | Uint8Array;
  alg: CoseEncAlg;
  /** The full nonce, sent as IV (label 5) in the unprotected header. Default: random. */
  iv?: Uint8Array;
  protectedHeader?: Map<number, unknown>;
  unprotectedHeader?: Map<number, unknown>;
  externalAad?: Uint8Array;
  /** Wrap in tag 16 (default true). */
  tagged?: boolean;
}

export interface Encrypt0Decrypted {
  plaintext: Uint8Array;
  protectedHeader: HeaderMap;
  unprotectedHeader: HeaderMap;
  alg: CoseEncAlg;
  kid?: Uint8Array;
  tagged: boolean;
}

function encStructure(protectedBytes: Uint8Array, externalAad: Uint8Array): Uint8Array {
  return encodeCbor(['Encrypt0', protectedBytes, externalAad]);
}

/** Encrypt and encode a COSE_Encrypt0. */
export function encryptEncrypt0(opts: Encrypt0Options): Uint8Array {
  const protectedHeader: HeaderMap = new Map(opts.protectedHeader ?? []);
  const unprotectedHeader: HeaderMap = new Map(opts.unprotectedHeader ?? []);
  const algId = encAlgId(opts.alg);
  const declared = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.alg);
  if (declared === undefined) protectedHeader.set(HeaderLabel.alg, algId);
  else if (declared !== algId) throw new CoseAlgorithmError(`the alg header (${String(declared)}) does not match ${opts.alg}`);
  const iv = opts.iv ?? new Uint8Array(randomBytes(encNonceLength(opts.alg)));
  if (!protectedHeader.has(HeaderLabel.iv)) unprotectedHeader.set(HeaderLabel.iv, iv);
  checkHeaders(protectedHeader, unprotectedHeader, 'any');
  const protectedBytes = encodeProtected(protectedHeader);
  const ciphertext = encryptBytes(opts.alg, opts.key, iv, encStructure(protectedBytes, opts.externalAad ?? new Uint8Array(0)), opts.plaintext);
  const body = [protectedBytes, unprotectedHeader, ciphertext];
  return encodeCbor(opts.tagged === false ? body : new Tag(body, COSE_ENCRYPT0_TAG));
}

export interface Decrypt0Options {
  externalAad?: Uint8Array;
  /** Base IV shared with the sender, for messages that carry a Partial IV. */
  baseIv?: Uint8Array;
  allowedAlgs?: CoseEncAlg[];
  understoodCritical?: (number | string)[];
}

function nonceOf(alg: CoseEncAlg, p: HeaderMap, u: HeaderMap, baseIv?: Uint8Array): Uint8Array {
  const iv = headerValue(p, u, HeaderLabel.iv) as Uint8Array | undefined;
  const partial = headerValue(p, u, HeaderLabel.partialIv) as Uint8Array | undefined;
  const n = encNonceLength(alg);
  if (iv && partial) throw new CoseInvalidError('IV and Partial IV must not both be present');
  if (iv) {
    if (iv.length !== n) throw new CoseInvalidError(`${alg} IV must be ${n} bytes, got ${iv.length}`);
    return iv;
  }
  if (!partial) throw new CoseInvalidError('COSE_Encrypt0 carries neither IV nor Partial IV');
  if (!baseIv) throw new CoseInvalidError('the message carries a Partial IV and no base IV was given');
  if (partial.length > n) throw new CoseInvalidError('Partial IV longer than the nonce');
  const nonce = new Uint8Array(n);
  nonce.set(partial, n - partial.length);
  for (let i = 0; i < baseIv.length && i < n; i++) nonce[i] ^= baseIv[i];
  return nonce;
}

/** Decrypt an already decoded COSE_Encrypt0 item; see decryptEncrypt0. */
export function decryptEncrypt0Item(item: unknown, key: KeyObject | Uint8Array, opts: Decrypt0Options = {}): Encrypt0Decrypted {
  const { value, tagged } = untag(item, COSE_ENCRYPT0_TAG, 'COSE_Encrypt0');
  if (!Array.isArray(value) || value.length !== 3) throw new CoseInvalidError('COSE_Encrypt0 must be an array of 3 elements');
  const [protectedBytes, unprotectedHeader, ciphertext] = value as unknown[];
  const protectedHeader = decodeProtected(protectedBytes);
  checkHeaders(protectedHeader, unprotectedHeader, opts.understoodCritical);
  if (!(ciphertext instanceof Uint8Array)) throw new CoseInvalidError('COSE_Encrypt0 ciphertext must be a byte string (detached content is not supported)');
  const algValue = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.alg);
  if (algValue === undefined) throw new CoseInvalidError('COSE_Encrypt0 has no alg header');
  const alg = encAlgFromHeader(algValue);
  if (opts.allowedAlgs && !opts.allowedAlgs.includes(alg)) throw new CoseAlgorithmError(`algorithm ${alg} is not allowed here`);
  const nonce = nonceOf(alg, protectedHeader, unprotectedHeader, opts.baseIv);
  const aad = encStructure(protectedForStructure(protectedBytes as Uint8Array, protectedHeader), opts.externalAad ?? new Uint8Array(0));
  const plaintext = decryptBytes(alg, key, nonce, aad, ciphertext);
  const kid = headerKid(protectedHeader, unprotectedHeader);
  return { plaintext, protectedHeader, unprotectedHeader, alg, ...(kid ? { kid } : {}), tagged };
}

/** Decrypt a COSE_Encrypt0. Throws CoseInvalidError, CoseAlgorithmError or CoseDecryptError. */
export function decryptEncrypt0(message: Uint8Array, key: KeyObject | Uint8Array, opts: Decrypt0Options = {}): Encrypt0Decrypted {
  return decryptEncrypt0Item(decodeCbor(message, 'COSE_Encrypt0'), key, opts);
}
