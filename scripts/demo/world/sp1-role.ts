/**
 * SP1 of a handover world, built from plain data so that the in-process world (providers.ts)
 * and the separate SP1 processes of the crash test (processes/) run the same thing:
 *
 *   sp1ServerAppOptions  its LwM2M server (DTLS certificate mode: CA1 operational certificates,
 *                        and the factory certificates of devices coming back)
 *   createOldProvider    the OldProvider role over a DM adapter
 *   startSp1Campaigns    the campaign engine running transferCampaign, woken by the adapter's
 *                        registration events, with SP1 watching for devices that fall back
 */
import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DmAdapter } from '../../../plugin/adapter/index';
import { CampaignEngine } from '../../../plugin/campaign/index';
import { transferCampaign } from '../../../plugin/handover/transfer-campaign';
import { OldProvider } from '../../../plugin/roles/index';
import type { ServerAppOptions } from '../../../server/rest/app';

/** Redis key prefixes of SP1's stores and of the campaigns, under the world's prefix. */
export function worldKeys(prefix: string): { sp1Lwm2m: string; sp1Transfer: string; sp2Lwm2m: string; sp2Transfer: string; ca1Est: string; ca2Est: string; campaigns: string } {
  return {
    sp1Lwm2m: `${prefix}sp1:lwm2m`, sp1Transfer: `${prefix}sp1:transfer`, sp2Lwm2m: `${prefix}sp2:lwm2m`, sp2Transfer: `${prefix}sp2:transfer`,
    ca1Est: `${prefix}ca1:est`, ca2Est: `${prefix}ca2:est`, campaigns: `${prefix}campaigns`,
  };
}

export interface Sp1ServerSpec {
  readonly token: string;
  readonly redisUrl: string;
  /** The world's key prefix. */
  readonly keyPrefix: string;
  readonly dataDir: string;
  /** 0: free ports. */
  readonly httpPort: number;
  readonly coapPort: number;
  readonly coapsPort: number;
  /** SP1's server certificate chain and key (PEM). */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** CA1's chain and the factory roots (PEM). */
  readonly caPem: string;
  readonly queueAwakeMs?: number;
  readonly log?: (line: string) => void;
}

export function sp1ServerAppOptions(s: Sp1ServerSpec): ServerAppOptions {
  return {
    token: s.token, coapPort: s.coapPort, httpPort: s.httpPort, redisUrl: s.redisUrl, keyPrefix: worldKeys(s.keyPrefix).sp1Lwm2m, dataDir: s.dataDir,
    ...(s.queueAwakeMs ? { queueAwakeMs: s.queueAwakeMs } : {}),
    dtls: { port: s.coapsPort, certificate: { certChainPem: s.certChainPem, keyPem: s.keyPem, caPem: s.caPem } },
    ...(s.log ? { log: s.log } : {}),
  };
}

export interface Sp1ProviderSpec {
  readonly redis: Redis;
  readonly keyPrefix: string;
  readonly adapter: DmAdapter;
  /** SP1's token signer and its certificate (the devices' provider-signer anchor). */
  readonly signingKey: KeyObject;
  readonly signerCertificate: Uint8Array;
  readonly sp2PublicKey: KeyObject;
  /** CA1's root: the anchor of SP1's LwM2M server a device needs to fall back. */
  readonly ca1Root: Uint8Array;
  readonly fallbackUri: string;
  readonly revoke?: (serial: string) => Promise<void>;
  readonly log?: (line: string) => void;
}

export function createOldProvider(s: Sp1ProviderSpec): OldProvider {
  return new OldProvider({
    redis: s.redis, keyPrefix: worldKeys(s.keyPrefix).sp1Transfer, adapter: s.adapter, identity: 'sp1.example',
    signingKey: s.signingKey, sp2: { identity: 'sp2.example', publicKey: s.sp2PublicKey },
    fallbackUri: s.fallbackUri,
    survivingAnchors: [
      { certificate: s.signerCertificate, purpose: 'provider-signer', label: 'SP1 transfer signer' },
      { certificate: s.ca1Root, purpose: 'lwm2m-server', label: 'SP1 LwM2M server (fallback)' },
    ],
    ...(s.revoke ? { revoke: s.revoke } : {}),
    ...(s.log ? { log: s.log } : {}),
  });
}

export interface Sp1CampaignsOptions {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly sp1: OldProvider;
  readonly adapter: DmAdapter;
  readonly concurrency?: number;
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

export interface Sp1Campaigns {
  readonly engine: CampaignEngine;
  stop(opts?: { force?: boolean }): Promise<void>;
}

/** The campaign workers of SP1: transferCampaign steps, woken by registrations, fallbacks watched. */
export async function startSp1Campaigns(o: Sp1CampaignsOptions): Promise<Sp1Campaigns> {
  const engine = new CampaignEngine({
    redisUrl: o.redisUrl, keyPrefix: worldKeys(o.keyPrefix).campaigns,
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
