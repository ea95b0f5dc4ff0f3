import { ModelObjectEnabler } from '../../client-sim/model-object-enabler';
import { OperationError } from '../../client-sim/errors';
import { NO_ARGS } from '../../client-sim/execute-args';
import { BOOTSTRAP, DEVICE, type Caller } from '../../client-sim/object-enabler';
import { multiResource, singleResource } from '../../objects/node';
import type { LwM2mPath } from '../../objects/path';
import { TEST_OBJECT } from './test-model';

const SERVER: Caller = { kind: 'server', shortServerId: 1 };

async function code(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
    return undefined;
  } catch (e) {
    if (!(e instanceof OperationError)) throw e;
    return e.coapCode;
  }
}

function make() {
  const runs: string[] = [];
  const changes: string[] = [];
  const e = new ModelObjectEnabler(TEST_OBJECT, {
    instances: [{ id: 0, values: { 0: 'a', 1: 5, 3: ['x', 'y'] } }],
    resources: { 5: { execute: (_i, args) => { runs.push(args.raw); } } },
  });
  e.attach((p: LwM2mPath) => changes.push(p.toString()));
  return { e, runs, changes };
}

describe('ModelObjectEnabler', () => {
  it('reads what the model lets a server read', () => {
    const { e } = make();
    const inst = e.readInstance(0, SERVER);
    expect([...inst.resources.keys()]).toEqual([0, 1, 3]);
    expect(e.readResource(0, 1, SERVER)).toEqual(singleResource(1, 'INTEGER', 5n));
    return Promise.all([
      expect(code(() => e.readResource(0, 4, SERVER))).resolves.toBe('4.05'),
      expect(code(() => e.readResource(0, 2, SERVER))).resolves.toBe('4.04'),
      expect(code(() => e.readResource(1, 0, SERVER))).resolves.toBe('4.04'),
      expect(code(() => e.readResource(0, 99, SERVER))).resolves.toBe('4.04'),
    ]);
  });

  it('writes with replace and update semantics and reports changes', async () => {
    const { e, changes } = make();
    await e.write(0, [multiResource(3, 'STRING', [[5, 'z']])], { replace: false, instance: false }, SERVER);
    expect(e.getNode(0, 3)).toEqual(multiResource(3, 'STRING', [[0, 'x'], [1, 'y'], [5, 'z']]));
    await e.write(0, [multiResource(3, 'STRING', [[7, 'q']])], { replace: true, instance: false }, SERVER);
    expect(e.getNode(0, 3)).toEqual(multiResource(3, 'STRING', [[7, 'q']]));
    await e.write(0, [singleResource(0, 'STRING', 'b'), singleResource(2, 'FLOAT', 1.5)], { replace: true, instance: true }, SERVER);
    expect(e.getNode(0, 3)).toBeUndefined(); // optional writable resource not in the payload: removed
    expect(e.get(0, 1)).toBe(5n); // read-only resource untouched
    expect(changes).toEqual(['/42769/0/3', '/42769/0/3', '/42769/0/3', '/42769/0/0', '/42769/0/2']);
  });

  it('refuses bad writes and changes nothing', async () => {
    const { e } = make();
    expect(await code(e.write(0, [singleResource(1, 'INTEGER', 6n)], { replace: false, instance: false }, SERVER))).toBe('4.05');
    expect(await code(e.write(0, [singleResource(0, 'STRING', 'ok'), singleResource(3, 'STRING', 'not multiple')], { replace: false, instance: true }, SERVER))).toBe('4.00');
    expect(await code(e.write(0, [singleResource(0, 'INTEGER', 5n)], { replace: false, instance: false }, SERVER))).toBe('4.00');
    expect(await code(e.write(9, [singleResource(0, 'STRING', 'x')], { replace: false, instance: false }, SERVER))).toBe('4.04');
    expect(e.get(0, 0)).toBe('a');
    // The bootstrap server writes anything, creating the instance.
    await e.write(9, [singleResource(1, 'INTEGER', 7n)], { replace: true, instance: true }, BOOTSTRAP);
    expect(e.get(9, 1)).toBe(7n);
  });

  it('executes, creates, deletes, resets', async () => {
    const { e, runs } = make();
    await e.execute(0, 5, { raw: "0='x'", values: new Map([[0, 'x']]) }, SERVER);
    expect(runs).toEqual(["0='x'"]);
    expect(await code(e.execute(0, 0, NO_ARGS, SERVER))).toBe('4.05');
    expect(await e.create(undefined, [singleResource(0, 'STRING', 'n')], SERVER)).toBe(1);
    expect(await e.create(7, [], SERVER)).toBe(7);
    expect(await code(e.create(7, [], SERVER))).toBe('4.00');
    await e.delete(7, SERVER);
    expect(e.instanceIds()).toEqual([0, 1]);
    expect(await code(e.delete(7, SERVER))).toBe('4.04');
    const snap = e.snapshot();
    e.reset();
    expect(e.instanceIds()).toEqual([0]);
    e.restore(snap);
    expect(e.instanceIds()).toEqual([0, 1]);
    expect(e.get(1, 0)).toBe('n');
  });

  it('computes values with read hooks and refuses device writes of bad types', () => {
    let n = 0;
    const e = new ModelObjectEnabler(TEST_OBJECT, { instances: [{ id: 0, values: { 0: 'a' } }], resources: { 1: { read: () => ++n } } });
    expect(e.readResource(0, 1, DEVICE)).toEqual(singleResource(1, 'INTEGER', 1n));
    expect(e.readResource(0, 1, DEVICE)).toEqual(singleResource(1, 'INTEGER', 2n));
    expect(() => e.set(0, 6, 'yes')).toThrow(OperationError);
  });
});
