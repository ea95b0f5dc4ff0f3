/**
 * The two providers and the two CAs of a handover world, each on its own ports of one machine:
 *
 *   SP1  LwM2M server + REST API (DTLS certificate mode: CA1 operational certificates, and the
 *        factory certificates of devices coming back), OldProvider, provider API
 *   SP2  LwM2M server + REST API (DTLS certificate mode: CA2 certificates only), LwM2M
 *        bootstrap server (same trust, its own port), NewProvider, provider API
 *   CA1, CA2  EST-coaps servers (DTLS, the device authenticates with its factory certificate),
 *        each with its enrollment policy in Redis
 *
 * The providers reach their servers through the DM adapter (LocalServerAdapter here; a stack
 * already in place is reached with LeshanAdapter) and each other over the authenticated provider
 * API. Every store lives in the one Redis under per-role key prefixes.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { certificatePem } from '../../../common/pki/index';
import { LocalServerAdapter, type LocalServer } from '../../../plugin/adapter/index';
import type { EstServer } from '../../../plugin/ca/index';
import { createSp1Api, type HttpApi } from '../../../plugin/provider-api/index';
import type { NewProvider, OldProvider, TransferObjectIds } from '../../../plugin/roles/index';
import { startServerApp, type ServerApp } from '../../../server/rest/app';
import type { WorldPki } from './credentials';
import { MeteredAdapter } from './metered-adapter';
import { createOldProvider, sp1ServerAppOptions } from './sp1-role';
import type { BootstrapServer } from '../../../plugin/handover/bootstrap-server';
import { startSp2Side } from './sp2-side';
import { StopStack } from '../../../common/stop-stack';

export interface ProvidersOptions {
  readonly pki: WorldPki;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly dataDir: string;
  /** Factory certificates SP2 must not forward to CA2 (their enrollment is refused: they fall back). */
  readonly withheldFromCa2?: (factoryCertificate: Uint8Array) => boolean;
  /** SP1/SP2 believe a queue-mode device asleep this long after its last message, ms. Default the server's. */
  readonly queueAwakeMs?: number;
  /** Where the devices expose the transfer objects (SP1 writes there). Default 33001–33003. */
  readonly objectIds?: TransferObjectIds;
  readonly log?: (line: string) => void;
}

export interface Providers {
  readonly redis: Redis;
  readonly sp1App: ServerApp;
  readonly sp2App: ServerApp;
  readonly sp1: OldProvider;
  readonly sp2: NewProvider;
  readonly sp1Adapter: MeteredAdapter;
  readonly sp2Adapter: LocalServerAdapter;
  readonly sp1Api: HttpApi;
  readonly sp2Api: HttpApi;
  /** Bearer tokens of the two provider APIs (each issued to the other provider). */
  readonly sp1ApiToken: string;
  readonly sp2ApiToken: string;
  readonly ca1Est: EstServer;
  readonly ca2Est: EstServer;
  readonly sp1Uri: string;
  readonly sp2Uri: string;
  /** SP2's bootstrap server, and its URI: where transferred devices join SP2. */
  readonly sp2BootstrapServer: BootstrapServer;
  readonly sp2BootstrapUri: string;
  stop(): Promise<void>;
}

export async function startProviders(opts: ProvidersOptions): Promise<Providers> {
  const { pki } = opts;
  const h = pki.hierarchy;
  const log = opts.log ?? (() => undefined);
  const stops = new StopStack(log);
  const stop = (): Promise<void> => stops.stop();
  try {
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    stops.push(() => redis.quit());
    const factoryRootsPem = h.initialTrustAnchors.map((a) => certificatePem(a)).join('');
    const token = () => randomBytes(24).toString('base64url');

    // SP1: its LwM2M server trusts CA1 (operational) and the factory PKI (devices falling back).
    const sp1App = await startServerApp(sp1ServerAppOptions({
      token: token(), httpPort: 0, coapPort: 0, coapsPort: 0, redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, dataDir: opts.dataDir,
      certChainPem: pki.sp1Server.certChainPem, keyPem: pki.sp1Server.keyPem, caPem: pki.chainPem(h.ca1) + factoryRootsPem,
      ...(opts.queueAwakeMs ? { queueAwakeMs: opts.queueAwakeMs } : {}),
    }));
    stops.push(() => sp1App.stop());
    const sp1Uri = `coaps://127.0.0.1:${sp1App.coapsPort}`;
    const sp1Adapter = new MeteredAdapter(new LocalServerAdapter(sp1App.lwm2m as unknown as LocalServer, { timeoutMs: 20_000 }), opts.objectIds);
    stops.push(() => sp1Adapter.close());
    const sp1 = createOldProvider({
      redis, keyPrefix: opts.keyPrefix, adapter: sp1Adapter, signingKey: pki.sp1Signer.privateKey, signerCertificate: pki.sp1Signer.certificate,
      sp2PublicKey: pki.sp2Signer.publicKey, ca1Root: h.ca1.chain[h.ca1.chain.length - 1], fallbackUri: sp1Uri,
      revoke: (serial) => h.ca1.revoke(serial, 'affiliationChanged'), ...(opts.objectIds ? { objectIds: opts.objectIds } : {}), log,
    });
    const sp1ApiToken = token();
    const sp1Api = createSp1Api(sp1, { token: sp1ApiToken });
    await sp1Api.listen();
    stops.push(() => sp1Api.close());

    // SP2, CA1 and CA2 (EST-coaps), SP2 confirming arrivals over SP1's provider API.
    const side = await startSp2Side({
      pki, redis, redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, dataDir: opts.dataDir, sp1ApiUrl: sp1Api.url, sp1ApiToken,
      ...(opts.withheldFromCa2 ? { withheldFromCa2: opts.withheldFromCa2 } : {}), log,
    });
    stops.push(() => side.stop());
    return {
      redis, sp1App, sp2App: side.sp2App, sp1, sp2: side.sp2, sp1Adapter, sp2Adapter: side.sp2Adapter, sp1Api, sp2Api: side.sp2Api,
      sp1ApiToken, sp2ApiToken: side.sp2ApiToken, ca1Est: side.ca1Est!, ca2Est: side.ca2Est, sp1Uri, sp2Uri: side.sp2Uri,
      sp2BootstrapServer: side.sp2BootstrapServer, sp2BootstrapUri: side.sp2BootstrapUri, stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
