/**
 * CampaignStore and the transition scripts on real Redis: validation of new campaigns, records
 * and listings, and the exactness of the counters — a transition to the current state counts
 * nothing, a superseded run (fencing) records nothing, cancel leaves running devices alone.
 */
import { Redis } from 'ioredis';
import { CampaignStore, jobIdFor } from '../../../plugin/campaign';
import { CampaignScripts } from '../../../plugin/campaign/scripts';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';

let redis: Redis;
let prefix: string;
let store: CampaignStore;
let scripts: CampaignScripts;

beforeEach(() => {
  redis = testRedis();
  prefix = randomPrefix('cstore');
  store = new CampaignStore(redis, prefix);
  scripts = new CampaignScripts(redis, store.keys);
});
afterEach(async () => { await cleanPrefix(redis, prefix); redis.disconnect(); });

test('creates, reads and lists campaigns', async () => {
  const a = await store.create({ name: ' first ', devices: ['d1', 'urn:imei:1'], payload: { tm: 'a1b2' }, notBefore: 1000, notAfter: 2000, ratePerSecond: 5 });
  const b = await store.create({ name: 'second', devices: ['x'], payload: {} });
  expect(a).toMatchObject({ name: 'first', state: 'created', devices: 2, notBefore: 1000, notAfter: 2000, ratePerSecond: 5, payload: { tm: 'a1b2' } });
  expect(a.id).toMatch(/^[a-z0-9]+-[0-9a-f]{10}$/);
  expect(await store.get(a.id)).toEqual(a);
  expect((await store.list()).map((r) => r.id)).toEqual([a.id, b.id]);
  expect(await store.get('missing')).toBeUndefined();
  await expect(store.progress('missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  const p = await store.progress(a.id);
  expect(p).toMatchObject({ campaignId: a.id, state: 'created', total: 2, done: 0, byStep: {} });
  expect(p.byState.pending).toBe(2);
  expect(await store.devices(a.id)).toEqual(expect.arrayContaining([
    { deviceId: 'd1', state: 'pending', attempt: 0, data: {} }, { deviceId: 'urn:imei:1', state: 'pending', attempt: 0, data: {} },
  ]));
  expect(jobIdFor(a.id, 'urn:imei:1')).toBe(`${a.id}__urn%3Aimei%3A1`);
});

test.each([
  [{ name: '', devices: ['a'], payload: {} }, /name/],
  [{ name: 'n', devices: [], payload: {} }, /at least one device/],
  [{ name: 'n', devices: ['a', 'a'], payload: {} }, /listed twice/],
  [{ name: 'n', devices: ['a b'], payload: {} }, /invalid device id/],
  [{ name: 'n', devices: ['a'], payload: [] }, /payload/],
  [{ name: 'n', devices: ['a'], payload: {}, notBefore: 5, notAfter: 5 }, /notAfter/],
  [{ name: 'n', devices: ['a'], payload: {}, ratePerSecond: 0 }, /ratePerSecond/],
])('refuses bad input %#', async (input, msg) => {
  await expect(store.create(input as never)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(msg) });
  expect(await store.list()).toEqual([]);
});

test('counters move once per real change; a superseded run records nothing', async () => {
  const c = await store.create({ name: 'fence', devices: ['d'], payload: {} });
  expect(await scripts.claim(c.id, 'd', 's1')).toEqual({ kind: 'held' }); // not started yet: held
  await scripts.setCampaignState(c.id, 'start');
  const r1 = await scripts.claim(c.id, 'd', 's1');
  expect(r1).toMatchObject({ kind: 'run', run: '1', step: 's1' });
  const r2 = await scripts.claim(c.id, 'd', 's1'); // the job re-run after a worker crash
  expect(r2).toMatchObject({ kind: 'run', run: '2', step: 's1' });
  let p = await store.progress(c.id);
  expect(p.byState).toMatchObject({ active: 1, pending: 0, paused: 0 });
  expect(p.byStep).toEqual({ s1: 1 });
  const stale = await scripts.advance(c.id, { deviceId: 'd', run: '1', kind: 'done', step: 's1', dataJson: '{"attempt":1,"data":{"x":1}}', finalState: 'transferred' });
  expect(stale).toEqual({ kind: 'stale' });
  expect(await store.device(c.id, 'd')).toMatchObject({ state: 'active', data: {} });
  expect(await scripts.advance(c.id, { deviceId: 'd', run: '2', kind: 'next', step: 's2', dataJson: '' })).toEqual({ kind: 'continue' });
  p = await store.progress(c.id);
  expect(p.byStep).toEqual({ s2: 1 });
  expect(p.byState.active).toBe(1);
  const done = await scripts.advance(c.id, { deviceId: 'd', run: '2', kind: 'done', step: 's2', dataJson: '{"attempt":1,"data":{"y":2}}', finalState: 'fellBack', reason: 'r' });
  expect(done).toEqual({ kind: 'final', state: 'fellBack', campaignFinished: true });
  // repeated: already final, nothing moves
  expect(await scripts.advance(c.id, { deviceId: 'd', run: '2', kind: 'done', step: 's2', dataJson: '', finalState: 'transferred' })).toEqual({ kind: 'stale' });
  expect(await scripts.claim(c.id, 'd', 's1')).toEqual({ kind: 'final', state: 'fellBack' });
  p = await store.progress(c.id);
  expect(p).toMatchObject({ state: 'finished', done: 1, byStep: {} });
  expect(p.byState).toMatchObject({ fellBack: 1, transferred: 0, active: 0 });
  expect(await store.device(c.id, 'd')).toEqual({ deviceId: 'd', state: 'fellBack', step: 's2', attempt: 1, data: { y: 2 }, reason: 'r' });
});

test('cancel leaves a running device to its step and cancels the others once', async () => {
  const c = await store.create({ name: 'cancel', devices: ['run', 'idle1', 'idle2'], payload: {} });
  await scripts.setCampaignState(c.id, 'start');
  const r = await scripts.claim(c.id, 'run', 's');
  expect(r.kind).toBe('run');
  await scripts.setCampaignState(c.id, 'cancel');
  expect((await scripts.cancelDevices(c.id, ['run', 'idle1', 'idle2'])).sort()).toEqual(['idle1', 'idle2']);
  expect(await scripts.cancelDevices(c.id, ['run', 'idle1', 'idle2'])).toEqual([]);
  let p = await store.progress(c.id);
  expect(p.byState).toMatchObject({ cancelled: 2, active: 1 });
  expect(p.state).toBe('cancelled');
  const run = (r as { run: string }).run;
  expect(await scripts.advance(c.id, { deviceId: 'run', run, kind: 'wait', step: 's', dataJson: '' }))
    .toEqual({ kind: 'final', state: 'cancelled', campaignFinished: true });
  p = await store.progress(c.id);
  expect(p).toMatchObject({ state: 'cancelled', done: 3 });
  expect(p.byState).toMatchObject({ cancelled: 3, active: 0 });
  expect((await store.get(c.id))?.finishedAt).toBeGreaterThan(0);
  expect(await scripts.setCampaignState(c.id, 'resume')).toEqual({ result: 'refused', state: 'cancelled' });
  expect((await store.devices(c.id, { state: 'cancelled' })).map((d) => d.deviceId).sort()).toEqual(['idle1', 'idle2', 'run']);
});
