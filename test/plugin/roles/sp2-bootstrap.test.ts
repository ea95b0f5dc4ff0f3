/**
 * SP2's bootstrap server (plugin/roles/sp2-bootstrap.ts, plugin/handover/bootstrap-server.ts)
 * over real Redis and real DTLS: NewProvider writes each device's configuration when it signs the
 * TransferMessage (not before); a device of the transfer bootstraps with its CA2 certificate and
 * registers with SP2's LwM2M server using the certificate it holds (Security Mode 4); a device
 * not in the transfer, a certificate naming another device and a certificate of another CA are
 * refused, each with its reason.
 */
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as coap from 'coap';
import type { Redis } from 'ioredis';
import { LwM2mClient } from '../../../client-sim/client';
import type { ClientSecurity } from '../../../client-sim/client-options';
import { parseServerUri, sendUplink } from '../../../client-sim/uplink';
import { DtlsClient } from '../../../common/dtls/index';
import { certificatePem, createCsr, generateKeyPair } from '../../../common/pki/index';
import { LocalServerAdapter, type LocalServer } from '../../../plugin/adapter/index';
import { signUpdateInfoList } from '../../../plugin/messages/update-info-list';
import { NewProvider, Sp2Bootstrap, sp2BootstrapConfig } from '../../../plugin/roles/index';
import { parseBootstrapConfig } from '../../../server/bootstrap/bootstrap-config';
import type { ServerEvents } from '../../../server/events';
import { startServerApp, type ServerApp } from '../../../server/rest/app';
import { createDeviceCredentials, createWorldPki, intermediatesPem, keyPem, type DeviceCredentials, type WorldPki } from '../../../scripts/demo/world/credentials';
import { startBootstrapServer, type BootstrapServer } from '../../../plugin/handover/bootstrap-server';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';

jest.setTimeout(60_000);

const IN_TRANSFER = ['urn:dev:bs:000001', 'urn:dev:bs:000002'];
const STRANGER = 'urn:dev:bs:000009';

describe('SP2 bootstrap server', () => {
  const prefix = randomPrefix('sp2bs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-sp2bs-'));
  const sp1Keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let redis: Redis;
  let pki: WorldPki;
  let sp2App: ServerApp;
  let bs: BootstrapServer;
  let adapter: LocalServerAdapter;
  let sp2: NewProvider;
  let sp2Uri: string;
  let transferId: string;
  const devices = new Map<string, DeviceCredentials>();
  const ca2Certs = new Map<string, ClientSecurity & { mode: 'x509' }>();
  const clients: LwM2mClient[] = [];
  const sockets: DtlsClient[] = [];
  const bootstraps: Array<ServerEvents['BOOTSTRAP']> = [];

  const ca2Root = () => pki.hierarchy.ca2.chain[pki.hierarchy.ca2.chain.length - 1];

  /** A CA2 certificate naming `id`, as the device would hold after enrolling (its own key). */
  async function ca2Identity(id: string): Promise<ClientSecurity & { mode: 'x509' }> {
    const k = generateKeyPair('P-256');
    const csr = await createCsr({ subject: `CN=${id}, serialNumber=${id}`, privateKey: k.privateKey, publicKey: k.publicKey });
    const cert = await pki.hierarchy.ca2.issueFromCsr(csr);
    return { mode: 'x509', certChainPem: certificatePem(cert) + intermediatesPem(pki.hierarchy.ca2), keyPem: keyPem(k.privateKey), caPem: certificatePem(ca2Root()) };
  }

  /** One Bootstrap-Request over a fresh DTLS session with `security`: the answer's code and diagnostic. */
  async function bootstrapRequest(ep: string, security: ClientSecurity & { mode: 'x509' }): Promise<{ code: string; reason: string }> {
    const target = parseServerUri(bs.uri);
    const socket = new DtlsClient({ host: target.host, port: target.port, certificate: { certChainPem: security.certChainPem, keyPem: security.keyPem, caPem: security.caPem } });
    sockets.push(socket);
    await socket.connect();
    const agent = new coap.Agent({ socket: socket as never });
    try {
      const res = await sendUplink(agent, target, { method: 'POST', pathname: '/bs', query: [`ep=${ep}`, 'pct=112'] }, 5000);
      return { code: res.code, reason: res.payload.toString('utf8') };
    } finally {
      agent.close();
    }
  }

  beforeAll(async () => {
    redis = testRedis();
    pki = await createWorldPki(path.join(dir, 'pki'));
    const h = pki.hierarchy;
    sp2App = await startServerApp({
      token: 'sp2-bootstrap-test-token-0123456789', coapPort: 0, httpPort: 0, redisUrl: testRedisUrl(), keyPrefix: `${prefix}:sp2`, dataDir: path.join(dir, 'data'),
      dtls: { port: 0, certificate: { certChainPem: pki.sp2Server.certChainPem, keyPem: pki.sp2Server.keyPem, caPem: pki.chainPem(h.ca2) } },
    });
    sp2Uri = `coaps://127.0.0.1:${sp2App.coapsPort}`;
    bs = await startBootstrapServer({
      redisUrl: testRedisUrl(), keyPrefix: `${prefix}:bs`, requestTimeoutMs: 5000,
      certificate: { certChainPem: pki.sp2Server.certChainPem, keyPem: pki.sp2Server.keyPem, caPem: pki.chainPem(h.ca2) },
    });
    bs.events.on('BOOTSTRAP', (e) => bootstraps.push(e));
    adapter = new LocalServerAdapter(sp2App.lwm2m as unknown as LocalServer, { timeoutMs: 5000 });
    sp2 = new NewProvider({
      redis, keyPrefix: prefix, adapter, identity: 'sp2.example', signingKey: pki.sp2Signer.privateKey,
      sp1: { identity: 'sp1.example', publicKey: createPublicKey(sp1Keys.privateKey) }, ca2Issuer: h.ca2.subject,
      bootstrap: new Sp2Bootstrap({ configs: bs.configs, bootstrapUri: bs.uri, serverUri: sp2Uri, serverTrust: [ca2Root()], lifetime: 120 }),
    });
    for (const id of [...IN_TRANSFER, STRANGER]) {
      devices.set(id, await createDeviceCredentials(pki, id));
      ca2Certs.set(id, await ca2Identity(id));
    }
  });

  afterAll(async () => {
    for (const c of clients) await c.stop({ deregister: false }).catch(() => undefined);
    for (const s of sockets) s.close();
    await adapter?.close();
    await bs?.stop();
    await sp2App?.stop();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
    coap.globalAgent.close();
  });

  it('builds one configuration: Security Mode 4 for SP2\'s server with CA2 as its trust and no device key, and the Server account', () => {
    const cfg = sp2BootstrapConfig({ serverUri: 'coaps://sp2.example:5684', serverTrust: [ca2Root()], lifetime: 120 });
    expect(cfg).toEqual({
      toDelete: ['/0', '/1'],
      security: { 1: { uri: 'coaps://sp2.example:5684', bootstrapServer: false, securityMode: 4, serverPublicKey: Buffer.from(ca2Root()).toString('hex'), shortServerId: 1 } },
      servers: { 0: { shortServerId: 1, lifetime: 120, binding: 'U', notificationStoring: true } },
    });
    // What the server's bootstrap store accepts, unchanged but for the absent keys.
    expect(parseBootstrapConfig(cfg).security?.['1']).toMatchObject({ securityMode: 4, publicKeyOrIdentity: undefined, secretKey: undefined });
  });

  it('refuses unusable options with a reason', () => {
    const ok = { serverUri: 'coaps://sp2.example:5684', serverTrust: [ca2Root()] };
    expect(() => sp2BootstrapConfig({ ...ok, serverUri: 'coap://sp2.example:5683' })).toThrow(/coaps:\/\/ URI/);
    expect(() => sp2BootstrapConfig({ ...ok, serverTrust: [] })).toThrow(/at least one certificate/);
    expect(() => sp2BootstrapConfig({ ...ok, serverTrust: [Uint8Array.of(0x30, 0x03, 1, 2, 3)] })).toThrow(/serverTrust\[0\] is not a DER certificate/);
    expect(() => sp2BootstrapConfig({ ...ok, lifetime: 0 })).toThrow(/lifetime/);
    expect(() => sp2BootstrapConfig({ ...ok, shortServerId: 65535 })).toThrow(/shortServerId/);
    expect(() => sp2BootstrapConfig({ ...ok, binding: 'X' })).toThrow(/binding/);
    expect(() => new Sp2Bootstrap({ ...ok, configs: bs.configs, bootstrapUri: 'http://bs.example' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });

  it('writes no configuration when SP2 imports the list, one per device when it signs the TransferMessage', async () => {
    const now = Math.floor(Date.now() / 1000);
    const list = IN_TRANSFER.map((id) => ({
      factoryCertificate: devices.get(id)!.factory.certificate, updateTimeNotBefore: now - 60, updateTimeNotAfter: now + 3600,
      suitSequenceNumber: 1, suitReferenceUri: 'coap://fw.sp1.example/fw.suit',
    }));
    const imported = await sp2.importUpdateInfoList(await signUpdateInfoList(list, { key: sp1Keys.privateKey, alg: 'ES256' }));
    transferId = imported.transferId;
    expect(imported.devices.map((d) => d.deviceId)).toEqual(IN_TRANSFER);
    expect(await bs.configs.all()).toEqual({});
    expect(sp2.bootstrapUri).toBe(bs.uri);
    await sp2.buildTransferMessage(transferId, {
      resetTimeNotBefore: now - 60, resetTimeNotAfter: now + 3600, raUri: null, updateUri: 'coap://fw.sp2.example/fw.suit', updateFirst: false,
      enrollUri: 'coaps://est.ca2.example', fallbackUri: sp2Uri, bootstrapUri: bs.uri,
    });
    const all = await bs.configs.all();
    expect(Object.keys(all)).toEqual(IN_TRANSFER);
    expect(all[IN_TRANSFER[0]]).toMatchObject({ security: { 1: { uri: sp2Uri, securityMode: 4 } }, servers: { 0: { lifetime: 120 } } });
  });

  it('bootstraps a device of the transfer over DTLS with its CA2 certificate; it then registers with SP2 using that certificate', async () => {
    const id = IN_TRANSFER[0];
    const client = new LwM2mClient({ endpoint: id, bootstrapUri: bs.uri, security: ca2Certs.get(id)!, requestTimeout: 5000, bootstrapTimeout: 10_000, retryDelay: 200 });
    clients.push(client);
    await client.start();
    expect(client.registered).toBe(true);
    expect(client.currentServerUri()).toBe(sp2Uri);
    const session = bootstraps.find((e) => e.ep === id);
    expect(session?.status).toBe('finished');
    expect(session?.responses.map((r) => `${r.request} ${r.response.code}`)).toEqual([
      'bootstrapDelete /0 2.02', 'bootstrapDelete /1 2.02', 'bootstrapWrite /0/1 2.04', 'bootstrapWrite /1/0 2.04', 'bootstrapFinish 2.04',
    ]);
    // The device's account for SP2: Mode 4, no key material written by SP2.
    const value = (p: string) => { const n = client.getResource(p); return n.kind === 'singleResource' ? n.value : undefined; };
    expect(value('/0/1/0')).toBe(sp2Uri);
    expect(value('/0/1/2')).toBe(4n);
    expect((value('/0/1/3') as Uint8Array).length).toBe(0);
    expect((value('/0/1/5') as Uint8Array).length).toBe(0);
    expect(value('/1/0/1')).toBe(120n);
    // SP2 sees its CA2 certificate: an arrival of the transfer.
    const reg = await adapter.registration(id);
    const held = new X509Certificate(ca2Certs.get(id)!.certChainPem);
    expect(reg?.certificate?.serialNumber.toLowerCase()).toBe(held.serialNumber.toLowerCase());
    expect(await sp2.handleRegistration(id, reg!)).toBe('pending');
    expect(await sp2.arrival(id)).toMatchObject({ transferId, state: 'pending', certificateSerial: held.serialNumber.toLowerCase() });
  });

  it('refuses the Bootstrap-Request of a device that is not in a transfer, saying why, and writes nothing', async () => {
    const before = bootstraps.length;
    expect(await bootstrapRequest(STRANGER, ca2Certs.get(STRANGER)!)).toEqual({ code: '4.00', reason: `No bootstrap configuration for endpoint '${STRANGER}'` });
    await new Promise((r) => setTimeout(r, 300));
    expect(bootstraps.length).toBe(before);
    expect(await bs.configs.get(STRANGER)).toBeUndefined();
    expect(await sp2App.lwm2m.registrations.get(STRANGER)).toBeUndefined();
  });

  it('refuses a CA2 certificate that names another device (4.03), and a device without a CA2 certificate gets no DTLS session', async () => {
    expect(await bootstrapRequest(IN_TRANSFER[1], ca2Certs.get(STRANGER)!)).toEqual({
      code: '4.03', reason: `Certificate subject does not name endpoint '${IN_TRANSFER[1]}'`,
    });
    const ca1 = devices.get(IN_TRANSFER[1])!;
    const target = parseServerUri(bs.uri);
    const socket = new DtlsClient({
      host: target.host, port: target.port, handshakeTimeoutMs: 3000,
      certificate: { certChainPem: certificatePem(ca1.operational.certificate) + intermediatesPem(pki.hierarchy.ca1), keyPem: keyPem(ca1.operational.privateKey), caPem: certificatePem(ca2Root()) },
    });
    sockets.push(socket);
    await expect(socket.connect()).rejects.toThrow();
    expect(bootstraps.some((e) => e.ep === IN_TRANSFER[1])).toBe(false);
  });

  it('withdraws configurations: the device is then refused like a stranger', async () => {
    const second = new Sp2Bootstrap({ configs: bs.configs, bootstrapUri: bs.uri, serverUri: sp2Uri, serverTrust: [ca2Root()] });
    expect(await second.withdraw([IN_TRANSFER[1], STRANGER])).toBe(1);
    expect((await bootstrapRequest(IN_TRANSFER[1], ca2Certs.get(IN_TRANSFER[1])!)).code).toBe('4.00');
    expect(await bs.configs.get(IN_TRANSFER[0])).toBeDefined();
  });
});
