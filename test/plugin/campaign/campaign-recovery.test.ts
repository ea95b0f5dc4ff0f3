/**
 * Crash and sharing: a worker closed with force while its steps are blocked (as if killed) —
 * a new engine on the same prefix recovers the stalled jobs and every device finishes exactly
 * once with exact counts; the abandoned steps, when they return, change nothing. Two engines
 * sharing one campaign run each device's steps once.
 */
import { EngineHarness, sleep, untilDone, waitFor } from './helpers';

let h: EngineHarness;
beforeEach(() => { h = new EngineHarness(); });
afterEach(async () => { await h.close(); });

const fast = { lockDurationMs: 1500, stalledIntervalMs: 400 };

test('a worker killed mid-step: another engine carries on, each device finishes once, counts exact', async () => {
  let unblock!: () => void;
  const blocked = new Promise<void>((r) => { unblock = r; });
  const firstRuns: string[] = [];
  const e1 = h.engine({
    firstStep: 'a',
    steps: {
      a: async (ctx) => { ctx.data.by = 'e1'; return { next: 'b' }; },
      b: async (ctx) => { firstRuns.push(ctx.deviceId); await blocked; return { done: 'fellBack' }; }, // ignores its signal
    },
  }, { ...fast, concurrency: 2 });
  await e1.startWorkers();
  const devices = Array.from({ length: 6 }, (_, i) => `k${i}`);
  const c = await e1.create({ name: 'crash', devices, payload: {} });
  await e1.start(c.id);
  await waitFor(async () => firstRuns.length === 2, 3000, 'two blocked steps');
  await e1.close({ force: true });

  const finals: string[] = [];
  const secondRuns: Record<string, string[]> = {};
  const e2 = h.engine({
    firstStep: 'a',
    steps: {
      a: async (ctx) => { (secondRuns[ctx.deviceId] ??= []).push('a'); return { next: 'b' }; },
      b: async (ctx) => { (secondRuns[ctx.deviceId] ??= []).push('b'); ctx.data.by = `${ctx.data.by ?? ''}e2`; return { done: 'transferred' }; },
    },
  }, { ...fast, concurrency: 4 });
  const mid = await e2.progress(c.id);
  expect(mid.byState.active).toBe(2);
  expect(mid.byStep.b).toBe(2);
  e2.on('device', (ev) => { if (['transferred', 'fellBack', 'failed', 'cancelled'].includes(ev.state)) finals.push(ev.deviceId); });
  await e2.startWorkers();
  const p = await untilDone(e2, c.id, 10_000);
  expect(p).toMatchObject({ state: 'finished', total: 6, done: 6, byStep: {} });
  expect(p.byState).toMatchObject({ transferred: 6, active: 0, pending: 0, fellBack: 0 });
  expect([...finals].sort()).toEqual(devices);
  for (const d of firstRuns) {
    // recovered at the recorded step "b", with the data written before the crash
    expect(secondRuns[d]).toEqual(['b']);
    expect((await e2.control.store.device(c.id, d))?.data).toEqual({ by: 'e1e2' });
  }
  for (const d of devices.filter((x) => !firstRuns.includes(x))) expect(secondRuns[d]).toEqual(['a', 'b']);

  unblock(); // the abandoned steps return now: their outcome must be dropped
  await sleep(300);
  const after = await e2.progress(c.id);
  expect(after.byState).toMatchObject({ transferred: 6, fellBack: 0 });
  expect(after.done).toBe(6);
});

test('two engines sharing one campaign run each device once', async () => {
  const runs: Record<string, string[]> = {};
  const def = (name: string) => ({
    firstStep: 'a',
    steps: {
      a: async (ctx: { deviceId: string }) => { (runs[ctx.deviceId] ??= []).push(`${name}:a`); await sleep(20); return { wait: 10, next: 'b' }; },
      b: async (ctx: { deviceId: string }) => { (runs[ctx.deviceId] ??= []).push(`${name}:b`); await sleep(20); return { done: 'transferred' as const }; },
    },
  });
  const e1 = h.engine(def('e1'), { concurrency: 2 });
  const e2 = h.engine(def('e2'), { concurrency: 2 });
  await Promise.all([e1.startWorkers(), e2.startWorkers()]);
  const devices = Array.from({ length: 20 }, (_, i) => `s${i}`);
  const c = await e1.create({ name: 'shared', devices, payload: {} });
  await e2.start(c.id);
  const p = await untilDone(e1, c.id, 10_000);
  expect(p.byState.transferred).toBe(20);
  for (const d of devices) expect(runs[d].map((r) => r.split(':')[1])).toEqual(['a', 'b']);
  const all = Object.values(runs).flat();
  expect(all.some((r) => r.startsWith('e1'))).toBe(true);
  expect(all.some((r) => r.startsWith('e2'))).toBe(true);
});
