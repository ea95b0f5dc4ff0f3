/**
 * The CWT Claims Set (RFC 8392 §3, §4): the registered claims iss (1), sub (2), aud (3),
 * exp (4), nbf (5), iat (6), cti (7) with their types, plus any other claims (private ones use
 * keys below -65536, the registry's private-use range) kept in `extra`. NumericDates may be
 * integers or floats (RFC 8392 A.7); they are seconds since the epoch.
 */
import { CwtMalformedError } from './errors';

/** Claim keys registered by RFC 8392. */
export const ClaimKey = { iss: 1, sub: 2, aud: 3, exp: 4, nbf: 5, iat: 6, cti: 7 } as const;
export type RegisteredClaim = keyof typeof ClaimKey;

/** Integer claim keys below this are private use (RFC 8392 §9.1). */
export const PRIVATE_CLAIM_LIMIT = -65536;

/** A CWT Claims Set. */
export interface CwtClaims {
  readonly iss?: string;
  readonly sub?: string;
  /** A StringOrURI; an array of them is accepted when decoding (as JWT allows). */
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly cti?: Uint8Array;
  /** Every other claim, by its key. */
  readonly extra?: ReadonlyMap<number | string, unknown>;
}

const STRING_CLAIMS = ['iss', 'sub'] as const;
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;
const REGISTERED_KEYS = new Set<unknown>(Object.values(ClaimKey));

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The claims as the CBOR map that is the CWT payload (registered claims first, in key order). */
export function claimsToMap(claims: CwtClaims): Map<number | string, unknown> {
  const m = new Map<number | string, unknown>();
  for (const name of Object.keys(ClaimKey) as RegisteredClaim[]) {
    const v = claims[name];
    if (v === undefined) continue;
    if ((STRING_CLAIMS as readonly string[]).includes(name) && typeof v !== 'string') throw new CwtMalformedError(`claim ${name} must be a string`);
    if ((TIME_CLAIMS as readonly string[]).includes(name) && !isTime(v)) throw new CwtMalformedError(`claim ${name} must be a NumericDate`);
    if (name === 'cti' && !(v instanceof Uint8Array)) throw new CwtMalformedError('claim cti must be a byte string');
    if (name === 'aud' && typeof v !== 'string' && !(Array.isArray(v) && v.every((a) => typeof a === 'string'))) throw new CwtMalformedError('claim aud must be a string');
    m.set(ClaimKey[name], Array.isArray(v) ? [...v] : v);
  }
  for (const [k, v] of claims.extra ?? []) {
    if (REGISTERED_KEYS.has(k)) throw new CwtMalformedError(`claim ${String(k)} is registered: set it by name`);
    m.set(k, v);
  }
  return m;
}

/** Read and type-check a decoded claims map. Throws CwtMalformedError. */
export function claimsFromMap(m: unknown): CwtClaims {
  if (!(m instanceof Map)) throw new CwtMalformedError('the CWT Claims Set must be a CBOR map');
  const out: Record<string, unknown> = {};
  const extra = new Map<number | string, unknown>();
  for (const [k, v] of m as Map<unknown, unknown>) {
    if (typeof k !== 'number' && typeof k !== 'string') throw new CwtMalformedError('claim keys must be integers or text');
    const name = (Object.keys(ClaimKey) as RegisteredClaim[]).find((n) => ClaimKey[n] === k);
    if (!name) { extra.set(k, v); continue; }
    if ((STRING_CLAIMS as readonly string[]).includes(name) && typeof v !== 'string') throw new CwtMalformedError(`claim ${name} must be a text string`);
    if ((TIME_CLAIMS as readonly string[]).includes(name) && !isTime(v)) throw new CwtMalformedError(`claim ${name} must be a NumericDate`);
    if (name === 'cti' && !(v instanceof Uint8Array)) throw new CwtMalformedError('claim cti must be a byte string');
    if (name === 'aud' && typeof v !== 'string' && !(Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string'))) throw new CwtMalformedError('claim aud must be a text string');
    out[name] = v;
  }
  return { ...(out as Omit<CwtClaims, 'extra'>), extra };
}
