/**
 * Our DtlsClient (under a coap Agent) against our DtlsServer (under a coap server), on real UDP
 * on 127.0.0.1: PSK with the key looked up asynchronously in Redis, certificates with mutual
 * authentication, refusals, idle expiry and close_notify.
 */
import * as coap from 'coap';
import type { Redis } from 'ioredis';
import { X509Certificate } from 'node:crypto';
import { DtlsClient } from '../../../common/dtls/client';
import { DtlsError } from '../../../common/dtls/errors';
import { DtlsServer, type DtlsHandshakeErrorEvent, type DtlsSessionClosedEvent, type DtlsSessionEvent } from '../../../common/dtls/server';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';
import { agentOver, coapGet } from './coap-helpers';
import { makeTestPki, type TestPki } from './pki';

let pki: TestPki;
let redis: Redis;
let prefix: string;
const PSK_KEY = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');

beforeAll(async () => {
  pki = makeTestPki();
  redis = testRedis();
  prefix = randomPrefix('dtls');
  await redis.set(`${prefix}:psk:dev-1`, PSK_KEY);
});

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
  pki.remove();
});

/** A DtlsServer with a coap server on top answering "<path> for <identity>". */
async function startStack(server: DtlsServer): Promise<{ port: number; coapServer: coap.Server; stop: () => Promise<void> }> {
  const coapServer = coap.createServer((req, res) => {
    const who = server.identityOf(req.rsinfo);
    const name = who === undefined ? 'nobody' : who.kind === 'psk' ? `psk:${who.identity}` : `x509:${who.subject}`;
    res.end(`${req.url} for ${name}`);
  });
  const { port } = await server.listen(0, '127.0.0.1');
  coapServer.listen(server);
  return {
    port,
    coapServer,
    stop: () => new Promise<void>((resolve) => coapServer.close(() => server.close(() => resolve()))),
  };
}

function pskServer(extra: Partial<ConstructorParameters<typeof DtlsServer>[0]> = {}): DtlsServer {
  return new DtlsServer({
    psk: { lookup: async (identity) => (await redis.getBuffer(`${prefix}:psk:${identity}`)) ?? undefined },
    ...extra,
  });
}

function certServer(extra: Partial<ConstructorParameters<typeof DtlsServer>[0]> = {}): DtlsServer {
  return new DtlsServer({
    certificate: { certChainPem: pki.pem.serverCert, keyPem: pki.pem.serverKey, caPem: pki.pem.ca },
    ...extra,
  });
}

function closeClient(client: DtlsClient): Promise<void> {
  return new Promise((resolve) => client.close(() => resolve()));
}

describe('DtlsClient ↔ DtlsServer, PSK', () => {
  test('CoAP over DTLS with the key looked up in Redis; CCM_8 by default', async () => {
    const server = pskServer();
    const sessions: DtlsSessionEvent[] = [];
    server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
    const stack = await startStack(server);
    const client = new DtlsClient({ host: '127.0.0.1', port: stack.port, psk: { identity: 'dev-1', key: PSK_KEY } });
    try {
      const res = await coapGet(agentOver(client), stack.port, '/hello');
      expect(res).toEqual({ code: '2.05', payload: '/hello for psk:dev-1' });
      expect(sessions).toHaveLength(1);
      expect(sessions[0].cipher).toBe('TLS_PSK_WITH_AES_128_CCM_8');
      expect(sessions[0].identity).toEqual({ kind: 'psk', identity: 'dev-1' });
      expect(server.identityOf(sessions[0].rinfo)).toEqual({ kind: 'psk', identity: 'dev-1' });
      expect(client.address().port).toBe(sessions[0].rinfo.port);
      // A second request reuses the session.
      expect((await coapGet(agentOver(client), stack.port, '/again')).payload).toBe('/again for psk:dev-1');
      expect(sessions).toHaveLength(1);
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('AES-128-GCM when the client offers only that suite', async () => {
    const server = pskServer();
    const stack = await startStack(server);
    const client = new DtlsClient({
      host: '127.0.0.1', port: stack.port, psk: { identity: 'dev-1', key: PSK_KEY }, cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'],
    });
    const ciphers: string[] = [];
    client.on('session', (e: { cipher: string }) => ciphers.push(e.cipher));
    try {
      await client.connect();
      expect(ciphers).toEqual(['TLS_PSK_WITH_AES_128_GCM_SHA256']);
      expect((await coapGet(agentOver(client), stack.port, '/gcm')).payload).toBe('/gcm for psk:dev-1');
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('an unknown identity is refused with unknown_psk_identity', async () => {
    const server = pskServer();
    const errors: DtlsHandshakeErrorEvent[] = [];
    server.on('handshakeError', (e: DtlsHandshakeErrorEvent) => errors.push(e));
    const stack = await startStack(server);
    const client = new DtlsClient({ host: '127.0.0.1', port: stack.port, psk: { identity: 'stranger', key: PSK_KEY } });
    try {
      const err = await client.connect().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(DtlsError);
      expect((err as DtlsError).code).toBe('ERR_DTLS');
      expect((err as DtlsError).message).toMatch(/unknown psk identity/i);
      expect(errors).toHaveLength(1);
      expect(errors[0].error.message).toMatch(/psk identity not found/i);
      expect(server.sessionCount).toBe(0);
      // Sends after the failure fail with the handshake error, without a new handshake.
      const sendErr = await new Promise<Error | null>((resolve) => client.send(Buffer.from('x'), stack.port, '127.0.0.1', (e) => resolve(e)));
      expect(sendErr).toBe(err);
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('a wrong key is refused (the Finished never verifies)', async () => {
    const server = pskServer({ handshakeTimeoutMs: 2500 });
    const sessions: DtlsSessionEvent[] = [];
    const errors: DtlsHandshakeErrorEvent[] = [];
    server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
    server.on('handshakeError', (e: DtlsHandshakeErrorEvent) => errors.push(e));
    const stack = await startStack(server);
    const client = new DtlsClient({ host: '127.0.0.1', port: stack.port, psk: { identity: 'dev-1', key: Buffer.alloc(16, 7) }, handshakeTimeoutMs: 2500 });
    try {
      await expect(client.connect()).rejects.toBeInstanceOf(DtlsError);
      await new Promise((r) => setTimeout(r, 300));
      expect(sessions).toHaveLength(0);
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(server.identityOf({ address: '127.0.0.1', port: client.address().port })).toBeUndefined();
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });
});

describe('DtlsClient ↔ DtlsServer, certificates (ECDHE-ECDSA, mutual)', () => {
  test('both sides see each other’s validated chain', async () => {
    const server = certServer();
    const sessions: DtlsSessionEvent[] = [];
    server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
    const stack = await startStack(server);
    const client = new DtlsClient({
      host: '127.0.0.1', port: stack.port,
      certificate: { certChainPem: pki.pem.clientCert, keyPem: pki.pem.clientKey, caPem: pki.pem.ca, verifyName: '127.0.0.1' },
    });
    try {
      const res = await coapGet(agentOver(client), stack.port, '/x509');
      expect(res.payload).toBe('/x509 for x509:CN=urn:dev:ops:test-1');
      expect(sessions[0].cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
      const who = server.identityOf(sessions[0].rinfo);
      expect(who?.kind).toBe('x509');
      if (who?.kind !== 'x509') throw new Error('unreachable');
      expect(who.san).toEqual(['URI:urn:dev:ops:test-1']);
      expect(who.chain[0].equals(new X509Certificate(pki.pem.clientCert).raw)).toBe(true);
      const serverSide = client.peerIdentity();
      expect(serverSide?.kind === 'x509' && serverSide.subject).toBe('CN=localhost');
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('a client certificate from an unknown CA is refused', async () => {
    const server = certServer();
    const errors: DtlsHandshakeErrorEvent[] = [];
    server.on('handshakeError', (e: DtlsHandshakeErrorEvent) => errors.push(e));
    const stack = await startStack(server);
    const client = new DtlsClient({
      host: '127.0.0.1', port: stack.port,
      certificate: { certChainPem: pki.pem.rogueCert, keyPem: pki.pem.rogueKey, caPem: pki.pem.ca },
    });
    try {
      await expect(client.connect()).rejects.toThrow(/unknown ca/i);
      expect(errors).toHaveLength(1);
      expect(errors[0].error.message).toMatch(/certificate verif/i);
      expect(server.sessionCount).toBe(0);
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('the client refuses a server outside its trust anchors, and a wrong server name', async () => {
    const server = certServer();
    const stack = await startStack(server);
    const untrusting = new DtlsClient({
      host: '127.0.0.1', port: stack.port,
      certificate: { certChainPem: pki.pem.clientCert, keyPem: pki.pem.clientKey, caPem: pki.pem.rogueCa },
    });
    const wrongName = new DtlsClient({
      host: '127.0.0.1', port: stack.port,
      certificate: { certChainPem: pki.pem.clientCert, keyPem: pki.pem.clientKey, caPem: pki.pem.ca, verifyName: 'lwm2m.example.com' },
    });
    try {
      await expect(untrusting.connect()).rejects.toThrow(/certificate verify failed/i);
      await expect(wrongName.connect()).rejects.toThrow(/hostname mismatch/i);
    } finally {
      await closeClient(untrusting);
      await closeClient(wrongName);
      await stack.stop();
    }
  });
});

describe('session lifecycle', () => {
  test('idle sessions expire with close_notify; the client reconnects on its next request', async () => {
    const server = pskServer({ idleTimeoutMs: 400 });
    const closed: DtlsSessionClosedEvent[] = [];
    server.on('sessionClosed', (e: DtlsSessionClosedEvent) => closed.push(e));
    const stack = await startStack(server);
    const client = new DtlsClient({ host: '127.0.0.1', port: stack.port, psk: { identity: 'dev-1', key: PSK_KEY } });
    const clientClosed = new Promise<{ reason: string }>((resolve) => client.once('sessionClosed', resolve));
    try {
      await coapGet(agentOver(client), stack.port, '/a');
      expect(server.sessionCount).toBe(1);
      expect(await clientClosed).toEqual({ reason: 'peer', error: undefined });
      expect(closed.map((c) => c.reason)).toEqual(['idle']);
      expect(server.sessionCount).toBe(0);
      expect(client.established).toBe(false);
      expect((await coapGet(agentOver(client), stack.port, '/b')).payload).toBe('/b for psk:dev-1');
      expect(server.sessionCount).toBe(1);
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('client close() sends close_notify and the server forgets the session', async () => {
    const server = pskServer();
    const stack = await startStack(server);
    const client = new DtlsClient({ host: '127.0.0.1', port: stack.port, psk: { identity: 'dev-1', key: PSK_KEY } });
    try {
      await client.connect();
      const closed = new Promise<DtlsSessionClosedEvent>((resolve) => server.once('sessionClosed', resolve));
      const peer = { address: '127.0.0.1', port: client.address().port };
      expect(server.identityOf(peer)).toEqual({ kind: 'psk', identity: 'dev-1' });
      await closeClient(client);
      expect((await closed).reason).toBe('peer');
      expect(server.identityOf(peer)).toBeUndefined();
    } finally {
      await closeClient(client);
      await stack.stop();
    }
  });

  test('server send() without a session reports no-session', async () => {
    const server = pskServer();
    const stack = await startStack(server);
    try {
      const err = await new Promise<Error | null>((resolve) => server.send(Buffer.from('hi'), 0, 2, 9, '127.0.0.1', (e) => resolve(e)));
      expect(err).toBeInstanceOf(DtlsError);
      expect((err as DtlsError).reason).toBe('no-session');
    } finally {
      await stack.stop();
    }
  });
});
