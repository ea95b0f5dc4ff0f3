/**
 * Redis is the memory of the server: a restarted server knows its clients and observations, two
 * processes on one Redis serve the same clients, and a lifetime expiry is reported once.
 */
import { singleResource } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import type { LwM2mServer } from '../../server/lwm2m-server';
import { Harness, nextEvent } from './harness';
import { MODELS, TEST_OBJECT_ID, testObject } from './test-object';

const O = `/${TEST_OBJECT_ID}`;
const P = (s: string) => LwM2mPath.parse(s);

describe('server restart', () => {
  const h = new Harness();
  afterAll(() => h.close());

  it('keeps registrations and observations across a restart on the same port', async () => {
    const a = await h.server({ models: MODELS });
    const client = await h.client(a, { endpoint: 'r-1', models: MODELS, objects: [testObject()] });
    const obs = await a.send('r-1', { kind: 'observe', path: P(`${O}/0/0`) });
    expect(obs).toMatchObject({ code: '2.05' });
    const port = a.coapPort;
    await a.stop();

    const b = await h.server({ models: MODELS, coapPort: port });
    expect((await b.registrations.get('r-1'))?.endpoint).toBe('r-1');
    // A notification reaching the new process is matched by its token in Redis.
    const n = nextEvent(b, 'NOTIFICATION', (e) => e.ep === 'r-1');
    client.setResource(`${O}/0/0`, 'after-restart');
    expect(await n).toMatchObject({ observationId: (obs as { observationId: string }).observationId, node: singleResource(0, 'STRING', 'after-restart') });
    // The client's Update is accepted, reads work.
    const updated = nextEvent(b, 'UPDATED', (e) => e.registration.endpoint === 'r-1');
    await client.wake();
    await updated;
    expect(await b.send('r-1', { kind: 'read', path: P(`${O}/0/0`) })).toMatchObject({ code: '2.05', content: singleResource(0, 'STRING', 'after-restart') });
  });
});

describe('two server processes on one Redis', () => {
  const h = new Harness();
  let a: LwM2mServer;
  let b: LwM2mServer;
  beforeAll(async () => {
    a = await h.server({ models: MODELS, expiryGraceMs: 0, expiryCheckMs: 100 });
    b = await h.server({ models: MODELS, expiryGraceMs: 0, expiryCheckMs: 100 });
  });
  afterAll(() => h.close());

  it('reads through B a client registered through A', async () => {
    await h.client(a, { endpoint: 'two-1', models: MODELS, objects: [testObject()] });
    expect((await b.registrations.all()).map((r) => r.endpoint)).toContain('two-1');
    expect(await b.send('two-1', { kind: 'read', path: P(`${O}/0/0`) })).toMatchObject({ code: '2.05', content: singleResource(0, 'STRING', 'first') });
  });

  it('reports a lifetime expiry exactly once across both processes', async () => {
    const expired: string[] = [];
    for (const s of [a, b]) s.events.on('DEREGISTRATION', (e) => { if (e.expired) expired.push(e.registration.endpoint); });
    const c = await h.client(a, { endpoint: 'two-exp', lifetime: 1, models: MODELS, objects: [testObject()] });
    await c.stop({ deregister: false });
    const first = Promise.race([nextEvent(a, 'DEREGISTRATION', (e) => e.expired), nextEvent(b, 'DEREGISTRATION', (e) => e.expired)]);
    await first;
    await new Promise((r) => setTimeout(r, 500));
    expect(expired).toEqual(['two-exp']);
    expect(await a.registrations.get('two-exp')).toBeUndefined();
  });
});

describe('block-wise transfer', () => {
  const h = new Harness();
  afterAll(() => h.close());

  it('writes a large opaque value with Block1 and reads it back with Block2', async () => {
    const s = await h.server({ models: MODELS });
    const client = await h.client(s, { endpoint: 'blk-1', models: MODELS, objects: [testObject()] });
    const blob = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    const blocks: string[] = [];
    s.events.on('COAPLOG', (e) => { if (/Block[12]/.test(e.options)) blocks.push(`${e.incoming ? 'in' : 'out'} ${e.options.match(/Block[12]/)![0]}`); });
    expect(await s.send('blk-1', { kind: 'write', path: P(`${O}/0/4`), node: singleResource(4, 'OPAQUE', blob), mode: 'replace', format: 42 })).toMatchObject({ code: '2.04' });
    expect(client.getResource(`${O}/0/4`)).toEqual(singleResource(4, 'OPAQUE', blob));
    const read = await s.send('blk-1', { kind: 'read', path: P(`${O}/0/4`), format: 42 });
    expect(read).toMatchObject({ code: '2.05', content: singleResource(4, 'OPAQUE', blob) });
    expect(blocks).toEqual(expect.arrayContaining(['out Block1', 'in Block2']));
    // A large Send from the client (Block1 uplink, reassembled by node-coap's server).
    const sent = nextEvent(s, 'SEND', (e) => e.ep === 'blk-1');
    await client.send([`${O}/0/4`]);
    expect((await sent).nodes.get(`${O}/0/4`)?.[0].node).toEqual(singleResource(4, 'OPAQUE', blob));
  });
});
