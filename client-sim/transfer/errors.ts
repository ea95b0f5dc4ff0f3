/**
 * Failures of one step of the device's transfer (attest, update, enroll, join): the Result Code
 * the device reports and whether trying again may help. The agent retries transient failures
 * a bounded number of times with back-off; a permanent one sends the device to the fallback URI.
 */
import { HandoverError, isHandoverError } from '../../common/errors';
import { TransferResult } from './transfer-codes';

export class TransferStepError extends HandoverError {
  constructor(
    readonly result: TransferResult,
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super('ERR_TRANSFER_STEP', message, { ...options, details: { result, transient } });
  }
}

/** Codes of failures that another try may cure: timeouts, lost transfers, a busy server. */
const TRANSIENT_CODES = new Set(['ERR_TIMEOUT', 'ERR_DTLS', 'ERR_REGISTRATION', 'ERR_BOOTSTRAP']);

/**
 * Classify a failure of a step. A TransferStepError says it itself; otherwise timeouts, DTLS
 * and registration failures, CoAP 5.xx answers, lost downloads and an unreachable RA server are
 * transient, everything else (refusals, integrity failures, malformed answers) permanent.
 */
export function asStepError(e: unknown, result: TransferResult, what: string): TransferStepError {
  if (e instanceof TransferStepError) return e;
  const message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  if (!isHandoverError(e)) return new TransferStepError(result, message, false, { cause: e });
  const coapCode = e.details?.coapCode ?? e.details?.code;
  const failure = e.details?.failure ?? (e as { failure?: unknown }).failure;
  const transient = TRANSIENT_CODES.has(e.code)
    || (typeof coapCode === 'string' && coapCode.startsWith('5.'))
    || (e.code === 'ERR_EST' && coapCode === undefined) // no answer: lost, or the server is down
    || (e.code === 'ERR_SUIT_FETCH' && failure === 'connection-lost')
    || (e.code === 'ERR_FIRMWARE_UPDATE' && e.details?.result === 4 /* connection lost */)
    || ((e.code as string) === 'ERR_ATTESTATION' && e.details?.reason === 'transport');
  return new TransferStepError(result, message, transient, { cause: e });
}
