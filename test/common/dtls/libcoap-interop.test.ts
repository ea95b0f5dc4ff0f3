/**
 * Interoperability with independent DTLS stacks from Debian's libcoap3-bin:
 * coap-client-openssl / coap-client-gnutls against a node-coap server on our DtlsServer, and our
 * DtlsClient (under a coap Agent) against coap-server-openssl. PSK and certificates, both ways.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as coap from 'coap';
import { DtlsClient } from '../../../common/dtls/client';
import { DtlsServer, type DtlsHandshakeErrorEvent, type DtlsSessionEvent } from '../../../common/dtls/server';
import { agentOver, coapGet, freePortPair } from './coap-helpers';
import { makeTestPki, type TestPki } from './pki';

const IDENTITY = 'urn:imei:490154203237518';
const KEY = 'interop-secret-psk';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a libcoap tool without blocking the event loop (our server runs in this process). */
function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function withCoapServer(server: DtlsServer, body: (port: number) => Promise<void>): Promise<void> {
  const coapServer = coap.createServer((req, res) => {
    const who = server.identityOf(req.rsinfo);
    res.end(who === undefined ? 'nobody' : who.kind === 'psk' ? `psk:${who.identity}` : `x509:${who.subject}`);
  });
  const { port } = await server.listen(0, '127.0.0.1');
  coapServer.listen(server);
  try {
    await body(port);
  } finally {
    await new Promise<void>((resolve) => coapServer.close(() => server.close(() => resolve())));
  }
}

function pskServer(): DtlsServer {
  return new DtlsServer({ psk: { lookup: async (identity) => (identity === IDENTITY ? Buffer.from(KEY) : undefined) } });
}

function certServer(): DtlsServer {
  return new DtlsServer({ certificate: { certChainPem: pki.pem.serverCert, keyPem: pki.pem.serverKey, caPem: pki.pem.ca } });
}

describe.each(['coap-client-openssl', 'coap-client-gnutls'])('%s → DtlsServer', (tool) => {
  test('PSK', async () => {
    const server = pskServer();
    const sessions: DtlsSessionEvent[] = [];
    server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
    await withCoapServer(server, async (port) => {
      const r = await run(tool, ['-B', '5', '-u', IDENTITY, '-k', KEY, `coaps://127.0.0.1:${port}/who`]);
      expect(r.stdout.trim()).toBe(`psk:${IDENTITY}`);
      expect(sessions[0].cipher).toBe('TLS_PSK_WITH_AES_128_CCM_8');
    });
  });

  test('certificates, mutually authenticated', async () => {
    const server = certServer();
    const sessions: DtlsSessionEvent[] = [];
    server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
    await withCoapServer(server, async (port) => {
      const r = await run(tool, ['-B', '5', '-c', pki.files.clientCert, '-j', pki.files.clientKey, '-R', pki.files.ca, `coaps://127.0.0.1:${port}/who`]);
      expect(r.stdout.trim()).toBe('x509:CN=urn:dev:ops:test-1');
      expect(sessions[0].cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
    });
  });

  test('a wrong PSK key is refused', async () => {
    const server = pskServer();
    const sessions: DtlsSessionEvent[] = [];
    server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
    await withCoapServer(server, async (port) => {
      const r = await run(tool, ['-B', '3', '-u', IDENTITY, '-k', 'not-the-key', `coaps://127.0.0.1:${port}/who`]);
      expect(r.stdout).not.toContain('psk:');
      expect(sessions).toHaveLength(0);
    });
  });

  test('a client certificate from an unknown CA is refused', async () => {
    const server = certServer();
    const errors: DtlsHandshakeErrorEvent[] = [];
    server.on('handshakeError', (e: DtlsHandshakeErrorEvent) => errors.push(e));
    await withCoapServer(server, async (port) => {
      const r = await run(tool, ['-B', '3', '-c', pki.files.rogueCert, '-j', pki.files.rogueKey, '-R', pki.files.ca, `coaps://127.0.0.1:${port}/who`]);
      expect(r.stdout).not.toContain('x509:');
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors[0].error.message).toMatch(/certificate verif/i);
    });
  });
});

describe('DtlsClient → coap-server-openssl', () => {
  let child: ChildProcess | undefined;
  let port = 0;

  async function startServer(args: string[]): Promise<void> {
    const base = await freePortPair();
    port = base + 1; // coap-server listens for DTLS on its port + 1
    child = spawn('coap-server-openssl', ['-A', '127.0.0.1', '-p', String(base), ...args], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  }

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
  });

  async function get(client: DtlsClient): Promise<{ code: string; payload: string }> {
    try {
      return await coapGet(agentOver(client), port, '/');
    } finally {
      await new Promise<void>((resolve) => client.close(() => resolve()));
    }
  }

  test('PSK', async () => {
    await startServer(['-k', KEY]);
    const client = new DtlsClient({ host: '127.0.0.1', port, psk: { identity: IDENTITY, key: Buffer.from(KEY) } });
    const res = await get(client);
    expect(res.code).toBe('2.05');
    expect(res.payload).toContain('libcoap');
  });

  test('certificates, mutually authenticated', async () => {
    await startServer(['-c', pki.files.serverCert, '-j', pki.files.serverKey, '-R', pki.files.ca]);
    const client = new DtlsClient({
      host: '127.0.0.1', port,
      certificate: { certChainPem: pki.pem.clientCert, keyPem: pki.pem.clientKey, caPem: pki.pem.ca, verifyName: '127.0.0.1' },
    });
    const ids: unknown[] = [];
    client.on('session', (e: { identity: unknown }) => ids.push(e.identity));
    const res = await get(client);
    expect(res.payload).toContain('libcoap');
    expect(ids).toEqual([expect.objectContaining({ kind: 'x509', subject: 'CN=localhost' })]);
  });

  test('a wrong PSK key is refused', async () => {
    await startServer(['-k', KEY]);
    const client = new DtlsClient({ host: '127.0.0.1', port, psk: { identity: IDENTITY, key: Buffer.from('wrong') }, handshakeTimeoutMs: 3000 });
    try {
      // DTLS drops records that fail authentication (RFC 6347 §4.1.2.7): the Finished never verifies.
      await expect(client.connect()).rejects.toThrow(/handshake not finished after 3000 ms/);
      expect(client.established).toBe(false);
    } finally {
      await new Promise<void>((resolve) => client.close(() => resolve()));
    }
  });

  test('a server certificate outside the trust anchors is refused, and so is our unknown-CA certificate', async () => {
    await startServer(['-c', pki.files.serverCert, '-j', pki.files.serverKey, '-R', pki.files.ca]);
    const distrusting = new DtlsClient({
      host: '127.0.0.1', port,
      certificate: { certChainPem: pki.pem.clientCert, keyPem: pki.pem.clientKey, caPem: pki.pem.rogueCa },
    });
    const rogue = new DtlsClient({
      host: '127.0.0.1', port, handshakeTimeoutMs: 3000,
      certificate: { certChainPem: pki.pem.rogueCert, keyPem: pki.pem.rogueKey, caPem: pki.pem.ca },
    });
    try {
      await expect(distrusting.connect()).rejects.toThrow(/certificate verify failed/i);
      await expect(rogue.connect()).rejects.toThrow(/alert unknown ca/);
    } finally {
      await new Promise<void>((resolve) => distrusting.close(() => resolve()));
      await new Promise<void>((resolve) => rogue.close(() => resolve()));
    }
  });
});
