/** A request to a sleeping queue-mode device: DeviceSleepingError at once, or the answer awaited until it wakes. */
import { LwM2mClient } from '../../../client-sim/client';
import { singleResource } from '../../../objects/node';
import { LwM2mServer } from '../../../server/lwm2m-server';
import { DeviceSleepingError, LocalServerAdapter } from '../../../plugin/adapter';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';
import { recordingObjects } from './device-objects';

describe('LocalServerAdapter and sleeping devices', () => {
  const prefix = randomPrefix('sleep');
  let server: LwM2mServer;
  let client: LwM2mClient;
  const objects = recordingObjects();

  beforeAll(async () => {
    server = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0, allowNoSec: true, queueAwakeMs: 300 });
    await server.start();
    client = new LwM2mClient({ endpoint: 'sleepy', serverUri: `coap://127.0.0.1:${server.coapPort}`, queueMode: true, objects: [objects.transfer] });
    const asleep = new Promise<void>((r) => server.events.on('SLEEPING', ({ ep }) => { if (ep === 'sleepy') r(); }));
    await client.start();
    await asleep;
    client.sleep();
  });

  afterAll(async () => {
    await client.stop({ deregister: false }).catch(() => undefined);
    await server.stop();
    const r = testRedis();
    await cleanPrefix(r, prefix);
    await r.quit();
  });

  it('says the device sleeps; the request stays queued and reaches it when it wakes', async () => {
    const adapter = new LocalServerAdapter(server);
    expect(await adapter.registration('sleepy')).toMatchObject({ queueMode: true, awake: false });
    const err = await adapter.write('sleepy', '/33001/0/0', singleResource(0, 'OPAQUE', new Uint8Array([1]))).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceSleepingError);
    expect((err as DeviceSleepingError).requestId).toEqual(expect.any(String));
    await client.wake();
    await new Promise((r) => setTimeout(r, 200));
    expect(Buffer.from(objects.transfer.get(0, 0) as Uint8Array)).toEqual(Buffer.from([1]));
    await adapter.close();
  });

  it('with delayedWaitMs, waits for the answer of the queued request', async () => {
    await new Promise<void>((r) => server.events.on('SLEEPING', ({ ep }) => { if (ep === 'sleepy') r(); }));
    client.sleep();
    const adapter = new LocalServerAdapter(server, { delayedWaitMs: 5000 });
    const pending = adapter.write('sleepy', '/33001/0/0', singleResource(0, 'OPAQUE', new Uint8Array([2])));
    await new Promise((r) => setTimeout(r, 100));
    await client.wake();
    await expect(pending).resolves.toBeUndefined();
    expect(Buffer.from(objects.transfer.get(0, 0) as Uint8Array)).toEqual(Buffer.from([2]));
    await adapter.close();
  });
});
