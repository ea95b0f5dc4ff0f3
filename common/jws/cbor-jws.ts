/**
 * JWS (RFC 7515) over a CBOR payload, through jose: the payload is the CBOR bytes, base64url
 * encoded as JWS requires, and the header says `cty: "cbor"` so nobody reads it as JSON. We use
 * the compact serialization (header.payload.signature): one signer, a single string that fits
 * anywhere (file, HTTP body, Redis), and it is the smallest. jose errors become ours here, once.
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { JwsInvalidError, JwsSignatureError } from './errors';

/** JWS algorithms we sign with (same keys as COSE: P-256, P-384, Ed25519). */
export type JwsAlg = 'ES256' | 'ES384' | 'EdDSA';
const ALGS: readonly JwsAlg[] = ['ES256', 'ES384', 'EdDSA'];

/** The CBOR content type marker in the JWS header. */
export const CBOR_CTY = 'cbor';

export interface SignCborJwsOptions {
  readonly key: KeyObject;
  readonly alg: JwsAlg;
  readonly kid?: string;
  /** `typ` header, naming the message kind (e.g. "update-info-list+cbor"). */
  readonly typ?: string;
  /** Signer certificate chain (base64 DER), leaf first. */
  readonly x5c?: readonly string[];
}

export interface VerifiedCborJws {
  readonly payload: Uint8Array;
  readonly alg: JwsAlg;
  readonly kid?: string;
  readonly typ?: string;
  readonly x5c?: readonly string[];
}

/** Sign `payload` (CBOR bytes) as a compact JWS. */
export async function signCborJws(payload: Uint8Array, opts: SignCborJwsOptions): Promise<string> {
  if (!ALGS.includes(opts.alg)) throw new JwsInvalidError(`unsupported JWS algorithm ${String(opts.alg)}`);
  try {
    return await new CompactSign(payload)
      .setProtectedHeader({ alg: opts.alg, cty: CBOR_CTY, ...(opts.typ ? { typ: opts.typ } : {}), ...(opts.kid ? { kid: opts.kid } : {}), ...(opts.x5c ? { x5c: [...opts.x5c] } : {}) })
      .sign(opts.key);
  } catch (e) {
    throw new JwsInvalidError(`cannot sign the JWS: ${(e as Error).message}`, { cause: e });
  }
}

export interface VerifyCborJwsOptions {
  /** Accepted algorithms (default all of JwsAlg). */
  readonly algorithms?: readonly JwsAlg[];
  /** Required `typ` header, if any. */
  readonly typ?: string;
}

/** The protected header of a compact JWS, unverified (to pick a key by kid). */
export function peekJwsHeader(jws: string): { alg?: string; kid?: string; typ?: string; cty?: string } {
  try {
    return decodeProtectedHeader(jws) as { alg?: string; kid?: string; typ?: string; cty?: string };
  } catch (e) {
    throw new JwsInvalidError(`malformed JWS: ${(e as Error).message}`, { cause: e });
  }
}

/** Verify a compact JWS carrying CBOR; throws JwsInvalidError or JwsSignatureError. */
export async function verifyCborJws(jws: string, key: KeyObject, opts: VerifyCborJwsOptions = {}): Promise<VerifiedCborJws> {
  if (typeof jws !== 'string' || jws.split('.').length !== 3) throw new JwsInvalidError('not a compact JWS (three base64url parts)');
  const header = peekJwsHeader(jws);
  if (header.cty !== CBOR_CTY) throw new JwsInvalidError(`the JWS content type is "${String(header.cty)}", not "${CBOR_CTY}"`);
  if (opts.typ !== undefined && header.typ !== opts.typ) throw new JwsInvalidError(`the JWS typ is "${String(header.typ)}", expected "${opts.typ}"`);
  let result: Awaited<ReturnType<typeof compactVerify>>;
  try {
    result = await compactVerify(jws, key, { algorithms: [...(opts.algorithms ?? ALGS)] });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw new JwsSignatureError('the JWS signature does not verify', { cause: e });
    if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') throw new JwsInvalidError(`the JWS algorithm ${String(header.alg)} is not allowed`, { cause: e });
    // jose's own errors carry an ERR_J… code; anything else (TypeError, WebCrypto DataError) is a key that does not fit.
    if (typeof code === 'string' && code.startsWith('ERR_J')) throw new JwsInvalidError(`malformed JWS: ${(e as Error).message}`, { cause: e });
    throw new JwsSignatureError(`the key cannot verify this JWS: ${(e as Error).message}`, { cause: e });
  }
  const h = result.protectedHeader;
  return {
    payload: new Uint8Array(result.payload),
    alg: h.alg as JwsAlg,
    ...(h.kid ? { kid: h.kid } : {}),
    ...(h.typ ? { typ: h.typ } : {}),
    ...(h.x5c ? { x5c: h.x5c } : {}),
  };
}
