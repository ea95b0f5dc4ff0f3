/**
 * The main job: on embedded defaults (a private redis-server unless REDIS_URL is set), build a
 * handover world — SP1, SP2, CA1, CA2, the update server and N devices enrolled with SP1 — and
 * move the whole fleet from SP1 to SP2 as one campaign, reporting progress as it goes.
 * Optionally SP2 attests every device (its RA server) and/or has them install its firmware
 * before enrolling (update-first).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveRedis } from '../../common/redis/embedded';
import type { CampaignProgress } from '../../plugin/campaign/index';
import type { HandoverSummary } from './world/summary';
import { HandoverWorld } from './world/world';

export interface HandoverDemoOptions {
  readonly devices: number;
  /** Devices (by index) whose enrollment with CA2 is refused, so that they fall back. Default none. */
  readonly failEnrollment?: readonly number[];
  /** SP2 runs an RA server; every device attests its firmware before enrolling. Default false. */
  readonly attest?: boolean;
  /** Every device installs SP2's firmware before enrolling. Default false. */
  readonly updateFirst?: boolean;
  /** Give up after this long, ms. Default 10 minutes. */
  readonly timeoutMs?: number;
  readonly onProgress?: (p: CampaignProgress) => void;
  readonly log?: (line: string) => void;
}

export async function runHandoverDemo(opts: HandoverDemoOptions): Promise<HandoverSummary> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-demo-'));
  const redis = await resolveRedis(path.join(dir, 'data'));
  let world: HandoverWorld | undefined;
  try {
    const log = opts.log ?? (() => undefined);
    const t0 = Date.now();
    world = await HandoverWorld.create({
      devices: opts.devices, log, redisUrl: redis.url, keyPrefix: `handover-demo-${process.pid}-${randomBytes(4).toString('hex')}:`, dir,
      failEnrollment: new Set(opts.failEnrollment ?? []),
      ...(opts.attest ? { attest: true } : {}),
      ...(opts.updateFirst ? { updateFirst: true } : {}),
    });
    log(`${opts.devices} devices enrolled with SP1 and registered over DTLS in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    log(`SP1 ${world.providers.sp1Uri}  SP2 ${world.providers.sp2Uri}  CA2 EST ${world.providers.ca2Est.uri}`);
    if (world.ra) log(`SP2 RA server ${world.ra.uri} (devices attest firmware ${world.firmware.current.version}, sequence ${world.firmware.current.sequenceNumber})`);
    if (opts.updateFirst) log(`SP2 update server ${world.firmware.sp2.uri} (devices install firmware ${world.firmware.sp2.version}, sequence ${world.firmware.sp2.sequenceNumber}, before enrolling)`);
    const startedAt = Date.now();
    const run = await world.startHandover();
    await world.waitForCampaign(run, (p) => opts.onProgress?.(p), opts.timeoutMs ?? 600_000);
    return await world.summary(run, startedAt);
  } finally {
    await world?.stop();
    await redis.embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
