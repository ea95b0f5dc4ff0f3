/**
 * Answers to requests queued for a sleeping device: the server answers "delayed" with a request
 * id at once and reports the device's answer later (REQUEST_RESPONSE). An adapter configured to
 * wait registers the id here and is settled when the event arrives; otherwise the caller gets
 * DeviceSleepingError and the request stays queued on the server.
 */
import { DeviceSleepingError } from './errors';

/** The device's answer to a delayed request: CoAP code, content node (opaque to this module). */
export interface DelayedAnswer<T> {
  readonly code: string;
  readonly value: T;
}

export class DelayedResponses<T> {
  private readonly waiting = new Map<string, (a: DelayedAnswer<T>) => void>();
  private readonly early = new Map<string, DelayedAnswer<T>>();

  constructor(private readonly waitMs: number) {}

  /** Wait for the answer to `requestId`, at most the configured time. */
  wait(ep: string, requestId: string): Promise<DelayedAnswer<T>> {
    if (this.waitMs <= 0) return Promise.reject(new DeviceSleepingError(ep, requestId));
    const got = this.early.get(requestId);
    if (got) { this.early.delete(requestId); return Promise.resolve(got); }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(requestId); reject(new DeviceSleepingError(ep, requestId)); }, this.waitMs);
      timer.unref?.();
      this.waiting.set(requestId, (a) => { clearTimeout(timer); this.waiting.delete(requestId); resolve(a); });
    });
  }

  /** An answer arrived (REQUEST_RESPONSE). */
  settle(requestId: string, answer: DelayedAnswer<T>): void {
    const w = this.waiting.get(requestId);
    if (w) { w(answer); return; }
    if (this.waitMs > 0) {
      // the event can race the "delayed" reply of the request itself: keep it briefly
      this.early.set(requestId, answer);
      setTimeout(() => this.early.delete(requestId), this.waitMs).unref?.();
    }
  }
}
