/**
 * Why a CWT is refused: one class and one stable code per reason, all under CwtError so callers
 * can catch the family with instanceof and switch on `code` for the reason.
 */
import { type ErrorCode, HandoverError } from '../errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** Base of every CWT refusal. */
export class CwtError extends HandoverError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Not a CWT: bad CBOR, bad COSE structure, claims not a map, a claim of the wrong type. ERR_CWT_INVALID. */
export class CwtMalformedError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_INVALID', message, options); }
}

/** The signature, MAC or decryption does not verify with the key, or the algorithm is refused. ERR_CWT_SIGNATURE. */
export class CwtSignatureError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_SIGNATURE', message, options); }
}

/** `exp` is past (beyond the clock skew). ERR_CWT_EXPIRED. */
export class CwtExpiredError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_EXPIRED', message, options); }
}

/** `nbf` is in the future (beyond the clock skew). ERR_CWT_NOT_YET_VALID. */
export class CwtNotYetValidError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_NOT_YET_VALID', message, options); }
}

/** `aud` does not name the expected audience. ERR_CWT_AUDIENCE. */
export class CwtAudienceError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_AUDIENCE', message, options); }
}

/** `iss` is not the expected issuer. ERR_CWT_ISSUER. */
export class CwtIssuerError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_ISSUER', message, options); }
}

/** A claim the verifier requires is absent. ERR_CWT_MISSING_CLAIM. */
export class CwtMissingClaimError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_MISSING_CLAIM', message, options); }
}

/** A claim is present and well-typed but has a value the application refuses (e.g. wrong subject). ERR_CWT_CLAIM. */
export class CwtClaimError extends CwtError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_CWT_CLAIM', message, options); }
}
