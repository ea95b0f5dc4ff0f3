/**
 * CampaignEngine on the run's real Redis: steps in order with per-device data, retries with
 * back-off then onFinalFailure, not-before and the not-after hard stop, park + wake (including a
 * wake racing the park), pause/resume, cancel, and both rate limits.
 */
import { WindowClosedError, type DeviceEvent, type StepContext } from '../../../plugin/campaign';
import { EngineHarness, sleep, untilDone, waitFor } from './helpers';

let h: EngineHarness;
beforeEach(() => { h = new EngineHarness(); });
afterEach(async () => { await h.close(); });

test('runs the steps in order with per-device data and the payload, counting exactly', async () => {
  const calls: string[] = [];
  const e = h.engine({
    firstStep: 'a',
    steps: {
      a: async (ctx) => { calls.push(`${ctx.deviceId}:a`); ctx.data.trail = ['a']; ctx.data.msg = ctx.campaign.payload.msg; return { next: 'b' }; },
      b: async (ctx) => { calls.push(`${ctx.deviceId}:b`); (ctx.data.trail as string[]).push('b'); return { wait: 30, next: 'c' }; },
      c: async (ctx) => { calls.push(`${ctx.deviceId}:c`); (ctx.data.trail as string[]).push('c'); return { done: 'transferred', reason: 'ok' }; },
    },
  });
  const events: DeviceEvent[] = [];
  const progress: number[] = [];
  e.on('device', (ev) => events.push(ev));
  e.on('progress', (p) => progress.push(p.done));
  await e.startWorkers();
  const devices = ['dev-1', 'dev-2', 'urn:imei:35', 'dev%4', 'dev-5'];
  const c = await e.create({ name: 'order', devices, payload: { msg: 'hello' } });
  expect((await e.progress(c.id)).byState.pending).toBe(5);
  await e.start(c.id);
  const p = await untilDone(e, c.id);
  expect(p).toMatchObject({ state: 'finished', total: 5, done: 5, byStep: {} });
  expect(p.byState).toMatchObject({ transferred: 5, pending: 0, active: 0, waiting: 0 });
  for (const d of devices) {
    expect(calls.filter((x) => x.startsWith(`${d}:`))).toEqual([`${d}:a`, `${d}:b`, `${d}:c`]);
    expect(await e.control.store.device(c.id, d)).toMatchObject({ state: 'transferred', step: 'c', reason: 'ok', data: { trail: ['a', 'b', 'c'], msg: 'hello' } });
  }
  expect(events.filter((ev) => ev.state === 'transferred')).toHaveLength(5);
  expect(events.filter((ev) => ev.state === 'waiting' && ev.step === 'c')).toHaveLength(5);
  await waitFor(async () => progress.includes(5), 2000, 'progress event');
  expect((await e.get(c.id))?.finishedAt).toBeGreaterThan(0);
});

test('retries a throwing step with exponential back-off, then onFinalFailure decides', async () => {
  const tries: Record<string, { attempt: number; at: number }[]> = {};
  const e = h.engine({
    firstStep: 'enroll',
    steps: {
      enroll: async (ctx) => {
        (tries[ctx.deviceId] ??= []).push({ attempt: ctx.attempt, at: Date.now() });
        ctx.data.seen = ctx.attempt;
        if (ctx.deviceId === 'bad' || (ctx.deviceId === 'flaky' && ctx.attempt === 1)) throw new Error(`enroll refused (${ctx.deviceId})`);
        return { done: 'transferred' };
      },
    },
    onFinalFailure: async (ctx, err) => ({ done: 'fellBack', reason: `fallback after ${ctx.attempt}: ${err.message}` }),
  }, { retry: { attempts: 3, backoffMs: 100 } });
  await e.startWorkers();
  const c = await e.create({ name: 'retry', devices: ['bad', 'flaky'], payload: {} });
  await e.start(c.id);
  const p = await untilDone(e, c.id);
  expect(p.byState).toMatchObject({ transferred: 1, fellBack: 1, retrying: 0 });
  expect(tries.bad.map((t) => t.attempt)).toEqual([1, 2, 3]);
  expect(tries.bad[1].at - tries.bad[0].at).toBeGreaterThanOrEqual(90);
  expect(tries.bad[2].at - tries.bad[1].at).toBeGreaterThanOrEqual(190);
  expect(tries.flaky.map((t) => t.attempt)).toEqual([1, 2]);
  expect(await e.control.store.device(c.id, 'bad')).toMatchObject({
    state: 'fellBack', attempt: 3, reason: 'fallback after 3: enroll refused (bad)', data: { seen: 3 },
  });
});

test('without onFinalFailure a step that keeps throwing ends failed with its message; bad outcomes fail at once', async () => {
  let badRuns = 0;
  const e = h.engine({
    firstStep: 's',
    steps: {
      s: async (ctx) => {
        if (ctx.deviceId === 'x') throw new Error('boom');
        badRuns++;
        return { next: 'nowhere' } as never;
      },
    },
  }, { retry: { attempts: 2, backoffMs: 10 } });
  await e.startWorkers();
  const c = await e.create({ name: 'fail', devices: ['x', 'y'], payload: {} });
  await e.start(c.id);
  await untilDone(e, c.id);
  expect(await e.control.store.device(c.id, 'x')).toMatchObject({ state: 'failed', reason: 'boom', attempt: 2 });
  expect((await e.control.store.device(c.id, 'y'))?.reason).toMatch(/invalid step outcome/);
  expect(badRuns).toBe(1);
});

test('not-before delays the first step; not-after is a hard stop (window-closed, or onFinalFailure\'s done)', async () => {
  const firstRun: Record<string, number> = {};
  let aborted = 0;
  const e = h.engine({
    firstStep: 'poll',
    steps: {
      poll: async (ctx) => {
        firstRun[ctx.deviceId] ??= Date.now();
        if (ctx.deviceId === 'blocked') {
          // A step still running at not-after sees its signal abort.
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => { aborted++; resolve(); }));
          return { wait: 10 };
        }
        return ctx.deviceId === 'sleepy' ? { wait: 60_000 } : { wait: 50 };
      },
    },
    onFinalFailure: async (ctx, err) => {
      if (!(err instanceof WindowClosedError)) throw err;
      if (ctx.deviceId === 'fb') return { done: 'fellBack' };
      return { next: 'poll' }; // not honoured past the window
    },
  });
  await e.startWorkers();
  const t0 = Date.now();
  const c = await e.create({ name: 'window', devices: ['poller', 'sleepy', 'fb', 'blocked'], payload: {}, notBefore: t0 + 300, notAfter: t0 + 900 });
  await e.start(c.id);
  const p = await untilDone(e, c.id, 5000);
  const elapsed = Date.now() - t0;
  expect(Math.min(...Object.values(firstRun)) - t0).toBeGreaterThanOrEqual(280);
  expect(elapsed).toBeGreaterThanOrEqual(880);
  expect(elapsed).toBeLessThan(3000); // the 60 s wait was cut at not-after
  expect(p.byState).toMatchObject({ failed: 3, fellBack: 1 });
  for (const d of ['poller', 'sleepy', 'blocked']) expect((await e.control.store.device(c.id, d))?.reason).toBe('window-closed');
  expect((await e.control.store.device(c.id, 'fb'))?.reason).toBe('window-closed');
  expect(aborted).toBe(1);
});

test('park keeps a sleeping device until wake; a wake racing the park is not lost', async () => {
  const awake = new Set<string>();
  const runs: Record<string, number> = {};
  let e!: ReturnType<EngineHarness['engine']>;
  e = h.engine({
    firstStep: 'deliver',
    steps: {
      deliver: async (ctx) => {
        runs[ctx.deviceId] = (runs[ctx.deviceId] ?? 0) + 1;
        if (ctx.deviceId === 'racer') {
          if (runs.racer > 1) return { done: 'transferred' };
          await e.wake(undefined, 'racer'); // the device registers while we decide it sleeps
          return { park: 'awake' };
        }
        return awake.has(ctx.deviceId) ? { done: 'transferred' } : { park: 'awake' };
      },
    },
  });
  await e.startWorkers();
  const c = await e.create({ name: 'park', devices: ['s1', 's2', 'racer'], payload: {} });
  await e.start(c.id);
  await waitFor(async () => { const p = await e.progress(c.id); return p.byState.parked === 2 && p.byState.transferred === 1; }, 5000, 'two parked');
  expect((await e.control.store.device(c.id, 'racer'))?.state).toBe('transferred');
  expect(runs.racer).toBe(2);
  await sleep(200);
  expect(runs.s1).toBe(1);
  expect(await e.wake(c.id, 'nobody')).toBe(0);
  awake.add('s1');
  expect(await e.wake(undefined, 's1')).toBe(1);
  await waitFor(async () => (await e.control.store.device(c.id, 's1'))?.state === 'transferred', 5000, 's1 transferred');
  awake.add('s2');
  expect(await e.wake(c.id, 's2')).toBe(1);
  const p = await untilDone(e, c.id);
  expect(p.byState).toMatchObject({ transferred: 3, parked: 0 });
  expect(runs).toEqual({ s1: 2, s2: 2, racer: 2 });
});

test('pause stops new work, resume continues', async () => {
  const ran: string[] = [];
  const e = h.engine({
    firstStep: 'work',
    steps: { work: async (ctx) => { ran.push(ctx.deviceId); await sleep(60); return { done: 'transferred' }; } },
  }, { concurrency: 1 });
  await e.startWorkers();
  const devices = Array.from({ length: 6 }, (_, i) => `p${i}`);
  const c = await e.create({ name: 'pause', devices, payload: {} });
  await e.start(c.id);
  await waitFor(async () => ran.length >= 1, 3000, 'first step');
  await e.pause(c.id);
  const atPause = ran.length;
  await sleep(500);
  expect(ran.length).toBeLessThanOrEqual(atPause + 1); // at most the step already fetched
  const paused = await e.progress(c.id);
  expect(paused.state).toBe('paused');
  expect(paused.byState.paused + paused.byState.transferred + paused.byState.pending).toBe(6);
  expect(paused.byState.paused).toBeGreaterThan(0);
  await e.resume(c.id);
  const p = await untilDone(e, c.id, 5000); // hold re-check is 60 s: resume's promotion does it
  expect(p.byState.transferred).toBe(6);
  expect([...ran].sort()).toEqual(devices);
});

test('cancel finishes not-started devices without a step; a running step finishes, then stops', async () => {
  const release: (() => void)[] = [];
  const ran: string[] = [];
  const e = h.engine({
    firstStep: 'one',
    steps: {
      one: async (ctx) => {
        ran.push(`${ctx.deviceId}:one`);
        await new Promise<void>((r) => release.push(r));
        return ctx.deviceId === 'r1' ? { done: 'transferred' } : { next: 'two' };
      },
      two: async (ctx) => { ran.push(`${ctx.deviceId}:two`); return { done: 'transferred' }; },
    },
  }, { concurrency: 2 });
  await e.startWorkers();
  const c = await e.create({ name: 'cancel', devices: ['r1', 'r2', 'w1', 'w2', 'w3'], payload: {} });
  await e.start(c.id);
  await waitFor(async () => release.length === 2, 3000, 'two running steps');
  const running = ran.map((r) => r.split(':')[0]);
  expect(running.sort()).toEqual(['r1', 'r2']); // jobs are queued in the devices' order
  await e.cancel(c.id);
  const mid = await e.progress(c.id);
  expect(mid.byState.cancelled).toBe(3);
  expect(mid.byState.active).toBe(2);
  release.forEach((r) => r());
  const p = await untilDone(e, c.id);
  expect(p.state).toBe('cancelled');
  expect(ran.filter((r) => r.endsWith(':two'))).toEqual([]);
  for (const d of ['r1', 'r2', 'w1', 'w2', 'w3']) {
    const s = await e.control.store.device(c.id, d);
    if (d === 'r1') expect(s?.state).toBe('transferred');
    else expect(s).toMatchObject({ state: 'cancelled', reason: 'cancelled' });
    if (d.startsWith('w')) expect(s?.step).toBeUndefined(); // never ran a step
  }
  expect(p.byState).toMatchObject({ cancelled: 4, transferred: 1, active: 0 });
  expect(await e.control.queue.getJob('never')).toBeUndefined();
  for (const d of ['w1', 'w2', 'w3']) expect(await e.control.queue.getJob(`${c.id}__${d}`)).toBeUndefined(); // removed
  await expect(e.resume(c.id)).rejects.toMatchObject({ code: 'ERR_CAMPAIGN' });
  await expect(e.start('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
});

test('per-campaign and global rate limits space the job runs', async () => {
  const starts: number[] = [];
  const def = { firstStep: 's', steps: { s: async () => { starts.push(Date.now()); return { done: 'transferred' as const }; } } };
  const e = h.engine(def, { concurrency: 10 });
  await e.startWorkers();
  const devices = Array.from({ length: 10 }, (_, i) => `r${i}`);
  const c = await e.create({ name: 'rate', devices, payload: {}, ratePerSecond: 20 });
  await e.start(c.id);
  await untilDone(e, c.id);
  const span = Math.max(...starts) - Math.min(...starts);
  expect(span).toBeGreaterThanOrEqual(300); // 2 at once, then one per 50 ms: ~400 ms
  expect(span).toBeLessThan(2000); // throttled devices come back at their reserved slot, not much later
  await e.close();

  starts.length = 0;
  const g = h.engine(def, { concurrency: 10, globalRatePerSecond: 20 });
  await g.startWorkers();
  const c2 = await g.create({ name: 'global', devices, payload: {} });
  await g.start(c2.id);
  await untilDone(g, c2.id);
  expect(starts).toHaveLength(10);
  expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(300);
});

test('a definition whose first step is missing is refused', () => {
  expect(() => h.engine({ firstStep: 'x', steps: {} as Record<string, (c: StepContext) => Promise<never>> })).toThrow(/firstStep/);
});
