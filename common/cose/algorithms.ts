/**
 * The COSE algorithm table (RFC 9053 / draft-ietf-cose-rfc8152bis-algs) and the one module of
 * the COSE layer that calls node:crypto. Signatures: ES256 (-7), ES384 (-35), EdDSA (-8).
 * MACs: HMAC 256/64 (4), HMAC 256/256 (5). Content encryption: AES-CCM-16-64-128 (10).
 * Everything else asks this table for a resolved algorithm, so nothing else enumerates them.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createHmac, sign, timingSafeEqual, verify } from 'node:crypto';
import { CoseAlgorithmError, CoseDecryptError, CoseSignatureError } from './errors';

/** Signature algorithms supported for COSE_Sign1. */
export type CoseAlg = 'ES256' | 'ES384' | 'EdDSA';
/** MAC algorithms supported for COSE_Mac0. */
export type CoseMacAlg = 'HMAC-256/64' | 'HMAC-256/256';
/** Content-encryption algorithms supported for COSE_Encrypt0. */
export type CoseEncAlg = 'AES-CCM-16-64-128';

interface SignatureAlgorithm {
  readonly name: CoseAlg;
  readonly id: number;
  /** Digest for ECDSA; undefined for EdDSA (the curve fixes it). */
  readonly hash?: 'sha256' | 'sha384';
  /** node's namedCurve for ECDSA keys. */
  readonly curve?: string;
  /** Bytes of one coordinate (r or s) for ECDSA. */
  readonly coordinate?: number;
}

const ecdsa = (name: CoseAlg, id: number, hash: 'sha256' | 'sha384', curve: string, coordinate: number): SignatureAlgorithm =>
  ({ name, id, hash, curve, coordinate });

const SIGNATURE_ALGS: readonly SignatureAlgorithm[] = [
  ecdsa('ES256', -7, 'sha256', 'prime256v1', 32),
  ecdsa('ES384', -35, 'sha384', 'secp384r1', 48),
  { name: 'EdDSA', id: -8 },
];

interface MacAlgorithm { readonly name: CoseMacAlg; readonly id: number; readonly tagLength: number; readonly keyLength: number }
const MAC_ALGS: readonly MacAlgorithm[] = [
  { name: 'HMAC-256/64', id: 4, tagLength: 8, keyLength: 32 },
  { name: 'HMAC-256/256', id: 5, tagLength: 32, keyLength: 32 },
];

interface EncAlgorithm { readonly name: CoseEncAlg; readonly id: number; readonly cipher: 'aes-128-ccm'; readonly keyLength: number; readonly nonceLength: number; readonly tagLength: number }
const ENC_ALGS: readonly EncAlgorithm[] = [
  { name: 'AES-CCM-16-64-128', id: 10, cipher: 'aes-128-ccm', keyLength: 16, nonceLength: 13, tagLength: 8 },
];

function describe(id: unknown): string {
  return typeof id === 'string' ? `"${id}"` : String(id);
}

/** The COSE integer identifier of a signature algorithm. */
export function signatureAlgId(name: CoseAlg): number {
  const a = SIGNATURE_ALGS.find((x) => x.name === name);
  if (!a) throw new CoseAlgorithmError(`unsupported signature algorithm ${describe(name)}`);
  return a.id;
}

/** The signature algorithm of an `alg` header value; unknown or non-signature values are refused. */
export function signatureAlgFromHeader(value: unknown): CoseAlg {
  const a = SIGNATURE_ALGS.find((x) => x.id === value);
  if (!a) throw new CoseAlgorithmError(`unsupported signature algorithm ${describe(value)}`);
  return a.name;
}

export function macAlgId(name: CoseMacAlg): number {
  const a = MAC_ALGS.find((x) => x.name === name);
  if (!a) throw new CoseAlgorithmError(`unsupported MAC algorithm ${describe(name)}`);
  return a.id;
}

export function macAlgFromHeader(value: unknown): CoseMacAlg {
  const a = MAC_ALGS.find((x) => x.id === value);
  if (!a) throw new CoseAlgorithmError(`unsupported MAC algorithm ${describe(value)}`);
  return a.name;
}

export function encAlgId(name: CoseEncAlg): number {
  const a = ENC_ALGS.find((x) => x.name === name);
  if (!a) throw new CoseAlgorithmError(`unsupported content-encryption algorithm ${describe(name)}`);
  return a.id;
}

export function encAlgFromHeader(value: unknown): CoseEncAlg {
  const a = ENC_ALGS.find((x) => x.id === value);
  if (!a) throw new CoseAlgorithmError(`unsupported content-encryption algorithm ${describe(value)}`);
  return a.name;
}

/** Nonce length in bytes of a content-encryption algorithm. */
export function encNonceLength(name: CoseEncAlg): number {
  return ENC_ALGS.find((x) => x.name === name)!.nonceLength;
}

/** Key length in bytes of a content-encryption algorithm. */
export function encKeyLength(name: CoseEncAlg): number {
  return ENC_ALGS.find((x) => x.name === name)!.keyLength;
}

/** Whether `key` has the type and curve `alg` needs (a private key also holds its public half). */
export function keyFitsAlg(alg: CoseAlg, key: KeyObject): boolean {
  if (key.type === 'secret') return false;
  const a = SIGNATURE_ALGS.find((x) => x.name === alg)!;
  if (a.curve) return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === a.curve;
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448';
}

/** The algorithm a key is meant for: EC P-256 → ES256, P-384 → ES384, Ed25519/Ed448 → EdDSA. */
export function algForKey(key: KeyObject): CoseAlg {
  const a = SIGNATURE_ALGS.find((x) => keyFitsAlg(x.name, key));
  if (!a) throw new CoseAlgorithmError(`no supported COSE signature algorithm for a ${key.asymmetricKeyType ?? key.type} key`);
  return a.name;
}

/** Sign `data` (the encoded Sig_structure); ECDSA signatures are r‖s (IEEE P1363), as COSE wants. */
export function signBytes(alg: CoseAlg, key: KeyObject, data: Uint8Array): Uint8Array {
  if (key.type !== 'private') throw new CoseAlgorithmError(`signing with ${alg} needs a private key`);
  if (!keyFitsAlg(alg, key)) throw new CoseAlgorithmError(`the ${key.asymmetricKeyType} key does not fit ${alg}`);
  const a = SIGNATURE_ALGS.find((x) => x.name === alg)!;
  const sig = a.hash ? sign(a.hash, data, { key, dsaEncoding: 'ieee-p1363' }) : sign(null, data, key);
  return new Uint8Array(sig.buffer, sig.byteOffset, sig.byteLength);
}

/** Verify; throws CoseSignatureError when the key does not fit or the signature is wrong (high-S accepted). */
export function verifyBytes(alg: CoseAlg, key: KeyObject, data: Uint8Array, signature: Uint8Array): void {
  if (!keyFitsAlg(alg, key)) throw new CoseSignatureError(`the ${key.asymmetricKeyType ?? key.type} key cannot verify ${alg}`);
  const a = SIGNATURE_ALGS.find((x) => x.name === alg)!;
  if (a.coordinate && signature.length !== 2 * a.coordinate) throw new CoseSignatureError(`${alg} signature must be ${2 * a.coordinate} bytes, got ${signature.length}`);
  let ok: boolean;
  try {
    ok = a.hash ? verify(a.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature) : verify(null, data, key, signature);
  } catch (e) {
    throw new CoseSignatureError(`${alg} signature does not verify`, { cause: e });
  }
  if (!ok) throw new CoseSignatureError(`${alg} signature does not verify`);
}

function secretBytes(key: KeyObject | Uint8Array): Uint8Array {
  if (key instanceof Uint8Array) return key;
  if (key.type !== 'secret') throw new CoseAlgorithmError('a symmetric algorithm needs a secret key');
  return key.export();
}

/** The (truncated) HMAC tag of `data`. */
export function macBytes(alg: CoseMacAlg, key: KeyObject | Uint8Array, data: Uint8Array): Uint8Array {
  const a = MAC_ALGS.find((x) => x.name === alg)!;
  const k = secretBytes(key);
  if (k.length === 0) throw new CoseAlgorithmError(`${alg} needs a non-empty key`);
  const full = createHmac('sha256', k).update(data).digest();
  return new Uint8Array(full.subarray(0, a.tagLength));
}

/** Check a MAC tag in constant time; throws CoseSignatureError on mismatch. */
export function verifyMac(alg: CoseMacAlg, key: KeyObject | Uint8Array, data: Uint8Array, tag: Uint8Array): void {
  const expected = macBytes(alg, key, data);
  if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) throw new CoseSignatureError(`${alg} tag does not verify`);
}

function encParams(alg: CoseEncAlg, key: KeyObject | Uint8Array, nonce: Uint8Array): { a: EncAlgorithm; k: Uint8Array } {
  const a = ENC_ALGS.find((x) => x.name === alg)!;
  const k = secretBytes(key);
  if (k.length !== a.keyLength) throw new CoseAlgorithmError(`${alg} needs a ${a.keyLength}-byte key, got ${k.length}`);
  if (nonce.length !== a.nonceLength) throw new CoseAlgorithmError(`${alg} needs a ${a.nonceLength}-byte nonce, got ${nonce.length}`);
  return { a, k };
}

/** AEAD-encrypt: ciphertext ‖ tag. */
export function encryptBytes(alg: CoseEncAlg, key: KeyObject | Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const { a, k } = encParams(alg, key, nonce);
  if (plaintext.length >= 1 << 16) throw new CoseAlgorithmError(`${alg} encrypts at most 65535 bytes`);
  const c = createCipheriv(a.cipher, k, nonce, { authTagLength: a.tagLength });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  const out = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** AEAD-decrypt `ciphertext ‖ tag`; throws CoseDecryptError when authentication fails. */
export function decryptBytes(alg: CoseEncAlg, key: KeyObject | Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array {
  const { a, k } = encParams(alg, key, nonce);
  if (data.length < a.tagLength) throw new CoseDecryptError(`${alg} ciphertext shorter than its tag`);
  const body = data.subarray(0, data.length - a.tagLength);
  try {
    const d = createDecipheriv(a.cipher, k, nonce, { authTagLength: a.tagLength });
    d.setAuthTag(data.subarray(data.length - a.tagLength));
    d.setAAD(aad, { plaintextLength: body.length });
    const out = Buffer.concat([d.update(body), d.final()]);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new CoseDecryptError(`${alg} decryption failed: wrong key, AAD or modified ciphertext`, { cause: e });
  }
}
