/** send() to an endpoint that has no registration (REST: 400 "No registered client with id 'x'"). */
import { HandoverError } from '../../common/errors';

export class ClientNotRegisteredError extends HandoverError {
  constructor(readonly endpoint: string) {
    super('ERR_NOT_FOUND', `No registered client with id '${endpoint}'`, { details: { endpoint } });
  }
}
