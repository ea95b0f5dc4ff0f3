/**
 * SP1 of a handover world, built from plain data so that the in-process world (providers.ts)
 * and the separate SP1 processes of the crash test (processes/) run the same thing:
 *
 *   sp1ServerAppOptions  its LwM2M server (DTLS certificate mode: CA1 operational certificates,
 *                        and the factory certificates of devices coming back)
 *   createOldProvider    the OldProvider role over a DM adapter
 *   startSp1Campaigns    SP1's campaign workers (plugin/handover/transfer-workers.ts) under the
 *                        world's campaign key prefix
 */
import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DmAdapter } from '../../../plugin/adapter/index';
import { startTransferWorkers, type TransferWorkers, type TransferWorkersOptions } from '../../../plugin/handover/transfer-workers';
import { OldProvider, type TransferObjectIds } from '../../../plugin/roles/index';
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
  /** Where the devices expose the transfer objects (HANDOVER_OBJECT_IDS). Default 33001–33003. */
  readonly objectIds?: TransferObjectIds;
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
    ...(s.objectIds ? { objectIds: s.objectIds } : {}),
    ...(s.log ? { log: s.log } : {}),
  });
}

export interface Sp1CampaignsOptions extends Omit<TransferWorkersOptions, 'campaignsPrefix'> {
  /** The world's key prefix (the campaigns live under worldKeys(prefix).campaigns). */
  readonly keyPrefix: string;
}

export type Sp1Campaigns = TransferWorkers;

/** The campaign workers of SP1 (plugin/handover/transfer-workers.ts) under the world's campaign prefix. */
export function startSp1Campaigns(o: Sp1CampaignsOptions): Promise<Sp1Campaigns> {
  const { keyPrefix, ...rest } = o;
  return startTransferWorkers({ ...rest, campaignsPrefix: worldKeys(keyPrefix).campaigns });
}
