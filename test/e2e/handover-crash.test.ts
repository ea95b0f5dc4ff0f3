/**
 * The crash test of the PKI trust transfer: a 200-device campaign whose SP1 worker and SP1
 * LwM2M server are separate processes, each killed with SIGKILL mid-campaign and started again
 * (the worker at ~25 % of the devices final, the server at ~55 %). Every device must end
 * transferred or fallen back (two are made to fall back: CA2 refuses them), none failed, and
 * none twice: one arrival per device at SP1, exactly one CA2 certificate per transferred device,
 * each transferred device at SP2 with its CA2 certificate and no longer at SP1, and its CA1
 * certificate revoked (CA1 reloaded from its directory, as the worker left it).
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CertificateAuthority, readCaRecords } from '../../common/pki/index';
import type { CampaignProgress } from '../../plugin/campaign/index';
import { CrashWorld } from '../../scripts/demo/world/processes/crash-world';
import type { HandoverRun } from '../../scripts/demo/world/world';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';

const DEVICES = 200;
const FALL_BACK = new Set([7, 150]);

jest.setTimeout(240_000);

describe('handover crash test: kill -9 of the SP1 worker and of the SP1 server mid-campaign', () => {
  const redis = testRedis();
  const prefix = `${randomPrefix('crash')}:`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-crash-'));
  let world: CrashWorld | undefined;
  const lines: string[] = [];
  const log = (l: string) => { lines.push(`${new Date().toISOString()} ${l}`); };

  afterAll(async () => {
    await world?.stop();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    if (process.env.HANDOVER_KEEP_CRASH_DIR) console.log(`crash test files in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  async function sp1Registration(ep: string): Promise<{ certificate?: { issuer: string } } | undefined> {
    const res = await fetch(`${world!.sp1RestUrl}/api/clients/${encodeURIComponent(ep)}`, { headers: { Authorization: `Bearer ${world!.config.server.token}` } });
    const text = await res.text();
    if (res.status === 400 && text.startsWith('No registered client')) return undefined;
    if (res.status !== 200) throw new Error(`SP1 REST: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as { certificate?: { issuer: string } };
  }

  it('ends with every device transferred or fallen back, none twice', async () => {
    const t0 = Date.now();
    world = await CrashWorld.create({ devices: DEVICES, redisUrl: testRedisUrl(), keyPrefix: prefix, dir, failEnrollment: FALL_BACK, log });
    const w = world;
    log(`setup of ${DEVICES} devices: ${Date.now() - t0} ms`);
    const run: HandoverRun = await w.startHandover();
    const at = (share: number) => (p: CampaignProgress) => p.done >= Math.ceil(p.total * share);

    // kill -9 of the worker at ~25 %, and a new one.
    let p = await w.waitFor(run, at(0.25), 90_000);
    await w.worker.kill();
    log(`worker killed at ${p.done}/${p.total} final: ${JSON.stringify(p.byState)}`);
    await w.worker.start();
    log(`worker restarted (pid ${w.worker.pid})`);

    // kill -9 of the SP1 server at ~55 %, and a new one on the same ports.
    p = await w.waitFor(run, at(0.55), 90_000);
    await w.server.kill();
    log(`server killed at ${p.done}/${p.total} final: ${JSON.stringify(p.byState)}`);
    await w.server.start();
    log(`server restarted (pid ${w.server.pid})`);

    const final = await w.waitFor(run, (q) => q.done >= q.total, 120_000);
    log(`campaign final after ${Date.now() - t0} ms: ${JSON.stringify(final.byState)}`);
    expect(w.worker.starts).toBe(2);
    expect(w.server.starts).toBe(2);
    expect(final.byState.failed).toBe(0);
    expect(final.byState.cancelled).toBe(0);
    expect(final.byState.transferred + final.byState.fellBack).toBe(DEVICES);
    expect(final.byState.fellBack).toBe(FALL_BACK.size);

    // SP1's records: one arrival per transferred device (with the certificate CA2 issued to it).
    const enrollments = await w.sp2side.ca2Policy.enrollments(run.transferId);
    const transferred: string[] = [];
    for (const [i, d] of w.devices.entries()) {
      const rec = await w.sp1.deviceRecord(d.id, run.transferId);
      if (FALL_BACK.has(i)) {
        expect(rec?.state).toBe('fellBack');
        expect(enrollments[d.id]).toBeUndefined();
        continue;
      }
      expect(rec?.state).toBe('transferred');
      expect(rec?.certificateSerial).toBe(enrollments[d.id]?.toLowerCase());
      transferred.push(d.id);
    }
    expect(transferred).toHaveLength(DEVICES - FALL_BACK.size);
    // CA2 issued exactly one certificate per transferred device (plus the SP2 and EST server certificates).
    expect(Object.keys(enrollments).sort()).toEqual([...transferred].sort());
    const ca2State = await readCaRecords(path.join(dir, 'pki', 'ca2'));
    expect(Object.keys(ca2State.issued)).toHaveLength(transferred.length + 2);

    // Each transferred device is at SP2 with its CA2 certificate, and no longer at SP1 (a
    // registration left behind by a de-register lost with the server expires with its lifetime).
    const ca2Subject = w.pki.hierarchy.ca2.subject;
    for (const id of transferred) {
      const reg = await w.sp2side.sp2App.lwm2m.registrations.get(id);
      expect(reg?.certificate?.issuer.replace(/\s*,\s*|\n/g, ',')).toBe(ca2Subject.replace(/\s*,\s*|\n/g, ','));
      expect(reg?.certificate?.serialNumber.replace(/:/g, '').toLowerCase().replace(/^0+/, '')).toBe(enrollments[id].toLowerCase().replace(/^0+/, ''));
    }
    const deadline = Date.now() + 40_000;
    let atBoth: string[] = transferred;
    while (atBoth.length > 0 && Date.now() < deadline) {
      const still: string[] = [];
      for (const id of atBoth) if (await sp1Registration(id)) still.push(id);
      atBoth = still;
      if (atBoth.length) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(atBoth).toEqual([]);
    // The fallen-back devices are at SP1 with their factory certificate, not at SP2.
    for (const i of FALL_BACK) {
      const d = w.devices[i];
      const reg = await sp1Registration(d.id);
      expect(reg?.certificate?.issuer.replace(/\s*,\s*|\n/g, ',')).toBe(new X509Certificate(d.credentials.factory.certificate).issuer.replace(/\n/g, ','));
      expect(await w.sp2side.sp2App.lwm2m.registrations.get(d.id)).toBeUndefined();
    }

    // CA1 (as the worker processes left it on disk): every transferred device's certificate revoked, no other.
    const ca1 = await CertificateAuthority.load(path.join(dir, 'pki', 'ca1'));
    for (const [i, d] of w.devices.entries()) expect([d.id, ca1.isRevoked(d.credentials.operationalSerial)]).toEqual([d.id, !FALL_BACK.has(i)]);
    log(`crash test done after ${Date.now() - t0} ms`);
    if (process.env.HANDOVER_CRASH_LOG) console.log(lines.join('\n'));
  });
});
