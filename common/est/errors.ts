/**
 * Errors of EST-coaps: a malformed EST payload (EstPayloadError, CoAP 4.00 / CLI exit 1), a
 * failed EST exchange as the client sees it (EstError, carrying the CoAP response code), and
 * an enrollment the CA's policy refuses (EnrollmentRefusedError, CoAP 4.03 with the reason as
 * diagnostic payload "<reason>: <text>").
 */
import { HandoverError } from '../errors';

/** A payload that is not the EST structure its Content-Format (or its bytes) claim. */
export class EstPayloadError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_PAYLOAD', message, options);
  }
}

/** An EST-coaps request that did not succeed: `coapCode` is the response code ("4.15"), or undefined for transport failures. */
export class EstError extends HandoverError {
  readonly coapCode: string | undefined;
  constructor(message: string, coapCode?: string, options?: { cause?: unknown }) {
    super('ERR_EST', message, { cause: options?.cause, details: coapCode === undefined ? undefined : { coapCode } });
    this.coapCode = coapCode;
  }
}

/** Why an enrollment was refused. */
export type EnrollmentRefusalReason =
  | 'not-listed'            // the factory certificate is on no transfer list
  | 'already-enrolled'      // this device already enrolled in this transfer
  | 'no-valid-certificate'  // /sren without a current operational certificate of this CA
  | 'revoked'               // the operational certificate presented is revoked
  | 'subject-mismatch'      // the CSR names another device / subject than the authenticated one
  | 'no-identity';          // no authenticated client certificate

const REASONS: ReadonlySet<string> = new Set([
  'not-listed', 'already-enrolled', 'no-valid-certificate', 'revoked', 'subject-mismatch', 'no-identity',
]);

export function isEnrollmentRefusalReason(s: string): s is EnrollmentRefusalReason {
  return REASONS.has(s);
}

/** The CA's enrollment policy refused the request. */
export class EnrollmentRefusedError extends HandoverError {
  readonly reason: EnrollmentRefusalReason;
  constructor(reason: EnrollmentRefusalReason, message?: string) {
    super('ERR_ENROLL_REFUSED', message ?? `enrollment refused: ${reason}`, { details: { reason } });
    this.reason = reason;
  }
}
