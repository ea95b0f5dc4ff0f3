/**
 * `handover server --coaps-port` in-process: one DTLS endpoint with PSK (keys put in the security
 * store through the REST API) and certificate mode (--cert/--key/--ca); clients of both kinds
 * register over it; the REST API shows the coaps endpoint and the registration's certificate.
 * Bad option combinations exit 2, unreadable PEM files exit 1.
 */
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import * as path from 'node:path';
import { LwM2mClient } from '../../client-sim/client';
import { captureIo } from '../../scripts/cli/io';
import { runCli } from '../../scripts/cli/main';
import { requestStop as requestServerStop } from '../../scripts/cli/until-signal';
import { TestPki } from './dtls-pki';

const TOKEN = 'cli-dtls-test-token-0123456789';

function request(port: number, method: string, p: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

async function until(cond: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('handover server --coaps-port', () => {
  const pki = new TestPki();
  let serverCa: { pem: string; file: string };
  let clientCa: { pem: string; file: string };
  let server: ReturnType<TestPki['leaf']>;

  beforeAll(() => {
    serverCa = pki.ca('server-ca', 'CLI Server CA');
    clientCa = pki.ca('client-ca', 'CLI Device CA');
    server = pki.leaf('server', 'server-ca', { cn: 'cli.test', server: true });
  });
  afterAll(() => pki.remove());

  it.each([
    [['--cert', 'a.pem']],
    [['--coaps-port', '0', '--cert', 'a.pem', '--key', 'k.pem']],
    [['--cert', 'a.pem', '--key', 'k.pem', '--ca', 'c.pem']],
    [['--coaps-port', 'x']],
  ])('exits 2 with usage for %j', async (argv) => {
    const io = captureIo();
    expect(await runCli(['server', ...argv], io)).toBe(2);
    expect(io.stderr).toContain('usage: handover server');
  });

  it('exits 1 on a PEM file that cannot be read or holds no key', async () => {
    const io = captureIo();
    const argv = ['server', '--coaps-port', '0', '--cert', server.certFile, '--key', server.certFile, '--ca', clientCa.file];
    expect(await runCli(argv, io)).toBe(1);
    expect(io.stderr).toMatch(/holds no PEM PRIVATE KEY/);
    const io2 = captureIo();
    expect(await runCli(['server', '--coaps-port', '0', '--cert', path.join(pki.dir, 'none.pem'), '--key', server.keyFile, '--ca', clientCa.file], io2)).toBe(1);
    expect(io2.stderr).toMatch(/cannot read/);
  });

  it('serves PSK and certificate clients on one DTLS endpoint', async () => {
    const dataDir = path.join(pki.dir, 'data');
    const io = captureIo();
    const run = runCli([
      'server', '--coap-port', '0', '--http-port', '0', '--data-dir', dataDir, '--token', TOKEN,
      '--coaps-port', '0', '--cert', server.certFile, '--key', server.keyFile, '--ca', clientCa.file,
    ], io);
    const clients: LwM2mClient[] = [];
    const suffix = randomBytes(4).toString('hex');
    const pskEp = `cli-psk-${suffix}`;
    const certEp = `cli-x509-${suffix}`;
    let httpPort = 0;
    try {
      await until(() => /REST API listening/.test(io.stdout) || /stopped|error/i.test(io.stderr));
      expect(io.stderr).not.toContain('WARNING: --allow-nosec');
      const coaps = /listening on (coaps:\/\/127\.0\.0\.1:\d+) \(DTLS 1\.2: PSK and X\.509 certificates\)/.exec(io.stdout)![1];
      httpPort = Number(/REST API listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(io.stdout)![1]);
      const endpoints = JSON.parse((await request(httpPort, 'GET', '/api/server/endpoint')).body) as Array<{ uri: { full: string } }>;
      expect(endpoints.map((e) => e.uri.full)).toContain(coaps);
      expect(JSON.parse((await request(httpPort, 'GET', '/api/server/security')).body)).toHaveProperty('certificate.b64Der');

      const key = randomBytes(16);
      expect((await request(httpPort, 'PUT', '/api/security/clients', { endpoint: pskEp, tls: { mode: 'psk', details: { identity: `${pskEp}-id`, key: key.toString('hex') } } })).status).toBe(200);
      const psk = new LwM2mClient({ endpoint: pskEp, serverUri: coaps, security: { mode: 'psk', identity: `${pskEp}-id`, key }, requestTimeout: 5000 });
      clients.push(psk);
      await psk.start();

      const cert = pki.leaf('device', 'client-ca', { cn: certEp });
      const x509 = new LwM2mClient({ endpoint: certEp, serverUri: coaps, security: { mode: 'x509', certChainPem: cert.certPem, keyPem: cert.keyPem, caPem: serverCa.pem }, requestTimeout: 5000 });
      clients.push(x509);
      await x509.start();

      const regPsk = JSON.parse((await request(httpPort, 'GET', `/api/clients/${pskEp}`)).body);
      expect(regPsk).toMatchObject({ endpoint: pskEp, secure: true });
      expect(regPsk.certificate).toBeUndefined();
      const regCert = JSON.parse((await request(httpPort, 'GET', `/api/clients/${certEp}`)).body);
      expect(regCert).toMatchObject({ endpoint: certEp, secure: true, certificate: { issuer: 'CN=CLI Device CA', subject: `CN=${certEp}, serialNumber=${certEp}` } });
      const read = JSON.parse((await request(httpPort, 'GET', `/api/clients/${certEp}/3/0/2`)).body);
      expect(read).toMatchObject({ status: 'CONTENT(205)', content: { value: certEp } });
    } finally {
      for (const c of clients) await c.stop().catch(() => undefined);
      if (httpPort) await request(httpPort, 'DELETE', `/api/security/clients/${pskEp}`).catch(() => undefined);
      requestServerStop();
    }
    expect(await run).toBe(0);
    expect(io.stderr).toContain('server: stopped');
    expect(fs.existsSync(dataDir)).toBe(true);
  });
});
