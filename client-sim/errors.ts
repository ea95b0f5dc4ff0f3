/**
 * Errors of the simulated LwM2M client. OperationError carries the CoAP response code an
 * operation fails with (built by named factories, as Leshan's responses are); the request
 * handlers convert it, and the objects' PayloadError / UnsupportedFormatError, once into a
 * CoAP response. The other classes are the client's lifecycle failures.
 */
import { HandoverError, type ErrorCode } from '../common/errors';

/** An LwM2M operation refused by the client, with the CoAP code to answer. */
export class OperationError extends HandoverError {
  constructor(code: ErrorCode, readonly coapCode: string, message: string) {
    super(code, message, { details: { coapCode } });
  }

  /** 4.00: malformed request or payload. */
  static badRequest(message: string): OperationError {
    return new OperationError('ERR_INVALID_INPUT', '4.00', message);
  }
  /** 4.01: the caller may not access this (e.g. the Security object from a DM server). */
  static unauthorized(message: string): OperationError {
    return new OperationError('ERR_UNAUTHORIZED', '4.01', message);
  }
  /** 4.04: no such object, instance or resource. */
  static notFound(message: string): OperationError {
    return new OperationError('ERR_NOT_FOUND', '4.04', message);
  }
  /** 4.05: the model does not allow this operation here. */
  static notAllowed(message: string): OperationError {
    return new OperationError('ERR_NOT_ALLOWED', '4.05', message);
  }
  /** 4.06: the requested Accept format cannot be produced (also Bootstrap-Finish refused). */
  static notAcceptable(message: string): OperationError {
    return new OperationError('ERR_UNSUPPORTED_FORMAT', '4.06', message);
  }
  /** 4.15: the request payload's content format is not supported. */
  static unsupportedFormat(message: string): OperationError {
    return new OperationError('ERR_UNSUPPORTED_FORMAT', '4.15', message);
  }
  /** 5.00: a handler failed. */
  static internal(message: string): OperationError {
    return new OperationError('ERR_INTERNAL', '5.00', message);
  }
}

/** Registration with an LwM2M server failed (refused, timed out, malformed answer). */
export class RegistrationError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_REGISTRATION', message, options);
  }
}

/** Client-initiated bootstrap failed or the bootstrap configuration is unusable. */
export class BootstrapError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_BOOTSTRAP', message, options);
  }
}

/** The device state file cannot be read, parsed or written. */
export class StateFileError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_STATE_FILE', message, options);
  }
}
