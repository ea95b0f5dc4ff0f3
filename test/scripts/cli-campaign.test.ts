/**
 * `handover campaign` in-process on the run's Redis: create from files (lines and JSON array),
 * start/pause/resume/cancel recorded for the workers, status as text and --json, a live
 * --watch while an engine works, list, and the exit codes of bad input (1) and usage (2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignEngine, type CampaignProgress, type CampaignRecord } from '../../plugin/campaign';
import { captureIo } from '../../scripts/cli/io';
import { runCli } from '../../scripts/cli/main';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';

let dir: string;
let prefix: string;
const engines: CampaignEngine[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'campaign-cli-'));
  writeFileSync(join(dir, 'devices.txt'), '# fleet A\ndev-1\n\nurn:imei:2\ndev-3\n');
  writeFileSync(join(dir, 'devices.json'), JSON.stringify(['j1', 'j2']));
  writeFileSync(join(dir, 'dup.txt'), 'a\na\n');
  writeFileSync(join(dir, 'payload.json'), JSON.stringify({ transferMessage: 'a1b2c3' }));
  writeFileSync(join(dir, 'bad.json'), '{ nope');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => { prefix = randomPrefix('ccli'); });
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close({ force: true })));
  const r = testRedis();
  await cleanPrefix(r, prefix);
  r.disconnect();
});

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(['campaign', ...argv, '--redis', testRedisUrl(), '--prefix', prefix], io);
  return { code, ...io };
}

function create(...extra: string[]) {
  return run('create', '--name', 'fleet A', '--devices', join(dir, 'devices.txt'), '--payload', join(dir, 'payload.json'), ...extra);
}

test('create, start, pause, resume, status and list', async () => {
  const c = await create('--not-before', '2030-01-01T00:00:00Z', '--not-after', '2030-01-02T00:00:00Z', '--rate', '50');
  expect(c.code).toBe(0);
  const id = c.stdout.trim();
  expect(id).toMatch(/^[a-z0-9]+-[0-9a-f]+$/);

  const st = await run('status', id, '--json');
  expect(st.code).toBe(0);
  const p = JSON.parse(st.stdout) as CampaignProgress;
  expect(p).toMatchObject({ campaignId: id, state: 'created', total: 3, done: 0 });
  expect(p.byState.pending).toBe(3);

  const started = await run('start', id, '--json');
  expect(started.code).toBe(0);
  const rec = JSON.parse(started.stdout) as CampaignRecord;
  expect(rec).toMatchObject({ state: 'running', devices: 3, ratePerSecond: 50, notBefore: Date.parse('2030-01-01T00:00:00Z'), payload: { transferMessage: 'a1b2c3' } });
  const e = new CampaignEngine({ redisUrl: testRedisUrl(), keyPrefix: prefix, definition: { firstStep: 's', steps: { s: async () => ({ done: 'transferred' }) } } });
  engines.push(e);
  expect(await e.control.queue.getJobCounts('delayed')).toEqual({ delayed: 3 }); // waiting for not-before

  expect((await run('pause', id)).stdout).toContain(`campaign ${id}: paused`);
  expect((await run('resume', id)).stdout).toContain(`campaign ${id}: running`);
  const text = await run('status', id);
  expect(text.stdout).toContain('"fleet A"');
  expect(text.stdout).toMatch(/\[\.+\] 0\/3 +0% running \| pending 3/);

  const j = await run('create', '--name', 'json list', '--devices', join(dir, 'devices.json'), '--payload', join(dir, 'payload.json'), '--json');
  expect(JSON.parse(j.stdout)).toMatchObject({ name: 'json list', devices: 2, state: 'created' });
  const list = await run('list', '--json');
  expect((JSON.parse(list.stdout) as CampaignRecord[]).map((r) => r.name)).toEqual(['fleet A', 'json list']);
  expect((await run('list')).stdout).toMatch(/running +3 devices {2}fleet A {2}\(from 2030-01-01T00:00:00.000Z until 2030-01-02T00:00:00.000Z\) {2}50\/s/);

  const cancelled = await run('cancel', id);
  expect(cancelled.code).toBe(0);
  expect(JSON.parse((await run('status', id, '--json')).stdout)).toMatchObject({ state: 'cancelled', done: 3 });
  expect(await e.control.queue.getJobCounts('delayed')).toEqual({ delayed: 0 }); // jobs removed
  const again = await run('resume', id);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('is cancelled: cannot resume');
});

test('status --watch follows a campaign worked by an engine until it finishes', async () => {
  const e = new CampaignEngine({
    redisUrl: testRedisUrl(), keyPrefix: prefix, concurrency: 1,
    definition: { firstStep: 's', steps: { s: async () => { await new Promise((r) => setTimeout(r, 60)); return { done: 'transferred' }; } } },
  });
  engines.push(e);
  await e.startWorkers();
  const id = (await create('--start')).stdout.trim();
  const w = await run('status', id, '--watch', '--interval', '50');
  expect(w.code).toBe(0);
  const lines = w.stdout.trim().split('\n');
  expect(lines[0]).toBe(`campaign ${id} "fleet A"`);
  expect(lines.length).toBeGreaterThanOrEqual(3); // several changes, one line each (not a TTY)
  expect(lines[lines.length - 1]).toMatch(/^\[#{30}\] 3\/3 100% finished \| transferred 3$/);
  const json = await run('status', id, '--watch', '--json');
  expect(JSON.parse(json.stdout.trim().split('\n').pop()!)).toMatchObject({ state: 'finished', done: 3 });
});

test('bad input exits 1 with a reason, bad usage exits 2', async () => {
  const dup = await run('create', '--name', 'x', '--devices', join(dir, 'dup.txt'), '--payload', join(dir, 'payload.json'));
  expect(dup).toMatchObject({ code: 1 });
  expect(dup.stderr).toContain('device "a" listed twice');
  const badJson = await run('create', '--name', 'x', '--devices', join(dir, 'devices.txt'), '--payload', join(dir, 'bad.json'));
  expect(badJson.code).toBe(1);
  expect(badJson.stderr).toContain('not valid JSON');
  const missing = await run('create', '--name', 'x', '--devices', join(dir, 'nope.txt'), '--payload', join(dir, 'payload.json'));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('cannot read devices file');
  const unknown = await run('status', 'nope');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('campaign "nope" not found');

  expect((await run('create', '--devices', join(dir, 'devices.txt'))).code).toBe(2);
  expect((await run('frobnicate')).code).toBe(2);
  expect((await run('start')).code).toBe(2);
  expect((await create('--not-after', 'tomorrow')).code).toBe(2);
  expect((await create('--rate', '-3')).code).toBe(2);
  const io = captureIo();
  const saved = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
  try {
    expect(await runCli(['campaign', 'list'], io)).toBe(2);
  } finally {
    process.env.REDIS_URL = saved;
  }
  expect(io.stderr).toContain('REDIS_URL');
  expect((await run('list')).stdout.trim()).toBe('no campaigns');
});
