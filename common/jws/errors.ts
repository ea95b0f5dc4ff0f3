/** Errors of the JWS layer: ERR_JWS_INVALID (malformed, unacceptable header or algorithm), ERR_JWS_SIGNATURE. */
import { HandoverError } from '../errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** Not a well-formed compact JWS, or its header/algorithm is refused. */
export class JwsInvalidError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_JWS_INVALID', message, options); }
}

/** The JWS signature does not verify with the key. */
export class JwsSignatureError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) { super('ERR_JWS_SIGNATURE', message, options); }
}
