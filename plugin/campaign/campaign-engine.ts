/**
 * CampaignEngine: CampaignControl plus the workers that run the steps.
 *
 * Queue layout (decided here): ONE BullMQ queue (`campaign`, under `<prefix>:bull`) for every
 * campaign, one job per device (id `<campaignId>__<deviceId>`). Reasons: workers need not
 * discover campaigns (a queue per campaign would need a worker per queue in every process), the
 * global rate limit is then simply BullMQ's Worker limiter, and pause/cancel are per campaign
 * anyway. The per-campaign rate limit is a GCRA schedule in Redis charged by the claim script:
 * a throttled job reserves a slot and is delayed until it (it does not poll the limiter, so a
 * 100 000-device campaign at 10/s costs one extra run per device). Both limits count job runs: a device's first step
 * and each run after a delay (poll, back-off, wake); `next` steps run on in the same job run.
 * Every engine sharing a prefix should use the same globalRatePerSecond (BullMQ applies the
 * limiter of the worker that fetches).
 *
 * Any number of engines in any number of processes share the work through Redis. Events are
 * local: 'device' for each transition made by this engine, 'progress' (throttled, per campaign)
 * after them; other processes poll `progress(id)`.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'bullmq';
import { CampaignControl, type DeviceJobData } from './campaign-control';
import { DeviceRunner } from './device-runner';
import { QUEUE_NAME } from './keys';
import { CampaignScripts } from './scripts';
import type { CampaignDefinition, CampaignInput, CampaignProgress, CampaignRecord, DeviceEvent } from './types';

export interface CampaignEngineOptions {
  redisUrl: string;
  keyPrefix: string;
  definition: CampaignDefinition;
  /** Steps run in parallel by this engine. Default 16. */
  concurrency?: number;
  /** Job runs per second over all campaigns, for the workers of this engine. Default: unlimited. */
  globalRatePerSecond?: number;
  /** Tries per step (1 = no retry) and the first back-off (doubling). Default { attempts: 3, backoffMs: 1000 }. */
  retry?: { attempts: number; backoffMs: number };
  /** Longest park before a parked step re-runs by itself. Default 24 h. */
  parkTimeoutMs?: number;
  /** How often a job held by a pause re-checks its campaign. Default 60 s. */
  holdRecheckMs?: number;
  /** BullMQ lock of a running job; a dead worker's job is recovered after this. Default 30 s. */
  lockDurationMs?: number;
  /** Period of the stalled-job check. Default 30 s. */
  stalledIntervalMs?: number;
  /** Stalls (worker deaths) a job survives before BullMQ fails it (the device then ends failed). Default 10. */
  maxStalledCount?: number;
  /** Minimum interval between 'progress' events of one campaign. Default 100 ms. */
  progressIntervalMs?: number;
  log?: (line: string) => void;
}

export interface CampaignEngineEvents {
  device: [DeviceEvent];
  progress: [CampaignProgress];
}

export class CampaignEngine extends EventEmitter<CampaignEngineEvents> {
  readonly control: CampaignControl;
  private readonly runner: DeviceRunner;
  private readonly scripts: CampaignScripts;
  private readonly log: (line: string) => void;
  private worker: Worker<DeviceJobData> | undefined;
  private readonly progressTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly opts: CampaignEngineOptions) {
    super();
    const { definition } = opts;
    if (!definition || !Object.hasOwn(definition.steps ?? {}, definition.firstStep)) {
      throw new TypeError(`campaign definition: firstStep "${definition?.firstStep}" is not one of its steps`);
    }
    const retry = opts.retry ?? { attempts: 3, backoffMs: 1000 };
    if (!(retry.attempts >= 1) || !(retry.backoffMs >= 0)) throw new TypeError('campaign engine: retry.attempts must be >= 1 and backoffMs >= 0');
    this.log = opts.log ?? (() => {});
    this.control = new CampaignControl({ redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix });
    this.scripts = new CampaignScripts(this.control.redis, this.control.store.keys);
    this.runner = new DeviceRunner({
      definition, control: this.control, scripts: this.scripts, retry,
      parkTimeoutMs: opts.parkTimeoutMs ?? 24 * 3600_000,
      holdRecheckMs: opts.holdRecheckMs ?? 60_000,
      onDevice: (ev) => this.onDevice(ev),
      log: this.log,
    });
  }

  create(input: CampaignInput): Promise<CampaignRecord> { return this.control.create(input); }
  get(id: string): Promise<CampaignRecord | undefined> { return this.control.get(id); }
  list(): Promise<CampaignRecord[]> { return this.control.list(); }
  start(id: string): Promise<void> { return this.control.start(id); }
  pause(id: string): Promise<void> { return this.control.pause(id); }
  resume(id: string): Promise<void> { return this.control.resume(id); }
  cancel(id: string): Promise<void> { return this.control.cancel(id); }
  wake(campaignId: string | undefined, deviceId: string): Promise<number> { return this.control.wake(campaignId, deviceId); }
  progress(id: string): Promise<CampaignProgress> { return this.control.progress(id); }

  /** Start this engine's workers (idempotent). */
  async startWorkers(): Promise<void> {
    if (this.worker) return;
    if (this.closed) throw new Error('campaign engine closed');
    const o = this.opts;
    const rate = o.globalRatePerSecond;
    // Spread the global limit over 100 ms windows so that a burst cannot take a whole second's quota.
    const limiter = rate && rate > 0 ? { max: Math.max(1, Math.round(rate / 10)), duration: Math.max(1, Math.round(1000 * Math.max(1, Math.round(rate / 10)) / rate)) } : undefined;
    const worker = new Worker<DeviceJobData>(
      QUEUE_NAME,
      (job, token, signal) => this.runner.process(job, token, signal),
      {
        connection: { url: o.redisUrl, maxRetriesPerRequest: null },
        prefix: this.control.store.keys.bullPrefix(),
        concurrency: o.concurrency ?? 16,
        limiter,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: o.stalledIntervalMs ?? 30_000,
        maxStalledCount: o.maxStalledCount ?? 10,
        removeOnComplete: { count: 0 },
        autorun: false,
      },
    );
    worker.on('error', (e) => this.log(`campaign worker: ${e.message}`));
    worker.on('failed', (job, err) => { if (job) void this.onJobFailed(job.data, job.attemptsMade, job.opts.attempts ?? 1, err); });
    this.worker = worker;
    void worker.run().catch((e: Error) => this.log(`campaign worker stopped: ${e.message}`));
    await worker.waitUntilReady();
  }

  /**
   * Stop the workers and close the connections. Graceful by default (running steps finish);
   * with `force` running steps are abandoned (their signal aborts) and their jobs are recovered
   * by any other engine once their lock expires, as after a crash.
   */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.progressTimers.values()) clearTimeout(t);
    this.progressTimers.clear();
    if (opts.force) this.runner.abortAll(new Error('campaign engine closed'));
    if (this.worker) await this.worker.close(opts.force ?? false);
    await this.control.close();
  }

  /** BullMQ gave up on a job (infrastructure errors or too many stalls): the device ends failed. */
  private async onJobFailed(data: DeviceJobData, attemptsMade: number, attempts: number, err: Error): Promise<void> {
    if (attemptsMade < attempts && !/stalled/i.test(err.message)) return;
    try {
      const r = await this.scripts.advance(data.campaignId, {
        deviceId: data.deviceId, run: '', kind: 'done', step: '', dataJson: '', finalState: 'failed', reason: `engine: ${err.message}`,
      });
      if (r.kind === 'final') this.onDevice({ campaignId: data.campaignId, deviceId: data.deviceId, state: 'failed', reason: `engine: ${err.message}` });
    } catch (e) {
      this.log(`campaign ${data.campaignId}: device ${data.deviceId}: could not record job failure: ${(e as Error).message}`);
    }
  }

  private onDevice(ev: DeviceEvent): void {
    this.emit('device', ev);
    if (this.closed || this.progressTimers.has(ev.campaignId)) return;
    const t = setTimeout(() => {
      this.progressTimers.delete(ev.campaignId);
      if (this.closed) return;
      this.control.progress(ev.campaignId).then((p) => this.emit('progress', p), () => {});
    }, this.opts.progressIntervalMs ?? 100);
    t.unref();
    this.progressTimers.set(ev.campaignId, t);
  }
}
