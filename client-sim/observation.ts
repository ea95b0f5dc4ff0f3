/**
 * One observation's notification timing (LwM2M 1.1 Core §5.1.2, RFC 7641): when a value may
 * have changed, sample it; notify when it differs from the last notification and passes the
 * gt / lt / st conditions, but never sooner than pmin after the previous notification; notify
 * anyway once pmax has elapsed; re-sample every epmax, and no more often than epmin. Sampling
 * and sending are hooks, so the logic runs without sockets (and under fake timers).
 */
import type { NotificationAttributes } from './attributes';

/** A notification-ready reading of the observed path. */
export interface Sample {
  readonly payload: Uint8Array;
  /** The value when the observed path is one numeric resource (for gt, lt, st). */
  readonly numeric?: number;
}

export interface ObservationHooks {
  /** Read and encode the observed path now; throws when it no longer exists. */
  sample(): Sample;
  /** Send a notification. */
  notify(sample: Sample): void;
  /** The path disappeared (sample threw): send the error and forget the observation. */
  failed(error: unknown): void;
  /** The attributes in force now (they may change through Write-Attributes). */
  attributes(): NotificationAttributes;
}

export class Observation {
  private last: Sample;
  private lastAt: number;
  private lastEvalAt: number;
  private pminTimer?: NodeJS.Timeout;
  private pmaxTimer?: NodeJS.Timeout;
  private epTimer?: NodeJS.Timeout;
  private epminTimer?: NodeJS.Timeout;
  private cancelled = false;

  /** `first` is what the Observe response carried. */
  constructor(private readonly hooks: ObservationHooks, first: Sample, private readonly now: () => number = Date.now) {
    this.last = first;
    this.lastAt = this.lastEvalAt = now();
    this.rearm();
  }

  get active(): boolean { return !this.cancelled; }

  /** A value at or below the observed path may have changed. */
  changed(): void {
    if (this.cancelled) return;
    const { epmin } = this.hooks.attributes();
    if (epmin !== undefined && epmin > 0) {
      const wait = this.lastEvalAt + epmin * 1000 - this.now();
      if (wait > 0) {
        this.epminTimer ??= setTimeout(() => { this.epminTimer = undefined; this.evaluate(); }, wait);
        return;
      }
    }
    this.evaluate();
  }

  /** Attributes changed: restart the pmax and epmax timers from the last notification. */
  rearm(): void {
    if (this.cancelled) return;
    const a = this.hooks.attributes();
    clearTimeout(this.pmaxTimer);
    this.pmaxTimer = undefined;
    if (a.pmax !== undefined && a.pmax > 0 && (a.pmin === undefined || a.pmax >= a.pmin)) {
      const wait = Math.max(0, this.lastAt + a.pmax * 1000 - this.now());
      this.pmaxTimer = setTimeout(() => { this.pmaxTimer = undefined; this.sendCurrent(); }, wait);
    }
    clearInterval(this.epTimer);
    this.epTimer = undefined;
    if (a.epmax !== undefined && a.epmax > 0 && (a.epmin === undefined || a.epmax >= a.epmin)) {
      this.epTimer = setInterval(() => this.evaluate(), a.epmax * 1000);
    }
  }

  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.pminTimer);
    clearTimeout(this.pmaxTimer);
    clearTimeout(this.epminTimer);
    clearInterval(this.epTimer);
  }

  private evaluate(): void {
    if (this.cancelled) return;
    this.lastEvalAt = this.now();
    const s = this.trySample();
    if (!s || samePayload(s, this.last)) return;
    const a = this.hooks.attributes();
    if (!passesThresholds(a, this.last.numeric, s.numeric)) return;
    const wait = this.lastAt + (a.pmin ?? 0) * 1000 - this.now();
    if (wait <= 0) { this.send(s); return; }
    this.pminTimer ??= setTimeout(() => {
      this.pminTimer = undefined;
      const again = this.trySample();
      if (again && !samePayload(again, this.last)) this.send(again);
    }, wait);
  }

  private sendCurrent(): void {
    const s = this.trySample();
    if (s) this.send(s);
  }

  private send(s: Sample): void {
    if (this.cancelled) return;
    clearTimeout(this.pminTimer);
    this.pminTimer = undefined;
    this.last = s;
    this.lastAt = this.now();
    this.hooks.notify(s);
    this.rearm();
  }

  private trySample(): Sample | undefined {
    try {
      return this.hooks.sample();
    } catch (e) {
      this.cancel();
      this.hooks.failed(e);
      return undefined;
    }
  }
}

/** gt / lt: the value crossed the threshold (either way); st: moved by at least st. No condition set: true. */
export function passesThresholds(a: NotificationAttributes, prev: number | undefined, cur: number | undefined): boolean {
  if (a.gt === undefined && a.lt === undefined && a.st === undefined) return true;
  if (prev === undefined || cur === undefined) return true;
  const crossed = (t: number | undefined) => t !== undefined && (prev > t) !== (cur > t);
  const stepped = a.st !== undefined && Math.abs(cur - prev) >= a.st;
  return crossed(a.gt) || crossed(a.lt) || stepped;
}

function samePayload(a: Sample, b: Sample): boolean {
  return Buffer.from(a.payload).equals(Buffer.from(b.payload));
}
