/**
 * Validation of a CWT Claims Set against the verifier's expectations (RFC 8392 §7.2 step 9 and
 * the JWT rules it borrows): required claims, issuer, audience, expiry and not-before with a
 * clock skew. Pure: the current time is an input. Each refusal has its own error class.
 */
import type { CwtClaims, RegisteredClaim } from './claims';
import { ClaimKey } from './claims';
import { CwtAudienceError, CwtExpiredError, CwtIssuerError, CwtMissingClaimError, CwtNotYetValidError } from './errors';

export interface CwtValidationOptions {
  /** Current time in seconds since the epoch, or a Date. Default: the system clock. */
  readonly now?: number | Date;
  /** Tolerated clock difference in seconds, both ways. Default 60. */
  readonly clockSkew?: number;
  /** The audience this verifier is; the token's aud must be it (or contain it). Unset: aud not checked. */
  readonly audience?: string;
  /** Accepted issuers. Unset: iss not checked. */
  readonly issuer?: string | readonly string[];
  /** Claims that must be present: registered names or claim keys. Default none. */
  readonly requiredClaims?: readonly (RegisteredClaim | number | string)[];
}

/** Default clock skew, in seconds. */
export const DEFAULT_CLOCK_SKEW = 60;

function nowSeconds(now?: number | Date): number {
  if (now === undefined) return Date.now() / 1000;
  return now instanceof Date ? now.getTime() / 1000 : now;
}

function has(claims: CwtClaims, c: RegisteredClaim | number | string): boolean {
  if (typeof c === 'string' && c in ClaimKey) return claims[c as RegisteredClaim] !== undefined;
  const reg = (Object.keys(ClaimKey) as RegisteredClaim[]).find((n) => ClaimKey[n] === c);
  if (reg) return claims[reg] !== undefined;
  return claims.extra?.has(c) ?? false;
}

/** Throw the error for the first reason `claims` is refused; return normally when acceptable. */
export function validateCwtClaims(claims: CwtClaims, opts: CwtValidationOptions = {}): void {
  for (const c of opts.requiredClaims ?? []) {
    if (!has(claims, c)) throw new CwtMissingClaimError(`the CWT lacks the required claim ${String(c)}`, { details: { claim: c } });
  }
  if (opts.issuer !== undefined) {
    const accepted = typeof opts.issuer === 'string' ? [opts.issuer] : opts.issuer;
    if (claims.iss === undefined) throw new CwtMissingClaimError('the CWT has no iss claim', { details: { claim: 'iss' } });
    if (!accepted.includes(claims.iss)) throw new CwtIssuerError(`the CWT issuer "${claims.iss}" is not accepted`, { details: { iss: claims.iss } });
  }
  if (opts.audience !== undefined) {
    if (claims.aud === undefined) throw new CwtMissingClaimError('the CWT has no aud claim', { details: { claim: 'aud' } });
    const auds = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!auds.includes(opts.audience)) throw new CwtAudienceError(`the CWT is for "${auds.join(', ')}", not "${opts.audience}"`, { details: { aud: claims.aud } });
  }
  const now = nowSeconds(opts.now);
  const skew = opts.clockSkew ?? DEFAULT_CLOCK_SKEW;
  if (claims.exp !== undefined && now >= claims.exp + skew) {
    throw new CwtExpiredError(`the CWT expired at ${new Date(claims.exp * 1000).toISOString()}`, { details: { exp: claims.exp, now } });
  }
  if (claims.nbf !== undefined && now < claims.nbf - skew) {
    throw new CwtNotYetValidError(`the CWT is not valid before ${new Date(claims.nbf * 1000).toISOString()}`, { details: { nbf: claims.nbf, now } });
  }
}
