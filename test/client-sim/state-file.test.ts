import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeviceStateFile } from '../../client-sim/state-file';
import { StateFileError } from '../../client-sim/errors';
import type { DeviceState } from '../../client-sim/state-codec';
import { lwm2mObject, multiResource, objectInstance, singleResource } from '../../objects/node';

const STATE: DeviceState = {
  endpoint: 'dev-1',
  registration: { serverUri: 'coap://127.0.0.1:5683', location: '/rd/abc', lifetime: 300, lastUpdate: 1700000000000 },
  objects: [lwm2mObject(0, [objectInstance(0, [
    singleResource(0, 'STRING', 'coap://x'), singleResource(1, 'BOOLEAN', false), singleResource(2, 'INTEGER', 3n),
    singleResource(5, 'OPAQUE', new Uint8Array([1, 2, 255])), singleResource(12, 'TIME', new Date(1700000000000)),
    singleResource(13, 'FLOAT', 1.25), singleResource(17, 'OBJLNK', { objectId: 21, instanceId: 0 }),
    multiResource(16, 'UNSIGNED_INTEGER', [[0, 18446744073709551615n], [3, 0n]]),
  ])])],
  attributes: [['/3/0/9', { pmin: 1, pmax: 10 }]],
  extra: { keys: { psk: 'abcd' } },
};

describe('DeviceStateFile', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'state-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every value type, with 0600 file in a 0700 directory', async () => {
    const file = path.join(dir, 'devices', 'dev-1.json');
    const sf = new DeviceStateFile(file);
    await sf.save(() => STATE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.dirname(file))).toEqual(['dev-1.json']); // no temporary file left
    const loaded = await new DeviceStateFile(file).load();
    expect(loaded).toEqual(STATE);
  });

  it('does not rewrite a state identical to the one it last wrote, and writes it again after remove()', async () => {
    const file = path.join(dir, 'same.json');
    const sf = new DeviceStateFile(file);
    await sf.save(() => STATE);
    const inode = statSync(file).ino;
    await sf.save(() => ({ ...STATE, objects: [...STATE.objects] }));
    expect(statSync(file).ino).toBe(inode); // a write would have renamed a new file into place
    await sf.save(() => ({ ...STATE, extra: { other: 1 } }));
    expect(statSync(file).ino).not.toBe(inode);
    expect((await new DeviceStateFile(file).load())?.extra).toEqual({ other: 1 });
    await sf.save(() => STATE);
    expect((await new DeviceStateFile(file).load())?.extra).toEqual(STATE.extra);
    await sf.remove();
    await sf.save(() => STATE);
    expect(await new DeviceStateFile(file).load()).toEqual(STATE);
  });

  it('coalesces a burst of saves and keeps the last state', async () => {
    const file = path.join(dir, 'd.json');
    const sf = new DeviceStateFile(file);
    const saves = [1, 2, 3, 4, 5].map((n) => sf.save(() => ({ ...STATE, extra: { n } })));
    await Promise.all(saves);
    await sf.flush();
    expect(JSON.parse(readFileSync(file, 'utf8')).extra).toEqual({ n: 5 });
  });

  it('answers undefined without a file and StateFileError for a corrupt one', async () => {
    const file = path.join(dir, 'd.json');
    expect(await new DeviceStateFile(file).load()).toBeUndefined();
    writeFileSync(file, '{"format":1,');
    await expect(new DeviceStateFile(file).load()).rejects.toBeInstanceOf(StateFileError);
    writeFileSync(file, JSON.stringify({ format: 1, endpoint: 'x', objects: { 3: { 0: { 1: { t: 'INTEGER', v: 'nope' } } } } }));
    await expect(new DeviceStateFile(file).load()).rejects.toThrow(/INTEGER value is malformed/);
  });
});
