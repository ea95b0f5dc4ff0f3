/**
 * The one error base of Handover. Every failure that crosses a module boundary is a
 * HandoverError with a stable string `code`; callers switch on `code` (or use instanceof on
 * the small subclasses), never on message text. Each boundary converts once: the CoAP layer to
 * a response code, the HTTP API to a status, the CLI to an exit code.
 */

/** Stable error codes. Add new ones here, never reuse or rename. */
export type ErrorCode =
  | 'ERR_INVALID_INPUT'
  | 'ERR_USAGE'
  | 'ERR_PAYLOAD'
  | 'ERR_UNSUPPORTED_FORMAT'
  | 'ERR_NOT_FOUND'
  | 'ERR_NOT_ALLOWED'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_TIMEOUT'
  | 'ERR_CLIENT_SLEEPING'
  | 'ERR_COSE_INVALID'
  | 'ERR_COSE_SIGNATURE'
  | 'ERR_CWT_INVALID'
  | 'ERR_CWT_EXPIRED'
  | 'ERR_CWT_NOT_YET_VALID'
  | 'ERR_CWT_CLAIM'
  | 'ERR_JWS_INVALID'
  | 'ERR_PKI'
  | 'ERR_CERT_INVALID'
  | 'ERR_CSR_INVALID'
  | 'ERR_EST'
  | 'ERR_ENROLL_REFUSED'
  | 'ERR_SUIT_INVALID'
  | 'ERR_SUIT_UNSUPPORTED'
  | 'ERR_SUIT_REFUSED'
  | 'ERR_DTLS'
  | 'ERR_TRANSFER_REFUSED'
  | 'ERR_CAMPAIGN'
  | 'ERR_REDIS'
  | 'ERR_INTERNAL'
  | 'ERR_REGISTRATION'
  | 'ERR_BOOTSTRAP'
  | 'ERR_STATE_FILE'
  | 'ERR_FIRMWARE_UPDATE'
  | 'ERR_SUIT_FETCH'
  | 'ERR_COSE_ALG'
  | 'ERR_COSE_DECRYPT'
  | 'ERR_CWT_AUDIENCE'
  | 'ERR_CWT_ISSUER'
  | 'ERR_CWT_MISSING_CLAIM'
  | 'ERR_CWT_SIGNATURE'
  | 'ERR_JWS_SIGNATURE'
  | 'ERR_MESSAGE_INVALID'
  | 'ERR_TRANSFER_REPLAY'
  | 'ERR_CHAIN_INVALID'
  | 'ERR_KEY_FILE'
  | 'ERR_PKCS11'
  | 'ERR_TRANSFER_STEP'
  | 'ERR_ATTESTATION'
  | 'ERR_CONFLICT'
  | 'ERR_PROVIDER_API'
  | 'ERR_DEVICE_REFUSED'
  | 'ERR_DM_ADAPTER'
  | 'ERR_CONFIG';

/** Base of every Handover error. `details` carries machine-readable context. */
export class HandoverError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

/** Bad input from outside: a malformed file, argument, payload. CLI exit 1, HTTP 400, CoAP 4.00. */
export class InvalidInputError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_INVALID_INPUT', message, options);
  }
}

/** Wrong command-line usage. CLI exit 2. */
export class UsageError extends HandoverError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/** True when `e` is a HandoverError (optionally of the given code). */
export function isHandoverError(e: unknown, code?: ErrorCode): e is HandoverError {
  return e instanceof HandoverError && (code === undefined || e.code === code);
}
