/**
 * SP1's campaign workers for the PKI trust transfer: the generic campaign engine running the
 * transfer's steps (transfer-campaign.ts), woken when SP1's DM server sees a device register,
 * update or wake, with SP1 watching for devices that fall back. Any number of processes may run
 * these on one Redis; a restarted one carries on where a dead one left (the engine's locks).
 */
import type { DmAdapter } from '../adapter/dm-adapter';
import { CampaignEngine } from '../campaign/campaign-engine';
import type { OldProvider } from '../roles/old-provider';
import { transferCampaign } from './transfer-campaign';

export interface TransferWorkersOptions {
  readonly redisUrl: string;
  /** The campaigns' key prefix (what `handover campaign --prefix` names). */
  readonly campaignsPrefix: string;
  readonly sp1: OldProvider;
  readonly adapter: DmAdapter;
  /** Devices worked on in parallel by this process. Default 32. */
  readonly concurrency?: number;
  /** Interval of the await step's poll, ms. Default 1000. */
  readonly pollMs?: number;
  /** Crash recovery: BullMQ lock of a running job and the stalled-job check period, ms. Default the engine's. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Longest park before a parked device is looked at again, ms. Default the engine's. */
  readonly parkTimeoutMs?: number;
  /** Wait between polls while SP1's DM server is unreachable, ms. Default transferCampaign's. */
  readonly unreachableWaitMs?: number;
  readonly log?: (line: string) => void;
}

export interface TransferWorkers {
  readonly engine: CampaignEngine;
  /** Stop watching and close the engine (force: do not wait for running steps). Default force. */
  stop(opts?: { force?: boolean }): Promise<void>;
}

export async function startTransferWorkers(o: TransferWorkersOptions): Promise<TransferWorkers> {
  const engine = new CampaignEngine({
    redisUrl: o.redisUrl, keyPrefix: o.campaignsPrefix,
    definition: transferCampaign({
      sp1: o.sp1, adapter: o.adapter, pollMs: o.pollMs ?? 1000,
      ...(o.unreachableWaitMs !== undefined ? { unreachableWaitMs: o.unreachableWaitMs } : {}),
    }),
    concurrency: o.concurrency ?? 32, retry: { attempts: 3, backoffMs: 500 },
    ...(o.lockDurationMs !== undefined ? { lockDurationMs: o.lockDurationMs } : {}),
    ...(o.stalledIntervalMs !== undefined ? { stalledIntervalMs: o.stalledIntervalMs } : {}),
    ...(o.parkTimeoutMs !== undefined ? { parkTimeoutMs: o.parkTimeoutMs } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const offs = [o.sp1.watchFallbacks(),
    ...(['registered', 'updated', 'awake'] as const).map((ev) => o.adapter.on(ev, (ep) => { engine.wake(undefined, ep).catch(() => undefined); }))];
  try {
    await engine.startWorkers();
  } catch (e) {
    offs.forEach((f) => f());
    await engine.close({ force: true }).catch(() => undefined);
    throw e;
  }
  return {
    engine,
    async stop(opts = { force: true }) {
      offs.forEach((f) => f());
      await engine.close(opts);
    },
  };
}
