/**
 * DtlsError: every DTLS failure (handshake refused, certificate rejected, retransmission limit,
 * bad options, addon not built) crosses the module boundary as this one HandoverError subclass
 * with code ERR_DTLS; `details.reason` says which kind, `message` carries OpenSSL's strings.
 */
import { HandoverError } from '../errors';

/** Which kind of DTLS failure; stable, for callers that need to tell them apart. */
export type DtlsFailure =
  | 'addon-missing'
  | 'bad-options'
  | 'handshake'
  | 'handshake-timeout'
  | 'psk-lookup'
  | 'no-session'
  | 'closed'
  | 'write';

export class DtlsError extends HandoverError {
  readonly reason: DtlsFailure;

  constructor(reason: DtlsFailure, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_DTLS', message, { cause: options?.cause, details: { reason, ...options?.details } });
    this.reason = reason;
  }
}
