import { Observation, passesThresholds, type Sample } from '../../client-sim/observation';
import type { NotificationAttributes } from '../../client-sim/attributes';

function harness(attrs: NotificationAttributes, start = 1) {
  let value = start;
  const sent: number[] = [];
  const sample = (): Sample => ({ payload: Buffer.from(String(value)), numeric: value });
  const obs = new Observation({
    sample,
    notify: (s) => sent.push(Number(Buffer.from(s.payload).toString())),
    failed: () => undefined,
    attributes: () => attrs,
  }, sample(), () => Date.now());
  return { obs, sent, set: (v: number) => { value = v; obs.changed(); } };
}

describe('Observation timing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('notifies a change at once without pmin, and not at all without a change', () => {
    const h = harness({});
    h.obs.changed();
    expect(h.sent).toEqual([]);
    h.set(2);
    expect(h.sent).toEqual([2]);
    h.obs.cancel();
  });

  it('holds changes until pmin has passed, sending the latest value', () => {
    const h = harness({ pmin: 10 });
    jest.advanceTimersByTime(1000);
    h.set(2);
    h.set(3);
    expect(h.sent).toEqual([]);
    jest.advanceTimersByTime(9000);
    expect(h.sent).toEqual([3]);
    h.obs.cancel();
  });

  it('notifies at pmax without a change', () => {
    const h = harness({ pmax: 5 });
    jest.advanceTimersByTime(4999);
    expect(h.sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(h.sent).toEqual([1]);
    jest.advanceTimersByTime(5000);
    expect(h.sent).toEqual([1, 1]);
    h.obs.cancel();
    jest.advanceTimersByTime(20000);
    expect(h.sent).toEqual([1, 1]);
  });

  it('ignores pmax smaller than pmin', () => {
    const h = harness({ pmin: 10, pmax: 5 });
    jest.advanceTimersByTime(30000);
    expect(h.sent).toEqual([]);
    h.obs.cancel();
  });

  it('applies gt / lt / st', () => {
    expect(passesThresholds({ gt: 10 }, 5, 9)).toBe(false);
    expect(passesThresholds({ gt: 10 }, 5, 11)).toBe(true);
    expect(passesThresholds({ gt: 10 }, 11, 9)).toBe(true);
    expect(passesThresholds({ lt: 0 }, 1, -1)).toBe(true);
    expect(passesThresholds({ st: 5 }, 1, 4)).toBe(false);
    expect(passesThresholds({ st: 5 }, 1, 6)).toBe(true);
    const h = harness({ st: 5 });
    h.set(3);
    expect(h.sent).toEqual([]);
    h.set(7);
    expect(h.sent).toEqual([7]);
    h.obs.cancel();
  });

  it('reports a vanished path once and stops', () => {
    let fail = false;
    const failures: unknown[] = [];
    const obs = new Observation({
      sample: () => { if (fail) throw new Error('gone'); return { payload: Buffer.from('x') }; },
      notify: () => undefined,
      failed: (e) => failures.push(e),
      attributes: () => ({ pmax: 1 }),
    }, { payload: Buffer.from('x') });
    fail = true;
    obs.changed();
    jest.advanceTimersByTime(5000);
    expect(failures).toHaveLength(1);
    expect(obs.active).toBe(false);
  });
});
