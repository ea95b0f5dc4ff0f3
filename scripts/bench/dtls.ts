/**
 * Benchmark (not a test): DTLS 1.2 handshakes per second between our DtlsClient and our
 * DtlsServer on 127.0.0.1, in PSK mode (TLS_PSK_WITH_AES_128_CCM_8) and in certificate mode
 * (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, P-256, mutual authentication). Each handshake includes
 * the cookie exchange and a close_notify. Bounded by count and time. Prints JSON.
 *
 *   npm run build && npm run bench:dtls -- [--count 2000] [--seconds 10] [--concurrency 4]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DtlsClient } from '../../common/dtls/client';
import type { DtlsClientOptions } from '../../common/dtls/options';
import { DtlsServer } from '../../common/dtls/server';
import type { DtlsServerOptions } from '../../common/dtls/options';
import { loadAddon } from '../../common/dtls/native';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

/** An EC P-256 CA with one server and one client certificate, made with the openssl CLI. */
function makePki(): { dir: string; pem: (name: string) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-bench-dtls-'));
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Bench CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  for (const name of ['server', 'client']) {
    ssl(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=bench-${name}`]);
    ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2']);
  }
  return { dir, pem: (name) => fs.readFileSync(path.join(dir, name), 'utf8') };
}

interface Measure {
  readonly mode: string;
  readonly cipher: string;
  readonly handshakes: number;
  readonly failures: number;
  readonly seconds: number;
  readonly handshakesPerSecond: number;
}

async function measure(
  mode: string,
  serverOptions: DtlsServerOptions,
  clientOptions: (port: number) => DtlsClientOptions,
  limits: { count: number; seconds: number; concurrency: number },
): Promise<Measure> {
  const server = new DtlsServer({ ...serverOptions, maxHandshakes: limits.concurrency * 2 });
  let cipher = '';
  server.on('session', (e: { cipher: string }) => (cipher = e.cipher));
  const { port } = await server.listen(0, '127.0.0.1');
  const deadline = Date.now() + limits.seconds * 1000;
  let started = 0;
  let done = 0;
  let failures = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (started < limits.count && Date.now() < deadline) {
      started++;
      const client = new DtlsClient(clientOptions(port));
      try {
        await client.connect();
        done++;
      } catch {
        failures++;
      } finally {
        await new Promise<void>((resolve) => client.close(() => resolve()));
      }
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { mode, cipher, handshakes: done, failures, seconds: Number(seconds.toFixed(3)), handshakesPerSecond: Number((done / seconds).toFixed(1)) };
}

async function main(): Promise<void> {
  const limits = { count: arg('count', 2000), seconds: arg('seconds', 10), concurrency: arg('concurrency', 4) };
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const pki = makePki();
  try {
    const psk = await measure(
      'psk',
      { psk: { lookup: async () => key } },
      (port) => ({ host: '127.0.0.1', port, psk: { identity: 'bench-device', key } }),
      limits,
    );
    const certificate = await measure(
      'certificate',
      { certificate: { certChainPem: pki.pem('server.pem'), keyPem: pki.pem('server.key'), caPem: pki.pem('ca.pem') } },
      (port) => ({ host: '127.0.0.1', port, certificate: { certChainPem: pki.pem('client.pem'), keyPem: pki.pem('client.key'), caPem: pki.pem('ca.pem') } }),
      limits,
    );
    const result = { benchmark: 'dtls-handshakes', openssl: loadAddon().openssl, node: process.version, limits, results: [psk, certificate] };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    fs.rmSync(pki.dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench dtls: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
