/**
 * Errors of the device-management adapter, one per way a request to a device can fail. The
 * plugin (campaign steps) switches on them: not registered → wait or fail; asleep → park until
 * the device wakes; refused → permanent for that request; timeout → retry.
 */
import { HandoverError } from '../../common/errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** The endpoint has no registration. ERR_NOT_FOUND. */
export class DeviceNotRegisteredError extends HandoverError {
  constructor(readonly ep: string, options?: ErrorOptions) {
    super('ERR_NOT_FOUND', `device "${ep}" is not registered`, { ...options, details: { ...options?.details, ep } });
  }
}

/**
 * The device sleeps (LwM2M queue mode): the server queued the request and will send it when the
 * device wakes; its answer was not awaited. ERR_CLIENT_SLEEPING; `requestId` names the queued request.
 */
export class DeviceSleepingError extends HandoverError {
  constructor(readonly ep: string, readonly requestId: string, options?: ErrorOptions) {
    super('ERR_CLIENT_SLEEPING', `device "${ep}" is asleep: request ${requestId} is queued until it wakes`, { ...options, details: { ...options?.details, ep, requestId } });
  }
}

/** The device answered with an error code (e.g. 4.00, 4.04, 4.05). ERR_DEVICE_REFUSED; `coapCode`. */
export class DeviceRefusedError extends HandoverError {
  constructor(readonly ep: string, readonly coapCode: string, what: string, errorMessage?: string, options?: ErrorOptions) {
    super('ERR_DEVICE_REFUSED', `device "${ep}" refused ${what}: ${coapCode}${errorMessage ? ` (${errorMessage})` : ''}`, { ...options, details: { ...options?.details, ep, coapCode } });
  }
}

/** The device did not answer in time. ERR_TIMEOUT. */
export class DeviceTimeoutError extends HandoverError {
  constructor(readonly ep: string, what: string, options?: ErrorOptions) {
    super('ERR_TIMEOUT', `device "${ep}" did not answer ${what} in time`, { ...options, details: { ...options?.details, ep } });
  }
}

/** The DM server itself failed or answered something unexpected (HTTP error, bad JSON). ERR_DM_ADAPTER. */
export class AdapterError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_DM_ADAPTER', message, options);
  }
}
