/**
 * Every device-management operation between the TS server and the TS client (client-sim), over
 * real UDP and Redis, in each node content format the client supports.
 */
import type { ExecuteArgs } from '../../client-sim/execute-args';
import { codecFor } from '../../objects/codecs/index';
import { ContentFormat } from '../../objects/content-format';
import { objectInstance, singleResource, type LwM2mNode, type ObjectInstance, type SingleResource } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import type { LwM2mServer } from '../../server/lwm2m-server';
import type { LwM2mResponse } from '../../server/requests';
import { Harness, nextEvent } from './harness';
import { MODELS, TEST_OBJECT_ID, testObject } from './test-object';

const P = (s: string) => LwM2mPath.parse(s);
const O = `/${TEST_OBJECT_ID}`;

function res(r: unknown): LwM2mResponse {
  if ((r as { delayed?: boolean }).delayed) throw new Error('unexpected delayed response');
  return r as LwM2mResponse;
}

function resourceValue(node: LwM2mNode | undefined, id: number): unknown {
  if (node?.kind !== 'instance') throw new Error(`not an instance: ${node?.kind}`);
  const r = node.resources.get(id);
  return r?.kind === 'singleResource' ? r.value : r?.kind === 'multiResource' ? [...r.values.values()] : undefined;
}

function hasCodec(format: number): boolean {
  try {
    return codecFor(format) !== undefined;
  } catch {
    return false;
  }
}

/** Every node format of the objects/ registry, with the LwM2M version that defines it. */
const FORMATS = ([
  ['TLV', ContentFormat.TLV, '1.1'],
  ['JSON', ContentFormat.JSON, '1.0'],
  ['SENML_JSON', ContentFormat.SENML_JSON, '1.1'],
  ['SENML_CBOR', ContentFormat.SENML_CBOR, '1.1'],
  ['LWM2M_CBOR', ContentFormat.LWM2M_CBOR, '1.2'],
] as Array<[string, number, '1.0' | '1.1' | '1.2']>).filter(([, f]) => hasCodec(f));

it('covers at least TLV, SenML-JSON and SenML-CBOR', () => {
  expect(FORMATS.map(([n]) => n)).toEqual(expect.arrayContaining(['TLV', 'SENML_JSON', 'SENML_CBOR']));
});

describe.each(FORMATS)('operations in %s', (name, format, version) => {
  const h = new Harness();
  const executed: ExecuteArgs[] = [];
  const ep = `ops-${name}`;
  let s: LwM2mServer;
  let client: Awaited<ReturnType<Harness['client']>>;
  // Composite operations: LwM2M 1.1+, in the formats that can carry several paths.
  const composite = version !== '1.0' && format !== ContentFormat.TLV;

  beforeAll(async () => {
    s = await h.server({ models: MODELS });
    client = await h.client(s, { endpoint: ep, lwm2mVersion: version, models: MODELS, objects: [testObject(executed)] });
  });
  afterAll(() => h.close());

  it('reads an instance and a resource', async () => {
    const inst = res(await s.send(ep, { kind: 'read', path: P(`${O}/0`), format }));
    expect(inst.code).toBe('2.05');
    expect(resourceValue(inst.content, 0)).toBe('first');
    expect(resourceValue(inst.content, 1)).toBe(5n);
    expect(resourceValue(inst.content, 2)).toBe(1.5);
    expect(resourceValue(inst.content, 3)).toEqual(['a', 'b']);
    expect(resourceValue(inst.content, 6)).toBe(true);
    const one = res(await s.send(ep, { kind: 'read', path: P(`${O}/0/0`), format }));
    expect(one.content).toEqual(singleResource(0, 'STRING', 'first'));
  });

  it('writes (replace and partial update) and reads back', async () => {
    expect(res(await s.send(ep, { kind: 'write', path: P(`${O}/0/0`), node: singleResource(0, 'STRING', `w-${name}`), mode: 'replace', format })).code).toBe('2.04');
    expect((res(await s.send(ep, { kind: 'read', path: P(`${O}/0/0`), format })).content as SingleResource).value).toBe(`w-${name}`);
    const node = objectInstance(0, [singleResource(1, 'INTEGER', 77n), singleResource(2, 'FLOAT', 2.25)]);
    expect(res(await s.send(ep, { kind: 'write', path: P(`${O}/0`), node, mode: 'update', format })).code).toBe('2.04');
    const after = res(await s.send(ep, { kind: 'read', path: P(`${O}/0`), format })).content;
    expect(resourceValue(after, 0)).toBe(`w-${name}`);
    expect(resourceValue(after, 1)).toBe(77n);
    expect(resourceValue(after, 2)).toBe(2.25);
  });

  it('creates and deletes an instance', async () => {
    const inst: ObjectInstance = objectInstance(7, [singleResource(0, 'STRING', 'seven'), singleResource(6, 'BOOLEAN', false)]);
    const created = res(await s.send(ep, { kind: 'create', path: P(O), instances: [inst], format }));
    expect(created.code).toBe('2.01');
    expect(resourceValue(res(await s.send(ep, { kind: 'read', path: P(`${O}/7`), format })).content, 0)).toBe('seven');
    expect(res(await s.send(ep, { kind: 'delete', path: P(`${O}/7`) })).code).toBe('2.02');
    expect(res(await s.send(ep, { kind: 'read', path: P(`${O}/7`), format })).code).toBe('4.04');
  });

  it('discovers, writes attributes, executes with arguments', async () => {
    const d = res(await s.send(ep, { kind: 'discover', path: P(`${O}/0`) }));
    expect(d.code).toBe('2.05');
    expect(d.objectLinks?.map((l) => l.url)).toEqual(expect.arrayContaining([`${O}/0`, `${O}/0/0`, `${O}/0/2`]));
    expect(res(await s.send(ep, { kind: 'writeAttributes', path: P(`${O}/0/2`), attributes: { pmin: '1', pmax: '60' } })).code).toBe('2.04');
    const d2 = res(await s.send(ep, { kind: 'discover', path: P(`${O}/0/2`) }));
    expect(d2.objectLinks?.find((l) => l.url === `${O}/0/2`)?.attributes).toMatchObject({ pmin: '1', pmax: '60' });
    expect(res(await s.send(ep, { kind: 'execute', path: P(`${O}/0/5`), args: "0='go',1" })).code).toBe('2.04');
    expect(executed.at(-1)?.values).toEqual(new Map([[0, 'go'], [1, null]]));
  });

  it('observes a resource, gets notifications, cancels passively and actively', async () => {
    const obs = res(await s.send(ep, { kind: 'observe', path: P(`${O}/0/0`), format }));
    expect(obs.code).toBe('2.05');
    expect(obs.observationId).toMatch(/^[0-9a-f]{16}$/);
    const n = nextEvent(s, 'NOTIFICATION', (e) => e.ep === ep);
    client.setResource(`${O}/0/0`, 'notified');
    const got = await n;
    expect(got).toMatchObject({ kind: 'single', path: `${O}/0/0`, observationId: obs.observationId, node: singleResource(0, 'STRING', 'notified') });
    // Passive cancel: forgotten by the server, the next notification is reset and ends it at the client.
    expect(res(await s.send(ep, { kind: 'cancelObserve', path: P(`${O}/0/0`), active: false })).code).toBe('2.05');
    const none = nextEvent(s, 'NOTIFICATION', (e) => e.ep === ep, 700);
    client.setResource(`${O}/0/0`, 'after-cancel');
    await expect(none).rejects.toThrow(/no NOTIFICATION/);
    // Active cancel.
    const again = res(await s.send(ep, { kind: 'observe', path: P(`${O}/0/0`), format }));
    expect(again.code).toBe('2.05');
    const cancelled = res(await s.send(ep, { kind: 'cancelObserve', path: P(`${O}/0/0`), active: true }));
    expect(cancelled.code).toBe('2.05');
    const none2 = nextEvent(s, 'NOTIFICATION', (e) => e.ep === ep, 700);
    client.setResource(`${O}/0/0`, 'after-active-cancel');
    await expect(none2).rejects.toThrow(/no NOTIFICATION/);
  });

  it('reads, writes and observes composites (refused for 1.0 clients and in TLV)', async () => {
    const paths = [P(`${O}/0/0`), P('/3/0/0')];
    if (!composite) {
      await expect(s.send(ep, { kind: 'readComposite', paths, requestFormat: format, responseFormat: format })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
      return;
    }
    await composites(paths);
  });

  async function composites(paths: LwM2mPath[]): Promise<void> {
    const r = res(await s.send(ep, { kind: 'readComposite', paths, requestFormat: format === ContentFormat.LWM2M_CBOR ? ContentFormat.SENML_CBOR : format, responseFormat: format }));
    expect(r.code).toBe('2.05');
    expect(r.contents?.get('/3/0/0')).toEqual(singleResource(0, 'STRING', 'Handover'));
    const nodes = new Map<string, LwM2mNode>([[`${O}/0/0`, singleResource(0, 'STRING', 'composite')], [`${O}/0/6`, singleResource(6, 'BOOLEAN', false)]]);
    expect(res(await s.send(ep, { kind: 'writeComposite', nodes, format })).code).toBe('2.04');
    const back = res(await s.send(ep, { kind: 'read', path: P(`${O}/0`), format }));
    expect(resourceValue(back.content, 0)).toBe('composite');
    expect(resourceValue(back.content, 6)).toBe(false);
    const o = res(await s.send(ep, { kind: 'observeComposite', paths, responseFormat: format, requestFormat: format === ContentFormat.LWM2M_CBOR ? ContentFormat.SENML_CBOR : format }));
    expect(o.code).toBe('2.05');
    const n = nextEvent(s, 'NOTIFICATION', (e) => e.ep === ep && e.kind === 'composite');
    client.setResource(`${O}/0/0`, 'composite-notified');
    const got = await n;
    expect(got.kind === 'composite' && got.nodes.get(`${O}/0/0`)).toEqual(singleResource(0, 'STRING', 'composite-notified'));
    expect(res(await s.send(ep, { kind: 'cancelObserveComposite', paths, active: true })).code).toBe('2.05');
  }

  it('receives Send (LwM2M 1.1+; refused from a 1.0 client)', async () => {
    if (version === '1.0') {
      await expect(client.send([`${O}/0/1`], ContentFormat.SENML_JSON)).rejects.toThrow(/4\.00/);
      return;
    }
    const sent = nextEvent(s, 'SEND', (e) => e.ep === ep);
    await client.send([`${O}/0/1`]);
    const e = await sent;
    expect(e.nodes.get(`${O}/0/1`)?.[0].node).toEqual(singleResource(1, 'INTEGER', expect.any(BigInt)));
  });
});

describe('single-value formats and refusals', () => {
  const h = new Harness();
  let s: LwM2mServer;
  beforeAll(async () => {
    s = await h.server({ models: MODELS });
    await h.client(s, { endpoint: 'sv', models: MODELS, objects: [testObject()] });
    await h.client(s, { endpoint: 'old', lwm2mVersion: '1.0', models: MODELS, objects: [testObject()] });
  });
  afterAll(() => h.close());

  it('reads and writes text and opaque', async () => {
    expect(res(await s.send('sv', { kind: 'write', path: P(`${O}/0/1`), node: singleResource(1, 'INTEGER', -3n), mode: 'replace', format: ContentFormat.TEXT })).code).toBe('2.04');
    expect(res(await s.send('sv', { kind: 'read', path: P(`${O}/0/1`), format: ContentFormat.TEXT })).content).toEqual(singleResource(1, 'INTEGER', -3n));
    const blob = new Uint8Array([9, 8, 7]);
    expect(res(await s.send('sv', { kind: 'write', path: P(`${O}/0/4`), node: singleResource(4, 'OPAQUE', blob), mode: 'replace', format: ContentFormat.OPAQUE })).code).toBe('2.04');
    expect(res(await s.send('sv', { kind: 'read', path: P(`${O}/0/4`), format: ContentFormat.OPAQUE })).content).toEqual(singleResource(4, 'OPAQUE', blob));
  });

  it('defaults to TLV for a 1.0 client and SenML-CBOR for a 1.1 client that announced it', async () => {
    const logs: string[] = [];
    const on = (e: { options: string; incoming: boolean }) => { if (!e.incoming) logs.push(e.options); };
    s.events.on('COAPLOG', on);
    await s.send('old', { kind: 'read', path: P(`${O}/0`) });
    await s.send('sv', { kind: 'read', path: P(`${O}/0`) });
    s.events.off('COAPLOG', on);
    expect(logs.filter((o) => o.includes('Accept'))).toEqual([expect.stringContaining('Accept: 11542'), expect.stringContaining('Accept: 112')]);
  });

  it('refuses what the client cannot take and unknown clients', async () => {
    await expect(s.send('old', { kind: 'read', path: P(`${O}/0`), format: ContentFormat.SENML_CBOR })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(s.send('old', { kind: 'readComposite', paths: [P('/3/0/0')] })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(s.send('nobody', { kind: 'read', path: P('/3/0') })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: "No registered client with id 'nobody'" });
    await expect(s.send('sv', { kind: 'read', path: P('/3/0'), format: 9999 })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('reports a timeout when the client does not answer', async () => {
    const c = h.clients.find((x) => x.endpoint === 'sv')!;
    c.sleep();
    await expect(s.send('sv', { kind: 'read', path: P('/3/0') }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });
});
