/**
 * Errors of the PKI layer. Callers switch on `code`: ERR_CERT_INVALID (a certificate or CRL is
 * not well-formed DER), ERR_CSR_INVALID (a PKCS#10 request is malformed or its signature does
 * not verify), ERR_CHAIN_INVALID (path validation refused, with a `reason`), ERR_KEY_FILE (a
 * key file is unreadable, malformed or readable by group/other), ERR_PKCS11 (the token refused
 * or failed), ERR_PKI (a CA operation that cannot be done: unknown serial, existing CA dir...).
 */
import { HandoverError } from '../errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** A certificate (or CRL) that does not parse. */
export class CertificateInvalidError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CERT_INVALID', message, options);
  }
}

/** A PKCS#10 certificate request that does not parse, or whose signature does not verify. */
export class CsrInvalidError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CSR_INVALID', message, options);
  }
}

/** Why a certificate path was refused. */
export type ChainInvalidReason =
  | 'untrusted'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'bad-signature'
  | 'not-a-ca'
  | 'wrong-purpose'
  | 'malformed';

/** Path validation refused the certificate; `reason` says why (stable, switch on it). */
export class ChainInvalidError extends HandoverError {
  readonly reason: ChainInvalidReason;

  constructor(reason: ChainInvalidReason, message: string, options?: ErrorOptions) {
    super('ERR_CHAIN_INVALID', message, { ...options, details: { reason, ...options?.details } });
    this.reason = reason;
  }
}

/** A key file that cannot be used: missing, malformed, or not owner-only. */
export class KeyFileError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_KEY_FILE', message, options);
  }
}

/** The PKCS#11 module or token failed or refused (bad PIN, no such token or key...). */
export class Pkcs11Error extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_PKCS11', message, options);
  }
}

/** A CA operation that cannot be done (unknown serial, CA directory missing or already used). */
export class PkiError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_PKI', message, options);
  }
}
