/**
 * The two providers and the two CAs of a handover world, each on its own ports of one machine:
 *
 *   SP1  LwM2M server + REST API (DTLS certificate mode: CA1 operational certificates, and the
 *        factory certificates of devices coming back), OldProvider, provider API
 *   SP2  LwM2M server + REST API (DTLS certificate mode: CA2 certificates only), NewProvider,
 *        provider API
 *   CA1, CA2  EST-coaps servers (DTLS, the device authenticates with its factory certificate),
 *        each with its enrollment policy in Redis
 *
 * The providers reach their servers through the DM adapter (LocalServerAdapter here; a stack
 * already in place is reached with LeshanAdapter) and each other over the authenticated provider
 * API. Every store lives in the one Redis under per-role key prefixes.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { certificatePem } from '../../../common/pki/index';
import { LocalServerAdapter, type LocalServer } from '../../../plugin/adapter/index';
import { EstServer, RedisEnrollmentPolicy } from '../../../plugin/ca/index';
import { Sp1ApiClient, createSp1Api, createSp2Api, type HttpApi } from '../../../plugin/provider-api/index';
import { NewProvider, OldProvider, type EnrollmentPolicyLike } from '../../../plugin/roles/index';
import { startServerApp, type ServerApp } from '../../../server/rest/app';
import type { WorldPki } from './credentials';

export interface ProvidersOptions {
  readonly pki: WorldPki;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly dataDir: string;
  /** Factory certificates SP2 must not forward to CA2 (their enrollment is refused: they fall back). */
  readonly withheldFromCa2?: (factoryCertificate: Uint8Array) => boolean;
  readonly log?: (line: string) => void;
}

export interface Providers {
  readonly redis: Redis;
  readonly sp1App: ServerApp;
  readonly sp2App: ServerApp;
  readonly sp1: OldProvider;
  readonly sp2: NewProvider;
  readonly sp1Adapter: LocalServerAdapter;
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
  stop(): Promise<void>;
}

export async function startProviders(opts: ProvidersOptions): Promise<Providers> {
  const { pki } = opts;
  const h = pki.hierarchy;
  const log = opts.log ?? (() => undefined);
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    while (stops.length) await stops.pop()!().catch((e: Error) => log(`stop: ${e.message}`));
  };
  try {
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    stops.push(() => redis.quit());
    const factoryRootsPem = h.initialTrustAnchors.map((a) => certificatePem(a)).join('');
    const token = () => randomBytes(24).toString('base64url');

    // SP1: its LwM2M server trusts CA1 (operational) and the factory PKI (devices falling back).
    const sp1App = await startServerApp({
      token: token(), coapPort: 0, httpPort: 0, redisUrl: opts.redisUrl, keyPrefix: `${opts.keyPrefix}sp1:lwm2m`, dataDir: opts.dataDir,
      dtls: { port: 0, certificate: { certChainPem: pki.sp1Server.certChainPem, keyPem: pki.sp1Server.keyPem, caPem: pki.chainPem(h.ca1) + factoryRootsPem } },
    });
    stops.push(() => sp1App.stop());
    const sp2App = await startServerApp({
      token: token(), coapPort: 0, httpPort: 0, redisUrl: opts.redisUrl, keyPrefix: `${opts.keyPrefix}sp2:lwm2m`, dataDir: opts.dataDir,
      dtls: { port: 0, certificate: { certChainPem: pki.sp2Server.certChainPem, keyPem: pki.sp2Server.keyPem, caPem: pki.chainPem(h.ca2) } },
    });
    stops.push(() => sp2App.stop());
    const sp1Uri = `coaps://127.0.0.1:${sp1App.coapsPort}`;
    const sp2Uri = `coaps://127.0.0.1:${sp2App.coapsPort}`;

    // CA1 and CA2 EST-coaps servers; a device authenticates with its factory certificate (or a
    // current operational certificate of that CA for re-enrollment).
    const ca1Policy = new RedisEnrollmentPolicy({ redis, keyPrefix: `${opts.keyPrefix}ca1:est` });
    const ca2Policy = new RedisEnrollmentPolicy({ redis, keyPrefix: `${opts.keyPrefix}ca2:est` });
    const ca1Est = new EstServer({ ca: h.ca1, policy: ca1Policy, dtls: { certChainPem: pki.ca1Est.certChainPem, keyPem: pki.ca1Est.keyPem, caPem: factoryRootsPem + pki.chainPem(h.ca1) }, log });
    const ca2Est = new EstServer({ ca: h.ca2, policy: ca2Policy, dtls: { certChainPem: pki.ca2Est.certChainPem, keyPem: pki.ca2Est.keyPem, caPem: factoryRootsPem + pki.chainPem(h.ca2) }, log });
    await ca1Est.start();
    stops.push(() => ca1Est.stop());
    await ca2Est.start();
    stops.push(() => ca2Est.stop());

    const sp1Adapter = new LocalServerAdapter(sp1App.lwm2m as unknown as LocalServer, { timeoutMs: 20_000 });
    stops.push(() => sp1Adapter.close());
    const sp2Adapter = new LocalServerAdapter(sp2App.lwm2m as unknown as LocalServer, { timeoutMs: 20_000 });
    stops.push(() => sp2Adapter.close());

    const sp1 = new OldProvider({
      redis, keyPrefix: `${opts.keyPrefix}sp1:transfer`, adapter: sp1Adapter, identity: 'sp1.example',
      signingKey: pki.sp1Signer.privateKey, sp2: { identity: 'sp2.example', publicKey: pki.sp2Signer.publicKey },
      fallbackUri: sp1Uri,
      survivingAnchors: [
        { certificate: pki.sp1Signer.certificate, purpose: 'provider-signer', label: 'SP1 transfer signer' },
        { certificate: h.ca1.chain[h.ca1.chain.length - 1], purpose: 'lwm2m-server', label: 'SP1 LwM2M server (fallback)' },
      ],
      revoke: (serial) => h.ca1.revoke(serial, 'affiliationChanged'),
      log,
    });
    const sp1ApiToken = token();
    const sp1Api = createSp1Api(sp1, { token: sp1ApiToken });
    await sp1Api.listen();
    stops.push(() => sp1Api.close());

    const withheld = opts.withheldFromCa2;
    const policyForSp2: EnrollmentPolicyLike = {
      allow: (transferId, certs) => ca2Policy.allow(transferId, withheld ? certs.filter((c) => !withheld(c)) : certs),
    };
    const sp1Client = new Sp1ApiClient({ baseUrl: sp1Api.url, token: sp1ApiToken });
    const sp2 = new NewProvider({
      redis, keyPrefix: `${opts.keyPrefix}sp2:transfer`, adapter: sp2Adapter, identity: 'sp2.example',
      signingKey: pki.sp2Signer.privateKey, sp1: { identity: 'sp1.example', publicKey: createPublicKey(pki.sp1Signer.privateKey) },
      ca2Issuer: h.ca2.subject, enrollmentPolicy: policyForSp2,
      confirmArrival: (a) => sp1Client.confirmArrival(a), log,
    });
    const sp2ApiToken = token();
    const sp2Api = createSp2Api(sp2, { token: sp2ApiToken });
    await sp2Api.listen();
    stops.push(() => sp2Api.close());

    return { redis, sp1App, sp2App, sp1, sp2, sp1Adapter, sp2Adapter, sp1Api, sp2Api, sp1ApiToken, sp2ApiToken, ca1Est, ca2Est, sp1Uri, sp2Uri, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
