/**
 * The TS client opening its own DTLS sessions (LwM2mClientOptions.security, Security object
 * modes 0 PSK and 2 certificate) against the TS server's DTLS endpoint: registration in both
 * modes, the authenticated identity checked against the endpoint name, Registration.certificate,
 * device management over the client's session, and rejoin() from one server to another
 * (NoSec → x509, x509 → x509), persisted across a client restart.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DtlsServer } from '../../common/dtls/index';
import { LwM2mClient } from '../../client-sim/client';
import type { ClientSecurity } from '../../client-sim/client-options';
import { LwM2mPath } from '../../objects/path';
import { LwM2mServer } from '../../server/lwm2m-server';
import { DeviceTimeoutError, LocalServerAdapter, type LocalServer } from '../../plugin/adapter/index';
import { registrationToJson } from '../../server/rest/registration-json';
import { Harness, nextEvent } from './harness';
import { TestPki, type Issued } from './dtls-pki';

describe('client-sim over its own DTLS sessions', () => {
  const h = new Harness();
  const pki = new TestPki();
  const dtlsServers: DtlsServer[] = [];
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-dtls-state-'));
  let serverCa: string;
  let ca1: string;
  let ca2: string;
  let serverCert: Issued;
  let servers = 0;

  /** An LwM2M server whose DTLS endpoint takes PSK (security store) and certificates under `clientCa`. */
  async function secureServer(clientCa: string, opts: { allowNoSec?: boolean; bootstrap?: boolean } = {}): Promise<{ s: LwM2mServer; port: number; dtls: DtlsServer }> {
    let server: LwM2mServer | undefined;
    const dtls = new DtlsServer({
      psk: { lookup: async (identity) => { const i = await server?.security.getByIdentity(identity); return i?.mode === 'psk' ? i.key : undefined; } },
      certificate: { certChainPem: serverCert.certPem, keyPem: serverCert.keyPem, caPem: clientCa },
    });
    dtlsServers.push(dtls);
    const port = (await dtls.listen(0, '127.0.0.1')).port;
    const s = await h.server({ keyPrefix: `${h.prefix}:s${++servers}`, allowNoSec: opts.allowNoSec ?? false, bootstrap: opts.bootstrap ?? false, secureEndpoints: [{ socket: dtls, identityOf: (r) => dtls.identityOf(r) }] });
    server = s;
    return { s, port, dtls };
  }

  function x509(cert: Issued): ClientSecurity {
    return { mode: 'x509', certChainPem: cert.certPem, keyPem: cert.keyPem, caPem: serverCa };
  }

  beforeAll(() => {
    serverCa = pki.ca('server-ca', 'Handover Server CA').pem;
    ca1 = pki.ca('ca1', 'Provider One CA').pem;
    ca2 = pki.ca('ca2', 'Provider Two CA').pem;
    serverCert = pki.leaf('server', 'server-ca', { cn: 'lwm2m.test', server: true });
  });
  afterAll(async () => {
    await h.close();
    for (const d of dtlsServers) d.close();
    pki.remove();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('registers in PSK mode over a session it opens itself, and is managed over that session', async () => {
    const { s, port } = await secureServer(ca1);
    await s.security.put({ endpoint: 'psk-dev', mode: 'psk', identity: 'psk-dev-id', key: Buffer.alloc(16, 3) });
    const registered = nextEvent(s, 'REGISTRATION', (e) => e.registration.endpoint === 'psk-dev');
    const c = await h.client(s, { endpoint: 'psk-dev', serverUri: `coaps://127.0.0.1:${port}`, security: { mode: 'psk', identity: 'psk-dev-id', key: Buffer.alloc(16, 3) } });
    expect((await registered).registration).toMatchObject({ secure: true, identity: 'psk-dev-id', transport: 'coaps' });
    expect((await s.registrations.get('psk-dev'))?.certificate).toBeUndefined();
    // The Security object holds the credentials (mode 0, identity, key).
    expect(c.getResource('/0/0/2')).toMatchObject({ value: 0n });
    expect(Buffer.from((c.getResource('/0/0/3') as { value: Uint8Array }).value).toString()).toBe('psk-dev-id');
    // A downlink read reaches the device over its DTLS session.
    c.setResource('/3/0/0', 'Maker-PSK');
    expect(await s.send('psk-dev', { kind: 'read', path: LwM2mPath.parse('/3/0/0') })).toMatchObject({ code: '2.05', content: { value: 'Maker-PSK' } });
  });

  it('refuses a wrong PSK key (the handshake never completes)', async () => {
    const { s, port } = await secureServer(ca1);
    await s.security.put({ endpoint: 'psk-bad', mode: 'psk', identity: 'psk-bad-id', key: Buffer.alloc(16, 4) });
    const c = new LwM2mClient({ endpoint: 'psk-bad', serverUri: `coaps://127.0.0.1:${port}`, security: { mode: 'psk', identity: 'psk-bad-id', key: Buffer.alloc(16, 5) }, requestTimeout: 1500, retryDelay: 60000 });
    h.clients.push(c);
    await expect(c.start()).rejects.toMatchObject({ code: 'ERR_REGISTRATION' });
    expect(await s.registrations.get('psk-bad')).toBeUndefined();
  });

  it('registers in certificate mode with Registration.certificate from its chain', async () => {
    const { s, port } = await secureServer(ca1);
    const cert = pki.leaf('dev-x1', 'ca1', { cn: 'dev-x1' });
    const c = await h.client(s, { endpoint: 'dev-x1', serverUri: `coaps://127.0.0.1:${port}`, security: x509(cert) });
    const reg = await s.registrations.get('dev-x1');
    const leaf = new X509Certificate(cert.certPem);
    expect(reg).toMatchObject({ secure: true, transport: 'coaps' });
    expect(reg?.certificate).toEqual({
      subject: 'CN=dev-x1, serialNumber=dev-x1',
      issuer: 'CN=Provider One CA',
      serialNumber: cert.serial.toLowerCase().replace(/^(00)+(?=..)/, ''),
      fingerprint256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
    expect(registrationToJson(reg!)).toMatchObject({ certificate: { issuer: 'CN=Provider One CA' } });
    expect(c.getResource('/0/0/2')).toMatchObject({ value: 2n });
    expect(await s.send('dev-x1', { kind: 'read', path: LwM2mPath.parse('/3/0/2') })).toMatchObject({ code: '2.05', content: { value: 'dev-x1' } });
  });

  it('refuses a certificate whose CN names another endpoint', async () => {
    const { s, port } = await secureServer(ca1);
    const cert = pki.leaf('dev-owner', 'ca1', { cn: 'dev-owner' });
    const c = new LwM2mClient({ endpoint: 'dev-impostor', serverUri: `coaps://127.0.0.1:${port}`, security: x509(cert), retryDelay: 60000, requestTimeout: 5000 });
    h.clients.push(c);
    await expect(c.start()).rejects.toThrow(/4\.03/);
    expect(await s.registrations.get('dev-impostor')).toBeUndefined();
  });

  it('refuses a certificate from a CA the server does not trust', async () => {
    const { s, port } = await secureServer(ca1);
    const cert = pki.leaf('dev-ca2', 'ca2', { cn: 'dev-ca2' });
    const c = new LwM2mClient({ endpoint: 'dev-ca2', serverUri: `coaps://127.0.0.1:${port}`, security: x509(cert), retryDelay: 60000, requestTimeout: 5000 });
    h.clients.push(c);
    await expect(c.start()).rejects.toMatchObject({ code: 'ERR_REGISTRATION' });
    expect(await s.registrations.get('dev-ca2')).toBeUndefined();
  });

  it('rejoins from a NoSec server to an x509 server, and stays there after a restart', async () => {
    const a = await h.server({ keyPrefix: `${h.prefix}:nosec`, allowNoSec: true });
    const { s: b, port } = await secureServer(ca1);
    const stateFile = path.join(stateDir, 'rejoin-1.json');
    const options = { endpoint: 'dev-r1', serverUri: `coap://127.0.0.1:${a.coapPort}`, lifetime: 300, retryDelay: 200, stateFile };
    const c = await h.client(a, options);
    expect(c.currentServerUri()).toBe(`coap://127.0.0.1:${a.coapPort}`);
    const left = nextEvent(a, 'DEREGISTRATION', (e) => e.registration.endpoint === 'dev-r1');
    const cert = pki.leaf('dev-r1', 'ca1', { cn: 'dev-r1' });
    await c.rejoin({ uri: `coaps://127.0.0.1:${port}`, bootstrap: false, security: x509(cert), lifetime: 120 }, { timeoutMs: 10000 });
    await left;
    expect(c.currentServerUri()).toBe(`coaps://127.0.0.1:${port}`);
    expect(await a.registrations.get('dev-r1')).toBeUndefined();
    expect(await b.registrations.get('dev-r1')).toMatchObject({ secure: true, lifetime: 120, certificate: { issuer: 'CN=Provider One CA' } });
    expect(await b.send('dev-r1', { kind: 'read', path: LwM2mPath.parse('/3/0/2') })).toMatchObject({ code: '2.05' });

    // Power loss and restart with the same factory options: the state file has the new account.
    await c.stop({ deregister: false });
    const updated = nextEvent(b, 'UPDATED', (e) => e.registration.endpoint === 'dev-r1');
    const again = new LwM2mClient(options);
    h.clients.push(again);
    await again.start();
    await updated;
    expect(again.currentServerUri()).toBe(`coaps://127.0.0.1:${port}`);
    expect(await a.registrations.get('dev-r1')).toBeUndefined();
    expect(await b.send('dev-r1', { kind: 'read', path: LwM2mPath.parse('/3/0/2') })).toMatchObject({ code: '2.05', content: { value: 'dev-r1' } });
  });

  it('rejoins from a CA1 server with the factory certificate to a CA2 server with a new certificate, and back', async () => {
    const { s: one, port: p1 } = await secureServer(ca1);
    const { s: two, port: p2 } = await secureServer(ca2);
    const factory = pki.leaf('dev-r2-factory', 'ca1', { cn: 'dev-r2' });
    const operational = pki.leaf('dev-r2-op', 'ca2', { cn: 'dev-r2' });
    const stateFile = path.join(stateDir, 'rejoin-2.json');
    const options = { endpoint: 'dev-r2', serverUri: `coaps://127.0.0.1:${p1}`, security: x509(factory), lifetime: 300, retryDelay: 200, stateFile };
    const c = await h.client(one, options);
    expect((await one.registrations.get('dev-r2'))?.certificate?.issuer).toBe('CN=Provider One CA');

    await c.rejoin({ uri: `coaps://127.0.0.1:${p2}`, bootstrap: false, security: x509(operational) });
    expect(await one.registrations.get('dev-r2')).toBeUndefined();
    const reg = await two.registrations.get('dev-r2');
    expect(reg?.certificate).toMatchObject({ issuer: 'CN=Provider Two CA', fingerprint256: new X509Certificate(operational.certPem).fingerprint256.replace(/:/g, '').toLowerCase() });

    // Restart: still with provider two, with the CA2 certificate.
    await c.stop({ deregister: false });
    const again = new LwM2mClient(options);
    h.clients.push(again);
    const updated = nextEvent(two, 'UPDATED', (e) => e.registration.endpoint === 'dev-r2');
    await again.start();
    await updated;
    expect(again.currentServerUri()).toBe(`coaps://127.0.0.1:${p2}`);
    expect(await two.send('dev-r2', { kind: 'read', path: LwM2mPath.parse('/3/0/0') })).toMatchObject({ code: '2.05' });

    // Fallback to the old provider with the factory certificate.
    await again.rejoin({ uri: `coaps://127.0.0.1:${p1}`, bootstrap: false, security: x509(factory) });
    expect(await two.registrations.get('dev-r2')).toBeUndefined();
    expect((await one.registrations.get('dev-r2'))?.certificate?.issuer).toBe('CN=Provider One CA');
  });

  it('rejects a rejoin the new server refuses, within its deadline, and refuses malformed accounts', async () => {
    const { s, port } = await secureServer(ca1);
    const c = await h.client(await h.server({ allowNoSec: true }), { endpoint: 'dev-r3' });
    const wrongCn = pki.leaf('dev-r3-wrong', 'ca1', { cn: 'someone-else' });
    await expect(c.rejoin({ uri: `coaps://127.0.0.1:${port}`, bootstrap: false, security: x509(wrongCn) }, { timeoutMs: 8000 }))
      .rejects.toMatchObject({ code: 'ERR_REGISTRATION', message: expect.stringMatching(/4\.03/) });
    expect(await s.registrations.get('dev-r3')).toBeUndefined();
    await expect(c.rejoin({ uri: `coaps://127.0.0.1:${port}`, bootstrap: false, security: { mode: 'nosec' } })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(c.rejoin({ uri: 'http://x', bootstrap: false, security: { mode: 'nosec' } })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(c.rejoin({ uri: `coaps://127.0.0.1:${port}`, bootstrap: false, security: { mode: 'x509', certChainPem: 'junk', keyPem: 'junk', caPem: 'junk' } }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('rejoins through a DTLS bootstrap server that writes certificate credentials for the DM server (two sessions)', async () => {
    const { s: bs, port: bsPort } = await secureServer(ca1, { bootstrap: true });
    const { s: dm, port: dmPort } = await secureServer(ca2);
    const key = Buffer.alloc(16, 9);
    await bs.security.put({ endpoint: 'dev-bs', mode: 'psk', identity: 'dev-bs-id', key });
    const cert = pki.leaf('dev-bs', 'ca2', { cn: 'dev-bs' });
    const der = (pem: string) => new X509Certificate(pem).raw.toString('hex');
    await bs.bootstrapConfigs.set('dev-bs', {
      toDelete: ['/0', '/1'],
      security: {
        0: { uri: `coaps://127.0.0.1:${bsPort}`, bootstrapServer: true, securityMode: 0, publicKeyOrIdentity: Buffer.from('dev-bs-id').toString('hex'), secretKey: key.toString('hex') },
        1: {
          uri: `coaps://127.0.0.1:${dmPort}`, bootstrapServer: false, securityMode: 2, shortServerId: 3,
          publicKeyOrIdentity: der(cert.certPem), serverPublicKey: der(serverCa),
          secretKey: createPrivateKey(cert.keyPem).export({ type: 'pkcs8', format: 'der' }).toString('hex'),
        },
      },
      servers: { 0: { shortServerId: 3, lifetime: 90, binding: 'U' } },
    });
    const c = await h.client(await h.server({ keyPrefix: `${h.prefix}:nosec-bs`, allowNoSec: true }), { endpoint: 'dev-bs' });
    const finished = nextEvent(bs, 'BOOTSTRAP', (e) => e.ep === 'dev-bs');
    await c.rejoin({ uri: `coaps://127.0.0.1:${bsPort}`, bootstrap: true, security: { mode: 'psk', identity: 'dev-bs-id', key } }, { timeoutMs: 10000 });
    expect((await finished).status).toBe('finished');
    expect(c.currentServerUri()).toBe(`coaps://127.0.0.1:${dmPort}`);
    expect(await dm.registrations.get('dev-bs')).toMatchObject({ lifetime: 90, certificate: { subject: 'CN=dev-bs, serialNumber=dev-bs', issuer: 'CN=Provider Two CA' } });
    expect(await dm.send('dev-bs', { kind: 'read', path: LwM2mPath.parse('/1/0/1') })).toMatchObject({ code: '2.05', content: { value: 90n } });
  });

  it('reports a device whose DTLS session died with a restarted server as timed out to the DM adapter', async () => {
    const { s, port } = await secureServer(ca1);
    await s.security.put({ endpoint: 'psk-lost', mode: 'psk', identity: 'psk-lost-id', key: Buffer.alloc(16, 6) });
    const registered = nextEvent(s, 'REGISTRATION', (e) => e.registration.endpoint === 'psk-lost');
    await h.client(s, { endpoint: 'psk-lost', serverUri: `coaps://127.0.0.1:${port}`, security: { mode: 'psk', identity: 'psk-lost-id', key: Buffer.alloc(16, 6) } });
    await registered;
    // A second server process on the same Redis (a restart): the registration is there, the session is not.
    const dtls = new DtlsServer({ psk: { lookup: async () => undefined } });
    dtlsServers.push(dtls);
    await dtls.listen(0, '127.0.0.1');
    const restarted = await h.server({ keyPrefix: `${h.prefix}:s${servers}`, allowNoSec: false, secureEndpoints: [{ socket: dtls, identityOf: (r) => dtls.identityOf(r) }] });
    expect(await restarted.registrations.get('psk-lost')).toBeDefined();
    const adapter = new LocalServerAdapter(restarted as unknown as LocalServer, { timeoutMs: 3000 });
    try {
      const err = await adapter.read('psk-lost', '/3/0/0').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceTimeoutError);
      expect((err as Error).message).toMatch(/no DTLS session/);
    } finally {
      await adapter.close();
    }
  });
});
