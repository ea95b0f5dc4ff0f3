/**
 * X.509 header parameters of RFC 9360: x5bag (32), x5chain (33), x5t (34). A single
 * certificate is a byte string, several an array; x5t is [hash alg, thumbprint] with SHA-256
 * (-16) required, SHA-256/64 (-15), SHA-384 (-43) and SHA-512 (-44) also understood.
 * Certificates from headers are untrusted input: the caller validates them against its anchors.
 */
import { createHash } from 'node:crypto';
import { sameBytes } from './cbor';
import { CoseAlgorithmError, CoseInvalidError } from './errors';
import { type HeaderMap, HeaderLabel, headerValue } from './headers';

const HASHES: Record<number, { name: string; length?: number }> = {
  [-16]: { name: 'sha256' },
  [-15]: { name: 'sha256', length: 8 },
  [-43]: { name: 'sha384' },
  [-44]: { name: 'sha512' },
};

/** The x5bag/x5chain header value for `certs` (DER). */
export function encodeX5Certs(certs: readonly Uint8Array[]): Uint8Array | Uint8Array[] {
  if (certs.length === 0) throw new CoseInvalidError('an x5chain or x5bag needs at least one certificate');
  return certs.length === 1 ? certs[0] : [...certs];
}

function certList(v: unknown): Uint8Array[] | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return [v];
  return v as Uint8Array[]; // shape checked by checkHeaders
}

/** The x5chain certificates (leaf first), if the header is present. */
export function x5chainOf(protectedHeader: HeaderMap, unprotectedHeader: HeaderMap): Uint8Array[] | undefined {
  return certList(headerValue(protectedHeader, unprotectedHeader, HeaderLabel.x5chain));
}

/** The x5bag certificates, if the header is present. */
export function x5bagOf(protectedHeader: HeaderMap, unprotectedHeader: HeaderMap): Uint8Array[] | undefined {
  return certList(headerValue(protectedHeader, unprotectedHeader, HeaderLabel.x5bag));
}

/** The x5t value [alg, thumbprint] of a DER certificate (default SHA-256). */
export function x5tOf(cert: Uint8Array, hashAlg: -16 | -15 | -43 | -44 = -16): [number, Uint8Array] {
  const h = HASHES[hashAlg];
  const digest = new Uint8Array(createHash(h.name).update(cert).digest());
  return [hashAlg, h.length ? digest.subarray(0, h.length) : digest];
}

/** Whether `cert` matches an x5t value; unknown hash algorithms are a CoseAlgorithmError. */
export function x5tMatches(x5t: unknown, cert: Uint8Array): boolean {
  if (!Array.isArray(x5t) || x5t.length !== 2 || !(x5t[1] instanceof Uint8Array)) throw new CoseInvalidError('x5t must be [hash alg, bstr]');
  const alg = x5t[0];
  if (typeof alg !== 'number' || !HASHES[alg]) throw new CoseAlgorithmError(`unsupported x5t hash algorithm ${String(alg)}`);
  return sameBytes(x5tOf(cert, alg as -16)[1], x5t[1]);
}

/**
 * The end-entity certificate a message names: the one matching x5t among x5chain and x5bag when
 * x5t is present, else the first of x5chain. Undefined when the message carries none.
 */
export function endEntityCertificate(protectedHeader: HeaderMap, unprotectedHeader: HeaderMap): Uint8Array | undefined {
  const chain = x5chainOf(protectedHeader, unprotectedHeader) ?? [];
  const bag = x5bagOf(protectedHeader, unprotectedHeader) ?? [];
  const x5t = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.x5t);
  if (x5t !== undefined) {
    const found = [...chain, ...bag].find((c) => x5tMatches(x5t, c));
    if (!found) throw new CoseInvalidError('no certificate in x5chain or x5bag matches x5t');
    return found;
  }
  return chain[0];
}
