/**
 * One handover of a world's fleet, shared by the in-process world (world.ts) and the world with
 * its fleet in child processes (fleet-world.ts): steps 1–3 (the providers agree, agreement.ts),
 * then SP1's campaign workers, SP2 watching arrivals, and the campaign of steps 4–6 created and
 * started; and the wait until every device of the campaign is final.
 */
import { clientTraffic } from '../../../common/dtls/index';
import type { CampaignEngine, CampaignProgress } from '../../../plugin/campaign/index';
import { Sp1ApiClient, Sp2ApiClient } from '../../../plugin/provider-api/index';
import { agreeOnTransfer, type AgreementOptions } from './agreement';
import type { WorldPki } from './credentials';
import type { Providers } from './providers';
import { startSp1Campaigns } from './sp1-role';

export interface HandoverRun {
  readonly campaignId: string;
  readonly transferId: string;
}

export interface HandoverStart {
  readonly providers: Providers;
  readonly pki: WorldPki;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly deviceIds: readonly string[];
  /** Where the TransferMessage sends devices for the update, and the optional attestation/update-first. */
  readonly transfer: Pick<AgreementOptions, 'updateUri' | 'raUri' | 'updateFirst' | 'updateSigner'>;
  /** Campaign workers. Default 32. */
  readonly concurrency?: number;
  readonly ratePerSecond?: number;
  /** Just before the campaign starts: reset the traffic counters. */
  readonly resetCounters?: () => void;
  readonly log?: (line: string) => void;
}

export interface StartedHandover {
  readonly run: HandoverRun;
  readonly engine: CampaignEngine;
  /** Stop the workers and SP2's arrival watch. */
  stop(): Promise<void>;
}

export async function startWorldHandover(s: HandoverStart): Promise<StartedHandover> {
  const p = s.providers;
  const ca2 = s.pki.hierarchy.ca2;
  const transferId = await agreeOnTransfer({
    sp1: p.sp1, sp2: p.sp2, deviceIds: s.deviceIds,
    sp1Client: new Sp1ApiClient({ baseUrl: p.sp1Api.url, token: p.sp1ApiToken }),
    sp2Client: new Sp2ApiClient({ baseUrl: p.sp2Api.url, token: p.sp2ApiToken }),
    ca2Root: ca2.chain[ca2.chain.length - 1],
    enrollUri: p.ca2Est.uri, sp2Uri: p.sp2Uri, sp2BootstrapUri: p.sp2BootstrapUri, ...s.transfer,
  });
  // 4–6. The campaign, with arrivals confirmed by SP2 and fallbacks seen by SP1.
  const workers = await startSp1Campaigns({
    redisUrl: s.redisUrl, keyPrefix: s.keyPrefix, sp1: p.sp1, adapter: p.sp1Adapter,
    concurrency: s.concurrency ?? 32, ...(s.log ? { log: s.log } : {}),
  });
  const offArrivals = p.sp2.watchArrivals();
  const stop = async () => {
    offArrivals();
    await workers.stop({ force: true });
  };
  try {
    const engine = workers.engine;
    const campaign = await engine.create({
      name: `handover ${transferId.slice(0, 8)}`, devices: [...s.deviceIds], payload: { transferId },
      ...(s.ratePerSecond ? { ratePerSecond: s.ratePerSecond } : {}),
    });
    clientTraffic.reset();
    s.resetCounters?.();
    await engine.start(campaign.id);
    return { run: { campaignId: campaign.id, transferId }, engine, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Resolves when every device of the campaign is final (or rejects after timeoutMs). */
export async function waitForCampaign(engine: CampaignEngine, run: HandoverRun, onProgress: (p: CampaignProgress) => void, timeoutMs: number): Promise<CampaignProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await engine.progress(run.campaignId);
    onProgress(progress);
    if (progress.done >= progress.total) return progress;
    if (Date.now() > deadline) throw new Error(`campaign ${run.campaignId} not finished after ${timeoutMs} ms: ${JSON.stringify(progress.byState)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
