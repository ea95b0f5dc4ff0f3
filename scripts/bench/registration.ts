/**
 * Benchmark (not a test): registers N simulated clients with one LwM2M server and reads /3/0 from
 * them, printing JSON: registrations per second, read latency p50/p99, and the server's resident
 * memory per 1,000 registered clients. The server runs in a child process so that its memory is
 * measured apart from the fleet's.
 *   node dist/scripts/bench/registration.js --clients 10000 [--reads 2000]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Fleet } from '../../client-sim/fleet';
import { startEmbeddedRedis } from '../../common/redis/embedded';
import { LwM2mPath } from '../../objects/path';
import { LwM2mServer } from '../../server/lwm2m-server';

type ToChild = { op: 'rss' } | { op: 'read'; count: number; concurrency: number } | { op: 'stop' };

async function child(redisUrl: string): Promise<void> {
  const server = new LwM2mServer({ redisUrl, keyPrefix: `bench-${process.pid}`, coapPort: 0, allowNoSec: true, requestTimeoutMs: 10000 });
  await server.start();
  process.send!({ coapPort: server.coapPort });
  process.on('message', async (m: ToChild) => {
    if (m.op === 'rss') {
      global.gc?.();
      process.send!({ rss: process.memoryUsage().rss });
    } else if (m.op === 'read') {
      const regs = (await server.registrations.all()).slice(0, m.count);
      const lat: number[] = [];
      let failures = 0;
      let next = 0;
      await Promise.all(Array.from({ length: m.concurrency }, async () => {
        while (next < regs.length) {
          const reg = regs[next++];
          const t = process.hrtime.bigint();
          try {
            const res = await server.send(reg.endpoint, { kind: 'read', path: LwM2mPath.parse('/3/0') });
            if ('delayed' in res || !res.code.startsWith('2.')) failures++;
          } catch { failures++; }
          lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }));
      process.send!({ lat, failures });
    } else {
      await server.stop();
      process.exit(0);
    }
  });
}

function ask<T>(proc: ReturnType<typeof fork>, msg: ToChild): Promise<T> {
  return new Promise((resolve) => { proc.once('message', (m) => resolve(m as T)); proc.send(msg); });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clients: { type: 'string', default: '1000' }, reads: { type: 'string', default: '2000' }, child: { type: 'string' } } });
  if (values.child) return child(values.child);
  const clients = Number(values.clients);
  const reads = Math.min(Number(values.reads), clients);
  if (!Number.isInteger(clients) || clients < 1 || clients > 50000) throw new Error('--clients must be 1..50000');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-'));
  const redis = await startEmbeddedRedis({ dataDir: dir });
  const proc = fork(__filename, ['--child', redis.url], { execArgv: ['--expose-gc'] });
  try {
    const { coapPort } = await new Promise<{ coapPort: number }>((r) => proc.once('message', (m) => r(m as { coapPort: number })));
    const rssIdle = (await ask<{ rss: number }>(proc, { op: 'rss' })).rss;
    const fleet = new Fleet({ count: clients, endpointPrefix: 'bench-', serverUri: `coap://127.0.0.1:${coapPort}`, concurrency: 200, client: { lifetime: 3600 } });
    const t0 = Date.now();
    const stats = await fleet.start();
    const regSeconds = (Date.now() - t0) / 1000;
    const rssLoaded = (await ask<{ rss: number }>(proc, { op: 'rss' })).rss;
    const { lat, failures } = await ask<{ lat: number[]; failures: number }>(proc, { op: 'read', count: reads, concurrency: 50 });
    lat.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 100) / 100;
    await fleet.stop();
    process.stdout.write(JSON.stringify({
      clients, registered: stats.registered,
      registrationsPerSecond: Math.round(stats.registered / regSeconds),
      reads: lat.length, readFailures: failures,
      readLatencyMs: { p50: pct(0.5), p99: pct(0.99) },
      serverRssMB: { idle: Math.round(rssIdle / 1048576), loaded: Math.round(rssLoaded / 1048576) },
      serverRssPer1000ClientsMB: Math.round(((rssLoaded - rssIdle) / 1048576 / (stats.registered / 1000)) * 100) / 100,
      node: process.version,
    }) + '\n');
  } finally {
    if (proc.connected) proc.send({ op: 'stop' });
    await new Promise((r) => { const t = setTimeout(() => { proc.kill(); r(undefined); }, 5000); proc.once('exit', () => { clearTimeout(t); r(undefined); }); });
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`bench: ${(e as Error).message}\n`); process.exit(1); });
