/**
 * The same behaviour tests for both DmAdapters, over real CoAP with a client-sim device:
 * LocalServerAdapter on an in-process LwM2mServer, LeshanAdapter on our REST app (the Leshan
 * API) with its bearer token and server-sent events.
 */
import { LwM2mClient } from '../../../client-sim/client';
import { objectInstance, singleResource } from '../../../objects/node';
import { LwM2mServer } from '../../../server/lwm2m-server';
import { startServerApp, type ServerApp } from '../../../server/rest/app';
import { DeviceNotRegisteredError, DeviceRefusedError, LeshanAdapter, LocalServerAdapter, type AdapterRegistration, type DmAdapter } from '../../../plugin/adapter';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';
import { recordingObjects } from './device-objects';

interface Stack { adapter: DmAdapter; coapPort: number; stop(): Promise<void> }

async function localStack(prefix: string): Promise<Stack> {
  const server = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0, allowNoSec: true, requestTimeoutMs: 5000 });
  await server.start();
  const adapter = new LocalServerAdapter(server);
  return { adapter, coapPort: server.coapPort, stop: async () => { await adapter.close(); await server.stop(); } };
}

async function leshanStack(prefix: string): Promise<Stack> {
  const token = 'adapter-test-token-0123456789';
  const app: ServerApp = await startServerApp({ token, coapPort: 0, httpPort: 0, allowNoSec: true, redisUrl: testRedisUrl(), keyPrefix: prefix, dataDir: '/tmp/handover-h6-adapter' });
  const adapter = new LeshanAdapter({ baseUrl: `http://127.0.0.1:${app.httpPort}`, token });
  await adapter.start();
  return { adapter, coapPort: app.coapPort, stop: async () => { await adapter.close(); await app.stop(); } };
}

function waitFor(adapter: DmAdapter, event: 'registered' | 'updated' | 'awake' | 'deregistered', ep: string, ms = 5000): Promise<AdapterRegistration | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${event} for ${ep}`)); }, ms);
    const off = adapter.on(event, (e, reg) => { if (e === ep) { clearTimeout(timer); off(); resolve(reg); } });
  });
}

describe.each([
  ['LocalServerAdapter', localStack],
  ['LeshanAdapter', leshanStack],
])('%s', (_name, make) => {
  const prefix = randomPrefix('adapter');
  let stack: Stack;
  const clients: LwM2mClient[] = [];
  const objects = recordingObjects();

  beforeAll(async () => { stack = await make(prefix); });
  afterAll(async () => {
    for (const c of clients) await c.stop({ deregister: false }).catch(() => undefined);
    await stack.stop();
    const r = testRedis();
    await cleanPrefix(r, prefix);
    await r.quit();
  });

  async function client(endpoint: string, extra: Partial<ConstructorParameters<typeof LwM2mClient>[0]> = {}): Promise<LwM2mClient> {
    const c = new LwM2mClient({ endpoint, serverUri: `coap://127.0.0.1:${stack.coapPort}`, lifetime: 300, retryDelay: 200, objects: [objects.transfer, objects.trustStore], ...extra });
    clients.push(c);
    await c.start();
    return c;
  }

  it('reports registrations with an event and by lookup', async () => {
    const registered = waitFor(stack.adapter, 'registered', 'dev-a');
    await client('dev-a');
    const reg = await registered;
    expect(reg).toMatchObject({ endpoint: 'dev-a', secure: false, queueMode: false, awake: true });
    const looked = await stack.adapter.registration('dev-a');
    expect(looked).toMatchObject({ endpoint: 'dev-a', registrationId: reg!.registrationId, queueMode: false, awake: true });
    expect(looked!.availableInstances['33001']).toEqual([0]);
    expect(await stack.adapter.registration('nobody')).toBeUndefined();
  });

  it('writes an opaque resource, executes, and reads back', async () => {
    const token = new Uint8Array([0xd2, 0x84, 1, 2, 3, 250]);
    await stack.adapter.write('dev-a', '/33001/0/0', singleResource(0, 'OPAQUE', token));
    expect(Buffer.from(objects.transfer.get(0, 0) as Uint8Array)).toEqual(Buffer.from(token));
    await stack.adapter.execute('dev-a', '/33001/0/1');
    expect(objects.applied).toHaveLength(1);
    expect(Buffer.from(objects.appliedTokens[0])).toEqual(Buffer.from(token));
    const state = await stack.adapter.read('dev-a', '/33001/0/2');
    expect(state).toEqual(singleResource(2, 'INTEGER', 0n));
  });

  it('creates, reads and deletes an object instance', async () => {
    const cert = new Uint8Array([0x30, 0x82, 1, 2]);
    await stack.adapter.create('dev-a', '/33002', objectInstance(4, [
      singleResource(0, 'OPAQUE', cert), singleResource(2, 'INTEGER', 0n), singleResource(3, 'BOOLEAN', true), singleResource(4, 'STRING', 'CA2'),
    ]));
    const node = await stack.adapter.read('dev-a', '/33002/4');
    expect(node.kind).toBe('instance');
    if (node.kind !== 'instance') return;
    expect(node.resources.get(3)).toEqual(singleResource(3, 'BOOLEAN', true));
    expect(Buffer.from(node.resources.get(0)!.kind === 'singleResource' ? (node.resources.get(0) as { value: Uint8Array }).value : [])).toEqual(Buffer.from(cert));
    await stack.adapter.delete('dev-a', '/33002/4');
    expect(objects.trustStore.instanceIds()).toEqual([]);
  });

  it('turns device refusals and unknown endpoints into typed errors', async () => {
    await expect(stack.adapter.read('dev-a', '/33001/0/0')).rejects.toBeInstanceOf(DeviceRefusedError); // Token is write-only
    await expect(stack.adapter.read('dev-a', '/33002/9')).rejects.toMatchObject({ code: 'ERR_DEVICE_REFUSED', coapCode: '4.04' });
    await expect(stack.adapter.execute('ghost', '/33001/0/1')).rejects.toBeInstanceOf(DeviceNotRegisteredError);
    await expect(stack.adapter.read('dev-a', 'not/a/path')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('reports registration updates and queue-mode wake-ups', async () => {
    const c = clients[0];
    const updated = waitFor(stack.adapter, 'updated', 'dev-a');
    await c.wake(); // sends a registration Update
    expect(await updated).toMatchObject({ endpoint: 'dev-a' });
    const awake = waitFor(stack.adapter, 'awake', 'dev-q');
    const registered = waitFor(stack.adapter, 'registered', 'dev-q');
    await client('dev-q', { queueMode: true, objects: [recordingObjects().transfer] });
    expect(await registered).toMatchObject({ queueMode: true });
    expect(await awake).toBeUndefined();
    expect(await stack.adapter.registration('dev-q')).toMatchObject({ queueMode: true, awake: true });
  });

  it('reports de-registrations', async () => {
    const c = clients.find((x) => x.endpoint === 'dev-q')!;
    const gone = waitFor(stack.adapter, 'deregistered', 'dev-q');
    await c.stop({ deregister: true });
    expect(await gone).toMatchObject({ endpoint: 'dev-q' });
    expect(await stack.adapter.registration('dev-q')).toBeUndefined();
  });
});
