/**
 * CampaignControl: create, start, pause, resume, cancel and wake campaigns, from any process
 * (the CLI has no steps, so it uses this alone; CampaignEngine adds the workers). It talks to
 * Redis directly: the CampaignStore records and the BullMQ queue holding one job per device.
 *
 * - start: the campaign becomes `running` and every `pending` device gets its job (delayed
 *   until not-before). Idempotent: jobs are deduplicated by id, so a start interrupted by a
 *   crash is finished by starting again.
 * - pause: recorded in the campaign; workers hold each job at its next run or step boundary.
 *   resume: recorded, then every held job is promoted (a held job also re-checks by itself).
 * - cancel: recorded; every device not running a step is cancelled at once and its job removed;
 *   a running step ends, then its device is cancelled (unless that step finished it).
 * - wake: bumps the device's wake counter and promotes its parked jobs.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { CampaignNotFoundError, CampaignStateError } from './errors';
import { CampaignStore } from './campaign-store';
import { jobIdFor, QUEUE_NAME } from './keys';
import { CampaignScripts } from './scripts';
import type { CampaignInput, CampaignProgress, CampaignRecord } from './types';

/** Data of a device's BullMQ job. */
export interface DeviceJobData {
  campaignId: string;
  deviceId: string;
}

export interface CampaignControlOptions {
  redisUrl: string;
  /** Key prefix of every campaign key (and of BullMQ's, under `<prefix>:bull`). */
  keyPrefix: string;
}

export class CampaignControl {
  readonly store: CampaignStore;
  readonly redis: Redis;
  private readonly scripts: CampaignScripts;
  private bullQueue: Queue<DeviceJobData> | undefined;

  constructor(private readonly opts: CampaignControlOptions) {
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => { /* ioredis reconnects by itself; commands report their own errors */ });
    this.store = new CampaignStore(this.redis, opts.keyPrefix);
    this.scripts = new CampaignScripts(this.redis, this.store.keys);
  }

  /** The BullMQ queue of device jobs (opened on first use: reading a campaign does not need it). */
  get queue(): Queue<DeviceJobData> {
    if (!this.bullQueue) {
      this.bullQueue = new Queue<DeviceJobData>(QUEUE_NAME, {
        connection: { url: this.opts.redisUrl, maxRetriesPerRequest: null },
        prefix: this.store.keys.bullPrefix(),
      });
      this.bullQueue.on('error', () => { /* reconnects by itself; operations report their own errors */ });
    }
    return this.bullQueue;
  }

  create(input: CampaignInput): Promise<CampaignRecord> {
    return this.store.create(input);
  }

  get(id: string): Promise<CampaignRecord | undefined> { return this.store.get(id); }
  list(): Promise<CampaignRecord[]> { return this.store.list(); }
  progress(id: string): Promise<CampaignProgress> { return this.store.progress(id); }

  /** Start (or finish starting) a campaign: one job per pending device. */
  async start(id: string): Promise<void> {
    await this.changeState(id, 'start');
    const rec = await this.store.require(id);
    const delay = Math.max(0, (rec.notBefore ?? 0) - Date.now());
    for await (const chunk of this.store.deviceIdChunks(id)) {
      const jobs = chunk.filter((d) => d.state === 'pending').map((d) => ({
        name: 'device',
        data: { campaignId: id, deviceId: d.id },
        opts: {
          jobId: jobIdFor(id, d.id), delay,
          // Our own steps never fail a job; these attempts cover infrastructure errors (Redis
          // unreachable mid-run): the job simply runs again from the recorded step.
          attempts: 5, backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true, removeOnFail: { count: 1000 },
        },
      }));
      if (jobs.length) await this.queue.addBulk(jobs);
    }
  }

  async pause(id: string): Promise<void> {
    await this.changeState(id, 'pause');
  }

  async resume(id: string): Promise<void> {
    await this.changeState(id, 'resume');
    let cursor = '0';
    do {
      const [next, members] = await this.redis.sscan(this.store.keys.held(id), cursor, 'COUNT', 500);
      cursor = next;
      await Promise.all(members.map((dev) => this.promote(id, dev)));
    } while (cursor !== '0');
  }

  async cancel(id: string): Promise<void> {
    await this.changeState(id, 'cancel');
    for await (const chunk of this.store.deviceIdChunks(id)) {
      const cancelled = await this.scripts.cancelDevices(id, chunk.map((d) => d.id));
      await Promise.all(cancelled.map((dev) => this.queue.remove(jobIdFor(id, dev)).catch(() => 0)));
    }
  }

  /**
   * The device is awake (e.g. it sent a registration update): re-run the parked step of its job
   * in `campaignId`, or in every campaign where it is parked. Returns how many jobs were promoted.
   */
  async wake(campaignId: string | undefined, deviceId: string): Promise<number> {
    const k = this.store.keys;
    await this.redis.hincrby(k.wakes(), deviceId, 1);
    let campaigns: string[];
    if (campaignId !== undefined) campaigns = [campaignId];
    else campaigns = ((await this.redis.hget(k.parkedIn(), deviceId)) ?? '').split(' ').filter(Boolean);
    let promoted = 0;
    for (const c of campaigns) {
      if (await this.redis.sismember(k.parked(c), deviceId)) promoted += (await this.promote(c, deviceId)) ? 1 : 0;
    }
    return promoted;
  }

  /** Move a delayed device job to run now; false when it is not delayed (running, gone). */
  async promote(campaignId: string, deviceId: string): Promise<boolean> {
    try {
      const job = await this.queue.getJob(jobIdFor(campaignId, deviceId));
      if (!job) return false;
      await job.promote();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.bullQueue) await this.bullQueue.close();
    this.redis.disconnect();
  }

  private async changeState(id: string, op: 'start' | 'pause' | 'resume' | 'cancel'): Promise<void> {
    const r = await this.scripts.setCampaignState(id, op);
    if (r.result === 'missing') throw new CampaignNotFoundError(id);
    if (r.result === 'refused') throw new CampaignStateError(id, r.state ?? 'unknown', op);
  }
}
