/**
 * The device's transfer end to end over real CoAP, DTLS and Redis: a device registered with SP1
 * (an LwM2mServer) receives SP1's token through LwM2M Write + Execute, resets, enrolls with CA2
 * (EstServer over DTLS, authenticated by its factory certificate, RedisEnrollmentPolicy) and
 * joins SP2 (another LwM2mServer); a device CA2 does not list falls back to SP1; a device
 * stopped mid-way resumes from its state file and finishes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LwM2mClient } from '../../../client-sim/client';
import { AnchorPurpose, TransferResult, TransferStep, createTransferAgent, type TransferAgent, type TransferAgentOptions } from '../../../client-sim/transfer/index';
import { certificatePem, describeCertificate } from '../../../common/pki/index';
import { EstServer, RedisEnrollmentPolicy } from '../../../plugin/ca/index';
import { LwM2mServer } from '../../../server/lwm2m-server';
import { ContentFormat } from '../../../objects/content-format';
import { singleResource } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';
import { type Pki, type Signer, createPki, instructions, token } from './fixtures';

describe('device transfer over LwM2M, EST and DTLS', () => {
  const prefix = randomPrefix('xfer');
  const redis = testRedis();
  let pki: Pki;
  let sp1: LwM2mServer;
  let sp2: LwM2mServer;
  let est: EstServer;
  let policy: RedisEnrollmentPolicy;
  let dir: string;
  const clients: LwM2mClient[] = [];
  const agents: TransferAgent[] = [];

  beforeAll(async () => {
    pki = await createPki();
    dir = mkdtempSync(join(tmpdir(), 'transfer-flow-'));
    const server = (name: string) => new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: `${prefix}:${name}`, coapPort: 0, allowNoSec: true, requestTimeoutMs: 5000 });
    sp1 = server('sp1');
    sp2 = server('sp2');
    await sp1.start();
    await sp2.start();
    policy = new RedisEnrollmentPolicy({ redis, keyPrefix: `${prefix}:ca2` });
    est = new EstServer({
      ca: pki.ca2, policy,
      dtls: {
        certChainPem: certificatePem(pki.estServer.certificate),
        keyPem: pki.estServer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        caPem: certificatePem(pki.factoryCa.certificate) + certificatePem(pki.ca2.certificate),
      },
    });
    await est.start();
  }, 30000);

  afterAll(async () => {
    for (const a of agents) await a.close().catch(() => undefined);
    for (const c of clients) await c.stop({ deregister: false }).catch(() => undefined);
    await est.stop();
    await sp1.stop();
    await sp2.stop();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  const sp1Uri = () => `coap://127.0.0.1:${sp1.coapPort}`;
  const sp2Uri = () => `coap://127.0.0.1:${sp2.coapPort}`;

  /** A device registered with SP1, with the anchors SP1 wrote before the transfer. */
  async function device(id: string, extra: Partial<TransferAgentOptions> = {}): Promise<{ agent: TransferAgent; client: LwM2mClient; factory: Signer; opts: TransferAgentOptions }> {
    const factory = await pki.device(id);
    const opts: TransferAgentOptions = { deviceId: id, factory, stateFile: join(dir, `${id}.transfer.json`), joinBootstrap: false, retry: { attempts: 2, backoffMs: 50 }, estTimeoutMs: 5000, ...extra };
    const agent = createTransferAgent(opts);
    agents.push(agent);
    const client = new LwM2mClient({ endpoint: id, serverUri: sp1Uri(), objects: agent.objects, stateFile: join(dir, `${id}.json`), retryDelay: 200 });
    clients.push(client);
    agent.attach(client);
    await client.start();
    await agent.trustStore.add({ certificate: pki.sp1Signer.certificate, purpose: AnchorPurpose.providerSigner, survivesReset: true, label: 'SP1' });
    await agent.trustStore.add({ certificate: pki.ca2.certificate, purpose: AnchorPurpose.enrollmentCa, survivesReset: true, label: 'CA2' });
    await agent.trustStore.add({ certificate: pki.sp1Ca.certificate, purpose: AnchorPurpose.lwm2mServer, survivesReset: false, label: 'SP1 servers' });
    return { agent, client, factory, opts };
  }

  /** SP1 delivers the token and Apply over LwM2M. */
  async function deliver(id: string, bytes: Uint8Array): Promise<void> {
    const w = await sp1.send(id, { kind: 'write', path: LwM2mPath.parse('/33001/0/0'), node: singleResource(0, 'OPAQUE', bytes), mode: 'replace', format: ContentFormat.OPAQUE });
    expect((w as { code: string }).code).toBe('2.04');
    const x = await sp1.send(id, { kind: 'execute', path: LwM2mPath.parse('/33001/0/1') });
    expect((x as { code: string }).code).toBe('2.04');
  }

  function registeredAt(server: LwM2mServer, id: string, ms = 15000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${id} did not register within ${ms} ms`)), ms);
      const on = (e: { registration: { endpoint: string } }) => { if (e.registration.endpoint === id) { clearTimeout(t); server.events.off('REGISTRATION', on); resolve(); } };
      server.events.on('REGISTRATION', on);
    });
  }

  it('enrolls with CA2 and joins SP2', async () => {
    const { agent, factory } = await device('dev-ok');
    await policy.allow('transfer-1', [factory.certificate]);
    const joined = registeredAt(sp2, 'dev-ok');
    await deliver('dev-ok', token(pki.sp1Signer, { id: 'dev-ok', certificate: factory.certificate, counter: 1 },
      instructions({ enrollUri: est.uri, bootstrapUri: sp2Uri(), fallbackUri: sp1Uri() })));
    expect(await agent.settled()).toBe(TransferStep.done);
    await joined;
    expect(agent.result).toEqual({ code: TransferResult.success, text: 'transferred' });
    const cert = agent.enrollment.certificate()!;
    expect(describeCertificate(cert).issuer).toMatch(/CA2/);
    expect(agent.operationalCredentials()!.certificatePem).toBe(certificatePem(cert));
    expect(agent.trustStore.anchors().map((a) => a.label)).toEqual(['SP1', 'CA2']);
    await agent.flush();
    const saved = JSON.parse(readFileSync(join(dir, 'dev-ok.transfer.json'), 'utf8'));
    expect(saved.extra.transfer.step).toBe(TransferStep.done);
    expect(saved.extra.transfer.operational.keyPem).toMatch(/BEGIN PRIVATE KEY/);
  }, 30000);

  it('falls back to SP1 when CA2 refuses the enrollment', async () => {
    const { agent, factory } = await device('dev-unlisted');
    void factory; // not on CA2's list
    const back = registeredAt(sp1, 'dev-unlisted');
    await deliver('dev-unlisted', token(pki.sp1Signer, { id: 'dev-unlisted', counter: 1 },
      instructions({ enrollUri: est.uri, bootstrapUri: sp2Uri(), fallbackUri: sp1Uri() })));
    expect(await agent.settled()).toBe(TransferStep.fallback);
    await back;
    expect(agent.result.code).toBe(TransferResult.enrollmentFailed);
    expect(agent.result.text).toMatch(/not on any transfer list/);
    expect(agent.enrollment.status()).toBe(3);
  }, 30000);

  it('resumes after a restart mid-way and finishes', async () => {
    let stop!: () => void;
    const stopped = new Promise<void>((r) => { stop = r; });
    // the first life of the device loses power while it waits for CA2
    const { agent, client, factory, opts } = await device('dev-reboot', {
      steps: { enroll: async (req) => { stop(); await new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason))); throw new Error('unreachable'); } },
    });
    await policy.allow('transfer-2', [factory.certificate]);
    await deliver('dev-reboot', token(pki.sp1Signer, { id: 'dev-reboot', certificate: factory.certificate, counter: 1 },
      instructions({ enrollUri: est.uri, bootstrapUri: sp2Uri(), fallbackUri: sp1Uri() })));
    await stopped;
    await agent.close();
    await client.stop({ deregister: false });
    const saved = JSON.parse(readFileSync(opts.stateFile!, 'utf8'));
    expect(saved.extra.transfer.step).toBe(TransferStep.enrolling);

    const { steps: _s, ...rest } = opts;
    const again = createTransferAgent(rest);
    agents.push(again);
    expect(again.step).toBe(TransferStep.enrolling);
    expect(again.trustStore.anchors().map((a) => a.label)).toEqual(['SP1', 'CA2']);
    const client2 = new LwM2mClient({ endpoint: 'dev-reboot', serverUri: sp1Uri(), objects: again.objects, stateFile: join(dir, 'dev-reboot.json'), retryDelay: 200 });
    clients.push(client2);
    again.attach(client2);
    await client2.start();
    const joined = registeredAt(sp2, 'dev-reboot');
    again.resume();
    expect(await again.settled()).toBe(TransferStep.done);
    await joined;
    expect(describeCertificate(again.enrollment.certificate()!).issuer).toMatch(/CA2/);
  }, 40000);
});
