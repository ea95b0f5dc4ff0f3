/**
 * Keys for COSE: COSE_Key maps (RFC 9052 §7, RFC 9053 §7: EC2 P-256/P-384, OKP Ed25519/Ed448,
 * Symmetric) and key files (JWK JSON, PEM public or private key, PEM or DER X.509 certificate)
 * turned into node:crypto KeyObjects. Bad input is a CoseInvalidError.
 */
import { type JsonWebKey, type KeyObject, X509Certificate, createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import { decodeCbor } from './cbor';
import { CoseInvalidError } from './errors';

/** A key with the kid it came with, if any. */
export interface LoadedKey {
  readonly key: KeyObject;
  readonly kid?: Uint8Array;
}

const EC2_CURVES: Record<number, { crv: string; size: number }> = { 1: { crv: 'P-256', size: 32 }, 2: { crv: 'P-384', size: 48 } };
const OKP_CURVES: Record<number, string> = { 6: 'Ed25519', 7: 'Ed448' };

function bytesAt(m: Map<unknown, unknown>, label: number, what: string): Uint8Array | undefined {
  const v = m.get(label);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw new CoseInvalidError(`COSE_Key ${what} must be a byte string`);
  return v;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** A COSE_Key (decoded map or its CBOR encoding) as a KeyObject: private when `d` is present. */
export function coseKeyToKeyObject(input: Map<unknown, unknown> | Uint8Array): LoadedKey {
  const m = input instanceof Uint8Array ? decodeCbor(input, 'COSE_Key') : input;
  if (!(m instanceof Map)) throw new CoseInvalidError('COSE_Key must be a map');
  const kty = m.get(1);
  const kid = bytesAt(m, 2, 'kid');
  let key: KeyObject;
  try {
    if (kty === 2) {
      const curve = EC2_CURVES[m.get(-1) as number];
      if (!curve) throw new CoseInvalidError(`unsupported EC2 curve ${String(m.get(-1))}`);
      const x = bytesAt(m, -2, 'x');
      const y = bytesAt(m, -3, 'y');
      const d = bytesAt(m, -4, 'd');
      if (!x || !y || x.length !== curve.size || y.length !== curve.size) throw new CoseInvalidError('EC2 COSE_Key needs x and y of the curve size (compressed points are not supported)');
      const jwk: JsonWebKey = { kty: 'EC', crv: curve.crv, x: b64(x), y: b64(y), ...(d ? { d: b64(d) } : {}) };
      key = d ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
    } else if (kty === 1) {
      const crv = OKP_CURVES[m.get(-1) as number];
      if (!crv) throw new CoseInvalidError(`unsupported OKP curve ${String(m.get(-1))}`);
      const x = bytesAt(m, -2, 'x');
      const d = bytesAt(m, -4, 'd');
      if (!x) throw new CoseInvalidError('OKP COSE_Key needs x');
      const jwk: JsonWebKey = { kty: 'OKP', crv, x: b64(x), ...(d ? { d: b64(d) } : {}) };
      key = d ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
    } else if (kty === 4) {
      const k = bytesAt(m, -1, 'k');
      if (!k || k.length === 0) throw new CoseInvalidError('Symmetric COSE_Key needs k');
      key = createSecretKey(k);
    } else {
      throw new CoseInvalidError(`unsupported COSE_Key kty ${String(kty)}`);
    }
  } catch (e) {
    if (e instanceof CoseInvalidError) throw e;
    throw new CoseInvalidError(`COSE_Key is not a valid key: ${(e as Error).message}`, { cause: e });
  }
  return { key, ...(kid ? { kid } : {}) };
}

/**
 * A key file: JWK JSON (public, private or `oct`), PEM public key, PEM private key, or X.509
 * certificate (PEM or DER; its public key). `want` picks which half is returned when the file
 * holds a private key: 'public' derives it.
 */
export function loadKeyFile(content: Uint8Array, want: 'public' | 'private' | 'any' = 'any'): LoadedKey {
  const text = Buffer.from(content).toString('utf8').trim();
  let loaded: LoadedKey;
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey & { kid?: string };
      const kid = typeof jwk.kid === 'string' ? new Uint8Array(Buffer.from(jwk.kid, 'utf8')) : undefined;
      const key = jwk.kty === 'oct' ? createSecretKey(Buffer.from(String(jwk.k), 'base64url'))
        : jwk.d ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
      loaded = { key, ...(kid ? { kid } : {}) };
    } else if (text.includes('-----BEGIN CERTIFICATE-----')) {
      loaded = { key: new X509Certificate(text).publicKey };
    } else if (text.includes('PRIVATE KEY-----')) {
      loaded = { key: createPrivateKey(text) };
    } else if (text.includes('-----BEGIN')) {
      loaded = { key: createPublicKey(text) };
    } else {
      loaded = { key: new X509Certificate(Buffer.from(content)).publicKey };
    }
  } catch (e) {
    throw new CoseInvalidError(`not a usable key file (JWK, PEM key or certificate): ${(e as Error).message}`, { cause: e });
  }
  if (want === 'public' && loaded.key.type === 'private') return { ...loaded, key: createPublicKey(loaded.key) };
  if (want === 'private' && loaded.key.type !== 'private') throw new CoseInvalidError('a private key is needed here');
  return loaded;
}
