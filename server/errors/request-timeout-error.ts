/** A downlink request got no answer in time (REST: 504). */
import { HandoverError } from '../../common/errors';

export class RequestTimeoutError extends HandoverError {
  constructor(readonly endpoint: string, readonly timeoutMs: number, what: string) {
    super('ERR_TIMEOUT', `${what} to '${endpoint}' got no answer within ${timeoutMs} ms`, { details: { endpoint, timeoutMs } });
  }
}
