/**
 * Errors of the trust-transfer protocol messages. Signature, time-window, issuer and audience
 * failures surface as the CWT / JWS errors of common/ (one code per reason); these cover what
 * is specific to the messages.
 */
import { HandoverError } from '../../common/errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** A message is well-signed CBOR but not the message it claims to be (shape, types, URIs, window). ERR_MESSAGE_INVALID. */
export class MessageInvalidError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_MESSAGE_INVALID', message, options); }
}

/** Why a device refuses a transfer token that verifies. */
export type TransferRefusal = 'wrong-device' | 'wrong-factory-certificate' | 'wrong-kind';

/** A verified transfer token is not for this device. ERR_TRANSFER_REFUSED; `details.reason` says why. */
export class TransferRefusedError extends HandoverError {
  readonly reason: TransferRefusal;
  constructor(reason: TransferRefusal, message: string, options?: ErrorOptions) {
    super('ERR_TRANSFER_REFUSED', message, { ...options, details: { ...options?.details, reason } });
    this.reason = reason;
  }
}

/** A transfer token was seen before: its counter is not above the device's, or its cti was used. ERR_TRANSFER_REPLAY. */
export class TransferReplayError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_TRANSFER_REPLAY', message, options); }
}
