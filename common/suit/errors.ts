/**
 * The SUIT error family. A malformed envelope is a SuitInvalidError, an element this
 * implementation does not support is a SuitUnsupportedError (never silently ignored), a
 * well-formed envelope that a device refuses (signature, rollback, identity, digest) is a
 * SuitRefusedError carrying the refusal reason, and a payload that cannot be fetched is a
 * SuitFetchError carrying what went wrong with the transfer.
 */
import { HandoverError } from '../errors';

type Opts = { cause?: unknown; details?: Record<string, unknown> };

/** The bytes are not a valid SUIT envelope / manifest (draft-ietf-suit-manifest CDDL). */
export class SuitInvalidError extends HandoverError {
  constructor(message: string, options?: Opts) {
    super('ERR_SUIT_INVALID', message, options);
  }
}

/** A valid element this implementation does not support; the envelope is refused. */
export class SuitUnsupportedError extends HandoverError {
  constructor(message: string, options?: Opts) {
    super('ERR_SUIT_UNSUPPORTED', message, options);
  }
}

/** Why a recipient refused an envelope. */
export type SuitRefusal =
  | 'authentication' // no trusted signature, or the manifest digest does not hold
  | 'integrity' // a severable member in the envelope does not match its digest in the manifest
  | 'rollback' // sequence number below the installed one
  | 'vendor-id'
  | 'class-id'
  | 'device-id'
  | 'image-mismatch' // a component does not match its image digest
  | 'size-mismatch' // a fetched payload has not the announced size
  | 'condition' // another condition failed (abort, check-content, component slot, try-each exhausted)
  | 'component' // the manifest names a component the device does not have
  | 'missing' // a needed parameter, severed sequence or integrated payload is absent
  | 'storage'; // the device could not store or read a component

/** A well-formed, possibly authentic envelope refused by the recipient. */
export class SuitRefusedError extends HandoverError {
  readonly reason: SuitRefusal;

  constructor(reason: SuitRefusal, message: string, options?: Opts) {
    super('ERR_SUIT_REFUSED', message, { ...options, details: { reason, ...options?.details } });
    this.reason = reason;
  }
}

/** What went wrong fetching an envelope or payload. */
export type SuitFetchFailure = 'invalid-uri' | 'unsupported-protocol' | 'not-found' | 'connection-lost' | 'too-large';

/** A URI could not be fetched. */
export class SuitFetchError extends HandoverError {
  readonly failure: SuitFetchFailure;

  constructor(failure: SuitFetchFailure, message: string, options?: Opts) {
    super('ERR_SUIT_FETCH', message, { ...options, details: { failure, ...options?.details } });
    this.failure = failure;
  }
}
