/**
 * The main job until the handover campaign lands in it: an LwM2M server on an embedded Redis with
 * a simulated fleet registering to it over real UDP on loopback; every device is then read
 * (/3/0, SenML-CBOR or TLV as negotiated) through the server, and a summary is printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Fleet } from '../../client-sim/fleet';
import { resolveRedis } from '../../common/redis/embedded';
import { LwM2mPath } from '../../objects/path';
import { LwM2mServer } from '../../server/lwm2m-server';
import { isSuccess } from '../../server/requests';

export interface FoundationDemoResult {
  devices: number;
  registered: number;
  reads: number;
  readFailures: number;
  seconds: number;
  registrationsPerSecond: number;
  readLatencyMs: { p50: number; p99: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runFoundationDemo(devices: number, progress: (msg: string) => void): Promise<FoundationDemoResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-demo-'));
  const redis = await resolveRedis(dataDir);
  const server = new LwM2mServer({ redisUrl: redis.url, keyPrefix: `demo-${process.pid}`, coapPort: 0, allowNoSec: true });
  let fleet: Fleet | undefined;
  try {
    await server.start();
    progress(`LwM2M server on coap://127.0.0.1:${server.coapPort} (NoSec enabled for the demo), Redis at ${redis.url}`);
    const t0 = Date.now();
    fleet = new Fleet({ count: devices, endpointPrefix: 'demo-dev-', serverUri: `coap://127.0.0.1:${server.coapPort}`, concurrency: 50 });
    const stats = await fleet.start();
    const regSeconds = (Date.now() - t0) / 1000;
    progress(`${stats.registered}/${devices} devices registered in ${regSeconds.toFixed(2)} s`);
    const regs = await server.registrations.all();
    const latencies: number[] = [];
    let failures = 0;
    for (const reg of regs) {
      const s = Date.now();
      try {
        const res = await server.send(reg.endpoint, { kind: 'read', path: LwM2mPath.parse('/3/0') }, { timeoutMs: 5000 });
        if ('delayed' in res || !isSuccess(res.code)) failures++;
      } catch {
        failures++;
      }
      latencies.push(Date.now() - s);
    }
    latencies.sort((a, b) => a - b);
    return {
      devices,
      registered: stats.registered,
      reads: regs.length,
      readFailures: failures,
      seconds: (Date.now() - t0) / 1000,
      registrationsPerSecond: Math.round(stats.registered / Math.max(regSeconds, 0.001)),
      readLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    };
  } finally {
    await fleet?.stop().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await redis.embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
