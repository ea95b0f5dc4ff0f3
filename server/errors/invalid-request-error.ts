/**
 * A downlink request the server refuses before sending it: a content format the client did not
 * announce or no codec supports, a node that does not encode, a path the operation cannot take
 * (REST: 400 "Invalid request: …").
 */
import { HandoverError } from '../../common/errors';

export class InvalidRequestError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_INVALID_INPUT', message, options);
  }
}
