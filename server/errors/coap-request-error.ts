/**
 * An uplink request (Register, Update, Send, Bootstrap-Request…) the server answers with a CoAP
 * error code. Thrown by the pure handlers, turned into the CoAP answer once, at the transport.
 */
import { HandoverError, type ErrorCode } from '../../common/errors';

export class CoapRequestError extends HandoverError {
  constructor(readonly coapCode: string, message: string, code: ErrorCode = 'ERR_REGISTRATION') {
    super(code, message, { details: { coapCode } });
  }

  static badRequest(message: string): CoapRequestError { return new CoapRequestError('4.00', message); }
  static forbidden(message: string): CoapRequestError { return new CoapRequestError('4.03', message, 'ERR_NOT_ALLOWED'); }
  static notFound(message: string): CoapRequestError { return new CoapRequestError('4.04', message, 'ERR_NOT_FOUND'); }
  static preconditionFailed(message: string): CoapRequestError { return new CoapRequestError('4.12', message); }
  static unsupportedFormat(message: string): CoapRequestError { return new CoapRequestError('4.15', message, 'ERR_UNSUPPORTED_FORMAT'); }
}
