/** Errors of the provider roles: unknown transfer or device, conflicting state. */
import { HandoverError } from '../../common/errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** No such transfer at this provider. ERR_NOT_FOUND. */
export class UnknownTransferError extends HandoverError {
  constructor(readonly transferId: string, options?: ErrorOptions) {
    super('ERR_NOT_FOUND', `unknown transfer "${transferId}"`, { ...options, details: { ...options?.details, transferId } });
  }
}

/** The device is not part of that transfer (or not in this provider's fleet). ERR_NOT_FOUND. */
export class UnknownDeviceError extends HandoverError {
  constructor(readonly deviceId: string, where: string, options?: ErrorOptions) {
    super('ERR_NOT_FOUND', `device "${deviceId}" is not ${where}`, { ...options, details: { ...options?.details, deviceId } });
  }
}

/** The request contradicts what is recorded (another message under the same id, another certificate for an arrival). ERR_CONFLICT. */
export class TransferConflictError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CONFLICT', message, options);
  }
}
