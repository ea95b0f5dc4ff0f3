/** Codec errors: the server turns PayloadError into 4.00 and UnsupportedFormatError into 4.15. */
import { HandoverError } from '../common/errors';

/** A payload that does not decode, or a node that cannot be encoded, in a given content format. */
export class PayloadError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_PAYLOAD', message, options);
  }
}

/** A content format we do not support for this operation. */
export class UnsupportedFormatError extends HandoverError {
  constructor(readonly format: number, what = 'content format') {
    super('ERR_UNSUPPORTED_FORMAT', `Unsupported ${what} ${format}`);
  }
}
