/**
 * The multi-process handover world of the benchmark (scripts/demo/world/fleet-world.ts): the
 * devices run in two fleet processes (from the TypeScript sources through ts-register), the
 * providers here; the whole fleet transfers, the summary carries the fleet processes' figures,
 * and the campaign's concurrency bounds the devices mid-transfer (the await step holds its slot).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as coap from 'coap';
import { FleetHandoverWorld } from '../../../../scripts/demo/world/fleet-world';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../../helpers/redis';

jest.setTimeout(180_000);

const DEVICES = 12;
const CONCURRENCY = 3;

test('12 devices in 2 fleet processes move to SP2, at most 3 of them mid-transfer at any time', async () => {
  const prefix = `${randomPrefix('fleet')}:`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-fleet-'));
  let world: FleetHandoverWorld | undefined;
  try {
    world = await FleetHandoverWorld.create({ devices: DEVICES, redisUrl: testRedisUrl(), keyPrefix: prefix, dir, fleets: 2 });
    const pids = world.fleetPids;
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(process.pid);
    let inFlight = 0;
    let most = 0;
    const sp1 = world.providers.sp1;
    sp1.on('delivered', () => { inFlight++; most = Math.max(most, inFlight); });
    sp1.on('transferred', () => { inFlight--; });
    sp1.on('fellBack', () => { inFlight--; });
    const startedAt = Date.now();
    const run = await world.startHandover({ concurrency: CONCURRENCY });
    await world.waitForCampaign(run, () => undefined, 150_000);
    const s = await world.summary(run, startedAt);
    expect({ transferred: s.transferred, fellBack: s.fellBack, failed: s.failed }).toEqual({ transferred: DEVICES, fellBack: 0, failed: 0 });
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(CONCURRENCY);
    // Figures measured in the fleet processes reached this one.
    expect(s.bytesPerDevice.csr).toBeGreaterThan(200);
    expect(s.bytesPerDevice.estHandshake).toBeGreaterThan(1000);
    expect(s.bytesPerDevice.sp2Handshake).toBeGreaterThan(1000);
  } finally {
    await world?.stop();
    const redis = testRedis();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
    coap.globalAgent.close();
    coap.globalAgentIPv6.close();
  }
});
