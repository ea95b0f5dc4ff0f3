/**
 * The default enroll step: EST-coaps (RFC 9148) with the CA at the enroll URI, through the
 * device's EstClient (client-sim/est) over DTLS in certificate mode, authenticated by the
 * factory certificate (simple enroll, /sen) or by the current operational certificate (simple
 * re-enroll, /sren); the EST server is checked against the Trust Store's enrollment-CA anchors.
 */
import { EstClient } from '../est/index';
import type { EnrollRequest } from './transfer-steps';

export interface DefaultEnrollOptions {
  /** Deadline of one EST exchange, ms. Default the EST client's. */
  readonly timeoutMs?: number;
}

/** How long closing the EST client may take before the step goes on without it, ms. */
const CLOSE_GRACE_MS = 2000;

/** Reject when `signal` aborts (the device stops mid-enrollment). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** An enroll step over a fresh EstClient per enrollment. */
export function defaultEnroll(opts: DefaultEnrollOptions = {}): (req: EnrollRequest) => Promise<Uint8Array> {
  return async (req) => {
    const client = new EstClient({ uri: req.enrollUri, certificate: req.credentials, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
    try {
      const issued = req.reenroll ? client.simpleReenroll(req.csr) : client.simpleEnroll(req.csr);
      return await Promise.race([issued, aborted(req.signal)]);
    } finally {
      // a client whose exchange timed out may not confirm its close: do not hang the device on it
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([client.close().catch(() => undefined), new Promise((r) => { timer = setTimeout(r, CLOSE_GRACE_MS); })]);
      clearTimeout(timer);
    }
  };
}
