/**
 * Key algorithms of the PKI and their WebCrypto shapes: which curve a node:crypto KeyObject is
 * on, and the import and signing parameters @peculiar/x509 needs for it. KeyObjects are the
 * currency of the API; they become CryptoKeys here (Node 20 has no KeyObject.toCryptoKey, so
 * through PKCS#8 / SPKI DER) and come back with KeyObject.from.
 */
import { KeyObject, createPublicKey, webcrypto } from 'node:crypto';
import { InvalidInputError } from '../errors';
import type { WebCrypto, WebCryptoKey } from './x509';

/** Key algorithms a CA, device or server key may use. */
export type KeyAlgorithm = 'P-256' | 'P-384' | 'Ed25519';

type ImportParams = { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' } | { name: 'Ed25519' };
/** Signature parameters handed to @peculiar/x509 (hash by curve size, as RFC 5480 advises). */
export type SigningAlgorithm = { name: 'ECDSA'; hash: 'SHA-256' | 'SHA-384' } | { name: 'Ed25519' };

const CURVES: Record<string, KeyAlgorithm> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** The algorithm of a node:crypto key; other key types are an InvalidInputError. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec') {
    const alg = CURVES[String(key.asymmetricKeyDetails?.namedCurve)];
    if (alg) return alg;
  }
  throw new InvalidInputError(`unsupported key type ${key.asymmetricKeyType ?? key.type} (P-256, P-384 or Ed25519)`);
}

/** True for the algorithm names this module supports. */
export function isKeyAlgorithm(v: unknown): v is KeyAlgorithm {
  return v === 'P-256' || v === 'P-384' || v === 'Ed25519';
}

function importParams(alg: KeyAlgorithm): ImportParams {
  return alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: alg };
}

/** The X.509 signature algorithm for a signer of `alg`. */
export function signingAlgorithm(alg: KeyAlgorithm): SigningAlgorithm {
  if (alg === 'Ed25519') return { name: 'Ed25519' };
  return { name: 'ECDSA', hash: alg === 'P-384' ? 'SHA-384' : 'SHA-256' };
}

/** The node:crypto hash name for verifying a signature of `alg` (null for Ed25519). */
export function nodeHashOf(alg: KeyAlgorithm): string | null {
  return alg === 'Ed25519' ? null : alg === 'P-384' ? 'sha384' : 'sha256';
}

/** A private KeyObject as a non-extractable WebCrypto signing key. */
export async function toCryptoPrivateKey(key: KeyObject): Promise<WebCryptoKey> {
  if (key.type !== 'private') throw new InvalidInputError('a private key is required');
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, importParams(keyAlgorithmOf(key)), false, ['sign']) as Promise<WebCryptoKey>;
}

/** A public (or private: its public half) KeyObject as a WebCrypto verification key. */
export async function toCryptoPublicKey(key: KeyObject): Promise<WebCryptoKey> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  return webcrypto.subtle.importKey('spki', der, importParams(keyAlgorithmOf(pub)), true, ['verify']) as Promise<WebCryptoKey>;
}

/** The SubjectPublicKeyInfo DER of a key (its public half for a private key). */
export function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
}

/** A public KeyObject from SubjectPublicKeyInfo DER. */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

/** Same public key? (compares SPKI DER) */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return spkiOf(a).equals(spkiOf(b));
}
