/**
 * DeviceRunner: what a worker does with one device job. It claims the device (a Lua script that
 * checks cancel/pause/rate and hands out a fencing run number), runs steps from the recorded one,
 * and records each outcome atomically before acting on it. A worker that dies mid-step leaves the
 * device `active` at its step: BullMQ's stalled-job check re-queues the job and the next claim
 * re-runs that step (handlers must tolerate a re-run). A superseded run can record nothing.
 *
 * Delays (polling, back-off, park, pause hold, throttling) are `job.moveToDelayed(ts, token)` +
 * DelayedError, capped at the campaign's not-after time so a job wakes to close its window.
 */
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CampaignControl, DeviceJobData } from './campaign-control';
import type { CampaignStore } from './campaign-store';
import { StepOutcomeError, WindowClosedError } from './errors';
import type { AdvanceKind, CampaignScripts } from './scripts';
import type { CampaignDefinition, CampaignRecord, DeviceEvent, DeviceOutcome, StepContext, StepOutcome } from './types';

export interface DeviceRunnerOptions {
  definition: CampaignDefinition;
  control: CampaignControl;
  scripts: CampaignScripts;
  retry: { attempts: number; backoffMs: number };
  /** Longest park before the step re-runs by itself. */
  parkTimeoutMs: number;
  /** How often a job held by a pause re-checks the campaign (resume also promotes it at once). */
  holdRecheckMs: number;
  onDevice: (ev: DeviceEvent) => void;
  log: (line: string) => void;
}

/** What to record for a step run. */
interface Decision {
  kind: AdvanceKind;
  step: string;
  attempt: number;
  delayMs?: number;
  finalState?: DeviceOutcome;
  reason?: string;
}

const OUTCOMES: readonly string[] = ['transferred', 'fellBack', 'failed', 'cancelled'];
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeviceRunner {
  private readonly running = new Set<AbortController>();
  private readonly store: CampaignStore;
  private readonly redis: Redis;

  constructor(private readonly o: DeviceRunnerOptions) {
    this.store = o.control.store;
    this.redis = o.control.redis;
  }

  /** Abort the signal of every running step (engine closing with force). */
  abortAll(reason: Error): void {
    for (const c of this.running) c.abort(reason);
  }

  /** The BullMQ processor. Resolves with the device's final state, or throws DelayedError. */
  async process(job: Job<DeviceJobData>, token: string | undefined, bullSignal?: AbortSignal): Promise<{ state: string }> {
    const { campaignId, deviceId } = job.data;
    const tok = token ?? '';
    const def = this.o.definition;
    const claim = await this.o.scripts.claim(campaignId, deviceId, def.firstStep);
    switch (claim.kind) {
      case 'gone': return { state: 'gone' };
      case 'final': return { state: claim.state };
      case 'cancelled':
        this.o.onDevice({ campaignId, deviceId, state: 'cancelled', reason: 'cancelled' });
        return { state: 'cancelled' };
      case 'held':
        this.o.onDevice({ campaignId, deviceId, state: 'paused' });
        return this.hold(job, tok);
      case 'throttled':
        await job.moveToDelayed(Date.now() + claim.waitMs, tok); // its reserved slot
        throw new DelayedError();
      case 'run': break;
    }
    const campaign = await this.store.get(campaignId);
    if (!campaign) return { state: 'gone' };
    const stored = claim.dataJson ? (JSON.parse(claim.dataJson) as { attempt?: number; data?: Record<string, unknown> }) : {};
    let step = claim.step;
    let attempt = stored.attempt && stored.attempt > 0 ? stored.attempt : 1;
    const data = stored.data ?? {};
    let wakes = claim.wakes;
    this.o.onDevice({ campaignId, deviceId, state: 'active', step });

    const controller = new AbortController();
    this.running.add(controller);
    const signal = bullSignal ? AbortSignal.any([controller.signal, bullSignal]) : controller.signal;
    const untilClose = campaign.notAfter === undefined ? undefined : Math.max(0, campaign.notAfter - Date.now());
    // (Node timers cannot exceed ~24.8 days; a step running that long is not worth a timer.)
    const windowTimer = untilClose !== undefined && untilClose <= MAX_TIMER_MS
      ? setTimeout(() => controller.abort(new WindowClosedError(campaignId, campaign.notAfter!)), untilClose)
      : undefined;
    windowTimer?.unref();
    try {
      for (;;) {
        const ctx: StepContext = { campaignId, deviceId, step, attempt, data, campaign, signal };
        const d = this.pastWindow(campaign) ? await this.windowClosed(ctx) : await this.runStep(ctx);
        let dataJson: string;
        try {
          dataJson = JSON.stringify({ attempt: d.attempt, data });
        } catch (e) {
          dataJson = JSON.stringify({ attempt: d.attempt, data: {} });
          Object.assign(d, { kind: 'done', finalState: 'failed', reason: `step data is not JSON: ${(e as Error).message}` });
        }
        const r = await this.o.scripts.advance(campaignId, {
          deviceId, run: claim.run, kind: d.kind, step: d.step, dataJson, finalState: d.finalState, wakes, reason: d.reason,
        });
        switch (r.kind) {
          case 'stale':
            this.o.log(`campaign ${campaignId}: device ${deviceId}: run ${claim.run} superseded, outcome of step "${step}" dropped`);
            return { state: 'stale' };
          case 'final':
            this.o.onDevice({ campaignId, deviceId, state: r.state, step: d.step, reason: r.state === d.finalState ? d.reason : 'cancelled' });
            return { state: r.state };
          case 'held':
            this.o.onDevice({ campaignId, deviceId, state: 'paused', step: d.step });
            return await this.hold(job, tok);
          case 'continue':
            step = d.step; attempt = d.attempt;
            this.o.onDevice({ campaignId, deviceId, state: 'active', step });
            continue;
          case 'woken':
            wakes = r.wakes; attempt = d.attempt;
            continue;
          case 'delay': {
            this.o.onDevice({ campaignId, deviceId, state: d.kind === 'retry' ? 'retrying' : 'waiting', step: d.step, reason: d.reason });
            await job.moveToDelayed(Date.now() + this.capToWindow(campaign, d.delayMs ?? 0), tok);
            throw new DelayedError();
          }
          case 'parked': {
            this.o.onDevice({ campaignId, deviceId, state: 'parked', step: d.step });
            await job.moveToDelayed(Date.now() + this.capToWindow(campaign, this.o.parkTimeoutMs), tok);
            // A wake that came while we were parking could not promote a job that was still active.
            if (((await this.redis.hget(this.store.keys.wakes(), deviceId)) ?? '0') !== wakes) {
              await this.o.control.promote(campaignId, deviceId);
            }
            throw new DelayedError();
          }
        }
      }
    } finally {
      if (windowTimer) clearTimeout(windowTimer);
      this.running.delete(controller);
    }
  }

  /** Run the step; a thrown error becomes a retry, then the final-failure outcome. */
  private async runStep(ctx: StepContext): Promise<Decision> {
    const def = this.o.definition;
    try {
      const handler = Object.hasOwn(def.steps, ctx.step) ? def.steps[ctx.step] : undefined;
      if (!handler) throw new StepOutcomeError(`unknown step "${ctx.step}"`);
      return this.fromOutcome(checkOutcome(await handler(ctx), def), ctx);
    } catch (err) {
      const e = toError(err);
      if (this.pastWindow(ctx.campaign)) return this.windowClosed(ctx);
      if (!(e instanceof StepOutcomeError) && ctx.attempt < this.o.retry.attempts) {
        return { kind: 'retry', step: ctx.step, attempt: ctx.attempt + 1, delayMs: this.o.retry.backoffMs * 2 ** (ctx.attempt - 1), reason: e.message };
      }
      this.o.log(`campaign ${ctx.campaignId}: device ${ctx.deviceId}: step "${ctx.step}" failed after ${ctx.attempt} attempt(s): ${e.message}`);
      if (!def.onFinalFailure) return { kind: 'done', step: ctx.step, attempt: ctx.attempt, finalState: 'failed', reason: e.message };
      try {
        return this.fromOutcome(checkOutcome(await def.onFinalFailure(ctx, e), def), ctx);
      } catch (e2) {
        this.o.log(`campaign ${ctx.campaignId}: device ${ctx.deviceId}: onFinalFailure failed: ${toError(e2).message}`);
        return { kind: 'done', step: ctx.step, attempt: ctx.attempt, finalState: 'failed', reason: e.message };
      }
    }
  }

  /** The not-after time has passed: onFinalFailure may choose the final state, nothing else. */
  private async windowClosed(ctx: StepContext): Promise<Decision> {
    const failed: Decision = { kind: 'done', step: ctx.step, attempt: ctx.attempt, finalState: 'failed', reason: 'window-closed' };
    const hook = this.o.definition.onFinalFailure;
    if (!hook) return failed;
    try {
      const o = checkOutcome(await hook(ctx, new WindowClosedError(ctx.campaignId, ctx.campaign.notAfter ?? Date.now())), this.o.definition);
      if ('done' in o) return { ...failed, finalState: o.done, reason: o.reason ?? 'window-closed' };
    } catch (e) {
      this.o.log(`campaign ${ctx.campaignId}: device ${ctx.deviceId}: onFinalFailure failed: ${toError(e).message}`);
    }
    return failed;
  }

  private fromOutcome(o: StepOutcome, ctx: StepContext): Decision {
    if ('done' in o) return { kind: 'done', step: ctx.step, attempt: ctx.attempt, finalState: o.done, reason: o.reason };
    if ('park' in o) return { kind: 'park', step: ctx.step, attempt: 1 };
    if ('wait' in o) return { kind: 'wait', step: o.next ?? ctx.step, attempt: 1, delayMs: o.wait };
    return { kind: 'next', step: o.next, attempt: 1 };
  }

  /** Hold a job while its campaign is paused; re-check after parking it in case resume came meanwhile. */
  private async hold(job: Job<DeviceJobData>, token: string): Promise<never> {
    const { campaignId, deviceId } = job.data;
    await job.moveToDelayed(Date.now() + this.o.holdRecheckMs, token);
    const rec = await this.store.get(campaignId);
    if (rec && rec.state !== 'paused' && rec.state !== 'created') await this.o.control.promote(campaignId, deviceId);
    throw new DelayedError();
  }

  private pastWindow(c: CampaignRecord): boolean {
    return c.notAfter !== undefined && Date.now() >= c.notAfter;
  }

  private capToWindow(c: CampaignRecord, ms: number): number {
    return c.notAfter === undefined ? ms : Math.max(0, Math.min(ms, c.notAfter - Date.now()));
  }
}

/** Check that a handler returned a well-formed StepOutcome naming known steps. */
function checkOutcome(o: unknown, def: CampaignDefinition): StepOutcome {
  const known = (s: unknown) => typeof s === 'string' && Object.hasOwn(def.steps, s);
  if (o && typeof o === 'object') {
    const v = o as Record<string, unknown>;
    if ('done' in v) {
      if (typeof v.done === 'string' && OUTCOMES.includes(v.done) && (v.reason === undefined || typeof v.reason === 'string')) return o as StepOutcome;
    } else if ('park' in v) {
      if (v.park === 'awake') return o as StepOutcome;
    } else if ('wait' in v) {
      if (typeof v.wait === 'number' && Number.isFinite(v.wait) && v.wait >= 0 && (v.next === undefined || known(v.next))) return o as StepOutcome;
    } else if ('next' in v) {
      if (known(v.next)) return o as StepOutcome;
    }
  }
  throw new StepOutcomeError(`invalid step outcome ${safeJson(o)}`);
}

function safeJson(v: unknown): string {
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
