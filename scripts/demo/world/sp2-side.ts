/**
 * The receiving side of a handover world: SP2's LwM2M server + REST API (DTLS certificate mode:
 * CA2 certificates only), SP2's LwM2M bootstrap server on its own coaps port (same trust; the
 * NewProvider writes each transferred device's configuration there when it signs the
 * TransferMessage), the NewProvider role with its provider API, and the EST-coaps servers of CA2
 * (and optionally CA1), each with its enrollment policy in Redis. SP2 confirms arrivals to SP1
 * over SP1's provider API (wherever SP1 runs: in this process or another).
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { certificatePem } from '../../../common/pki/index';
import { LocalServerAdapter, type LocalServer } from '../../../plugin/adapter/index';
import { EstServer, RedisEnrollmentPolicy } from '../../../plugin/ca/index';
import { Sp1ApiClient, createSp2Api, type HttpApi } from '../../../plugin/provider-api/index';
import { NewProvider, Sp2Bootstrap, type EnrollmentPolicyLike } from '../../../plugin/roles/index';
import { startServerApp, type ServerApp } from '../../../server/rest/app';
import type { WorldPki } from './credentials';
import { worldKeys } from './sp1-role';
import { startBootstrapServer, type BootstrapServer } from '../../../plugin/handover/bootstrap-server';
import { StopStack } from '../../../common/stop-stack';

export interface Sp2SideOptions {
  readonly pki: WorldPki;
  readonly redis: Redis;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly dataDir: string;
  /** SP1's provider API (where SP2 confirms arrivals). */
  readonly sp1ApiUrl: string;
  readonly sp1ApiToken: string;
  /** Also run CA1's EST server. Default true. */
  readonly withCa1Est?: boolean;
  /** Factory certificates SP2 must not forward to CA2 (their enrollment is refused: they fall back). */
  readonly withheldFromCa2?: (factoryCertificate: Uint8Array) => boolean;
  /** Registration lifetime SP2's bootstrap server gives devices, s. Default 300. */
  readonly lifetime?: number;
  readonly log?: (line: string) => void;
}

export interface Sp2Side {
  readonly sp2App: ServerApp;
  readonly sp2: NewProvider;
  readonly sp2Adapter: LocalServerAdapter;
  readonly sp2Api: HttpApi;
  readonly sp2ApiToken: string;
  readonly ca1Est?: EstServer;
  readonly ca2Est: EstServer;
  readonly ca2Policy: RedisEnrollmentPolicy;
  readonly sp2Uri: string;
  /** SP2's bootstrap server, and its URI: where transferred devices join SP2. */
  readonly sp2BootstrapServer: BootstrapServer;
  readonly sp2BootstrapUri: string;
  stop(): Promise<void>;
}

export async function startSp2Side(opts: Sp2SideOptions): Promise<Sp2Side> {
  const { pki, redis } = opts;
  const h = pki.hierarchy;
  const keys = worldKeys(opts.keyPrefix);
  const log = opts.log ?? (() => undefined);
  const stops = new StopStack(log);
  const stop = (): Promise<void> => stops.stop();
  try {
    const factoryRootsPem = h.initialTrustAnchors.map((a) => certificatePem(a)).join('');
    const sp2App = await startServerApp({
      token: randomBytes(24).toString('base64url'), coapPort: 0, httpPort: 0, redisUrl: opts.redisUrl, keyPrefix: keys.sp2Lwm2m, dataDir: opts.dataDir,
      dtls: { port: 0, certificate: { certChainPem: pki.sp2Server.certChainPem, keyPem: pki.sp2Server.keyPem, caPem: pki.chainPem(h.ca2) } },
    });
    stops.push(() => sp2App.stop());
    const sp2Uri = `coaps://127.0.0.1:${sp2App.coapsPort}`;
    // The bootstrap server: a device authenticates with its CA2 certificate, like at SP2's server.
    const sp2BootstrapServer = await startBootstrapServer({
      redisUrl: opts.redisUrl, keyPrefix: `${opts.keyPrefix}sp2:bootstrap`, requestTimeoutMs: 20_000, log,
      certificate: { certChainPem: pki.sp2Server.certChainPem, keyPem: pki.sp2Server.keyPem, caPem: pki.chainPem(h.ca2) },
    });
    stops.push(() => sp2BootstrapServer.stop());
    const bootstrap = new Sp2Bootstrap({
      configs: sp2BootstrapServer.configs, bootstrapUri: sp2BootstrapServer.uri, serverUri: sp2Uri,
      serverTrust: [h.ca2.chain[h.ca2.chain.length - 1]], lifetime: opts.lifetime ?? 300,
    });

    // EST-coaps: a device authenticates with its factory certificate (or a current operational
    // certificate of that CA for re-enrollment).
    let ca1Est: EstServer | undefined;
    if (opts.withCa1Est ?? true) {
      const ca1Policy = new RedisEnrollmentPolicy({ redis, keyPrefix: keys.ca1Est });
      ca1Est = new EstServer({ ca: h.ca1, policy: ca1Policy, dtls: { certChainPem: pki.ca1Est.certChainPem, keyPem: pki.ca1Est.keyPem, caPem: factoryRootsPem + pki.chainPem(h.ca1) }, log });
      await ca1Est.start();
      const started = ca1Est;
      stops.push(() => started.stop());
    }
    const ca2Policy = new RedisEnrollmentPolicy({ redis, keyPrefix: keys.ca2Est });
    const ca2Est = new EstServer({ ca: h.ca2, policy: ca2Policy, dtls: { certChainPem: pki.ca2Est.certChainPem, keyPem: pki.ca2Est.keyPem, caPem: factoryRootsPem + pki.chainPem(h.ca2) }, log });
    await ca2Est.start();
    stops.push(() => ca2Est.stop());

    const sp2Adapter = new LocalServerAdapter(sp2App.lwm2m as unknown as LocalServer, { timeoutMs: 20_000 });
    stops.push(() => sp2Adapter.close());
    const withheld = opts.withheldFromCa2;
    const policyForSp2: EnrollmentPolicyLike = {
      allow: (transferId, certs) => ca2Policy.allow(transferId, withheld ? certs.filter((c) => !withheld(c)) : certs),
    };
    const sp1Client = new Sp1ApiClient({ baseUrl: opts.sp1ApiUrl, token: opts.sp1ApiToken });
    const sp2 = new NewProvider({
      redis, keyPrefix: keys.sp2Transfer, adapter: sp2Adapter, identity: 'sp2.example',
      signingKey: pki.sp2Signer.privateKey, sp1: { identity: 'sp1.example', publicKey: createPublicKey(pki.sp1Signer.privateKey) },
      ca2Issuer: h.ca2.subject, enrollmentPolicy: policyForSp2, bootstrap,
      confirmArrival: (a) => sp1Client.confirmArrival(a), log,
    });
    const sp2ApiToken = randomBytes(24).toString('base64url');
    const sp2Api = createSp2Api(sp2, { token: sp2ApiToken });
    await sp2Api.listen();
    stops.push(() => sp2Api.close());
    return { sp2App, sp2, sp2Adapter, sp2Api, sp2ApiToken, ...(ca1Est ? { ca1Est } : {}), ca2Est, ca2Policy, sp2Uri, sp2BootstrapServer, sp2BootstrapUri: sp2BootstrapServer.uri, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
