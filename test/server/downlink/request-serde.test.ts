import { deserializeQueued, serializeQueued, type QueuedRequest } from '../../../server/downlink/request-serde';
import { PayloadError } from '../../../objects/errors';
import { multiResource, objectInstance, singleResource } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';

describe('queued request serialisation', () => {
  it('round-trips paths, bigints, bytes, dates, maps and non-finite floats', () => {
    const node = objectInstance(0, [
      singleResource(0, 'INTEGER', 2n ** 62n), singleResource(1, 'OPAQUE', new Uint8Array([0, 255])),
      singleResource(2, 'TIME', new Date(1700000000000)), singleResource(3, 'FLOAT', Number.NaN),
      multiResource(4, 'STRING', [[0, 'a'], [5, 'b']]), singleResource(5, 'OBJLNK', { objectId: 3, instanceId: 0 }),
    ]);
    const q: QueuedRequest = { requestId: 'r1', timeoutMs: 5000, attempts: 1, queuedAt: 42, request: { kind: 'write', path: LwM2mPath.parse('/42770/0'), node, mode: 'update' } };
    const back = deserializeQueued(serializeQueued(q));
    expect(back).toEqual(q);
    expect((back.request as { path: LwM2mPath }).path).toBeInstanceOf(LwM2mPath);
    const composite: QueuedRequest = { ...q, request: { kind: 'writeComposite', nodes: new Map([['/3/0/14', singleResource(14, 'STRING', '+01')]]) } };
    expect(deserializeQueued(serializeQueued(composite))).toEqual(composite);
  });

  it('refuses what is not a queued request', () => {
    expect(() => deserializeQueued('{')).toThrow(PayloadError);
    expect(() => deserializeQueued('{"requestId":1}')).toThrow(PayloadError);
  });
});
