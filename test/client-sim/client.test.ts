/**
 * The simulated client driven over real UDP by a raw CoAP server (RawServer): registration
 * lifecycle, every DM operation in every content format, errors, block-wise, queue mode.
 */
import { LwM2mClient } from '../../client-sim/client';
import { ModelObjectEnabler } from '../../client-sim/model-object-enabler';
import { codecFor } from '../../objects/codecs/index';
import { parseLinks } from '../../objects/codecs/link-format';
import { ContentFormat } from '../../objects/content-format';
import { standardModels } from '../../objects/ddf-loader';
import { StaticModelProvider } from '../../objects/model';
import { objectInstance, singleResource, type LwM2mNode } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import { RawServer, optionStrings } from './raw-server';
import { closeCoapGlobalAgents } from './raw-server';

afterAll(() => closeCoapGlobalAgents());
import { TEST_OBJECT } from './test-model';

const models = new StaticModelProvider([...standardModels().all(), TEST_OBJECT]);
const decode = (payload: Buffer, format: number, path: string): LwM2mNode => codecFor(format)!.decode(payload, LwM2mPath.parse(path), models);
const encode = (node: LwM2mNode, format: number, path: string): Uint8Array => codecFor(format)!.encode(node, LwM2mPath.parse(path), models);
const NODE_FORMATS = [ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR];

describe('LwM2mClient against a raw CoAP server', () => {
  let server: RawServer;
  let client: LwM2mClient;
  let port: number;

  beforeAll(async () => {
    server = await new RawServer().start();
    client = new LwM2mClient({
      endpoint: 'sim-1', serverUri: server.uri, lifetime: 60, lwm2mVersion: '1.2', models, requestTimeout: 2000,
      objects: [new ModelObjectEnabler(TEST_OBJECT, { instances: [{ id: 0, values: { 0: 'zero' } }], resources: { 5: { execute: () => undefined } } })],
    });
    client.on('error', () => undefined);
    await client.start();
    port = client.address()!.port;
  });
  afterAll(async () => {
    await client.stop();
    await server.close();
  });

  it('registers with ep, lt, lwm2m, b and the object links', async () => {
    const reg = await server.waitFor((u) => u.method === 'POST' && u.path === '/rd');
    expect(reg.query).toEqual(expect.arrayContaining(['ep=sim-1', 'lt=60', 'lwm2m=1.2', 'b=U']));
    expect(reg.format).toBe('application/link-format');
    const links = parseLinks(reg.payload.toString());
    expect(links[0].url).toBe('/');
    expect(links[0].attributes.rt).toMatch(/oma\.lwm2m/);
    expect(String(links[0].attributes.ct)).toContain('112');
    const urls = links.map((l) => l.url);
    expect(urls).toEqual(expect.arrayContaining(['/1/0', '/3/0', '/5/0', '/42769/0']));
    expect(urls.some((u) => u.startsWith('/0'))).toBe(false);
    expect(client.location).toBe('/rd/r1');
  });

  it('reads single resources as text by default and honours Accept in every format', async () => {
    const text = await server.request(port, { path: '/3/0/0' });
    expect(text.code).toBe('2.05');
    expect(text.payload.toString()).toBe('Handover');
    for (const format of NODE_FORMATS) {
      const res = await server.request(port, { path: '/3/0', accept: format });
      expect(res.code).toBe('2.05');
      const node = decode(res.payload, format, '/3/0');
      expect(node.kind).toBe('instance');
      if (node.kind === 'instance') expect(node.resources.get(2)).toEqual(singleResource(2, 'STRING', 'sim-1'));
    }
    const opaque = await server.request(port, { path: '/3/0/0', accept: ContentFormat.OPAQUE });
    expect(opaque.code).toBe('4.06');
    expect((await server.request(port, { path: '/3/0', accept: ContentFormat.TEXT })).code).toBe('4.06');
  });

  it('refuses with the right codes', async () => {
    expect((await server.request(port, { path: '/0/0' })).code).toBe('4.01');
    expect((await server.request(port, { path: '/3/0/4' })).code).toBe('4.05');
    expect((await server.request(port, { path: '/99' })).code).toBe('4.04');
    expect((await server.request(port, { path: '/3/7' })).code).toBe('4.04');
    expect((await server.request(port, { path: '/3/0/abc' })).code).toBe('4.00');
    expect((await server.request(port, { method: 'PUT', path: '/3/0/0', format: ContentFormat.TEXT, payload: Buffer.from('x') })).code).toBe('4.05');
    expect((await server.request(port, { method: 'PUT', path: '/3/0/14', format: 12345, payload: Buffer.from('x') })).code).toBe('4.15');
    expect((await server.request(port, { method: 'PUT', path: '/3/0', format: ContentFormat.TLV, payload: Buffer.from([0xff, 0xff, 0xff]) })).code).toBe('4.00');
    expect((await server.request(port, { method: 'PATCH', path: '/3/0' })).code).toBe('4.05');
    expect((await server.request(port, { method: 'DELETE', path: '/3/0' })).code).toBe('4.05');
    expect((await server.request(port, { method: 'POST', path: '/3/0/12', format: ContentFormat.TEXT, payload: Buffer.from('0=x') })).code).toBe('4.00');
  });

  it('writes in every format, replace and partial update', async () => {
    expect((await server.request(port, { method: 'PUT', path: '/3/0/14', format: ContentFormat.TEXT, payload: Buffer.from('+02:00') })).code).toBe('2.04');
    expect(client.getResource('/3/0/14')).toEqual(singleResource(14, 'STRING', '+02:00'));
    for (const format of NODE_FORMATS) {
      const value = `tz-${format}`;
      const payload = encode(singleResource(15, 'STRING', value), format, '/3/0/15');
      expect((await server.request(port, { method: 'PUT', path: '/3/0/15', format, payload })).code).toBe('2.04');
      expect(client.getResource('/3/0/15')).toEqual(singleResource(15, 'STRING', value));
      const inst = objectInstance(0, [singleResource(0, 'STRING', `n-${format}`)]);
      expect((await server.request(port, { method: 'POST', path: '/42769/0', format, payload: encode(inst, format, '/42769/0') })).code).toBe('2.04');
      expect(client.getResource('/42769/0/0')).toEqual(singleResource(0, 'STRING', `n-${format}`));
    }
    const opaque = Buffer.from([1, 2, 3]);
    expect((await server.request(port, { method: 'PUT', path: '/42769/0/4', format: ContentFormat.OPAQUE, payload: opaque })).code).toBe('2.04');
  });

  it('executes with arguments, creates and deletes instances (with an Update)', async () => {
    client.setResource('/3/0/11', [5]);
    expect((await server.request(port, { method: 'POST', path: '/3/0/12' })).code).toBe('2.04');
    expect(client.getResource('/3/0/11')).toEqual(expect.objectContaining({ kind: 'multiResource' }));
    expect((await server.request(port, { method: 'POST', path: '/42769/0/5', format: ContentFormat.TEXT, payload: Buffer.from("0='a',1") })).code).toBe('2.04');
    const updated = server.nextUplink((u) => u.method === 'POST' && u.path === '/rd/r1' && u.payload.length > 0);
    const inst = objectInstance(3, [singleResource(0, 'STRING', 'three')]);
    const created = await server.request(port, { method: 'POST', path: '/42769', format: ContentFormat.SENML_CBOR, payload: encode({ kind: 'obj', id: 42769, instances: new Map([[3, inst]]) }, ContentFormat.SENML_CBOR, '/42769') });
    expect(created.code).toBe('2.01');
    expect(optionStrings(created.options as never, 'Location-Path')).toEqual(['42769', '3']);
    expect(parseLinks((await updated).payload.toString()).map((l) => l.url)).toContain('/42769/3');
    expect((await server.request(port, { method: 'DELETE', path: '/42769/3' })).code).toBe('2.02');
    expect((await server.request(port, { method: 'DELETE', path: '/42769/3' })).code).toBe('4.04');
  });

  it('discovers with attributes and dim; Write-Attributes validates', async () => {
    client.setResource('/3/0/9', 10);
    expect((await server.request(port, { method: 'PUT', path: '/3/0/9', query: 'pmin=1&pmax=30&gt=50' })).code).toBe('2.04');
    expect((await server.request(port, { method: 'PUT', path: '/3/0/0', query: 'gt=50' })).code).toBe('4.00');
    expect((await server.request(port, { method: 'PUT', path: '/3/9', query: 'pmin=1' })).code).toBe('4.04');
    const res = await server.request(port, { path: '/3', accept: ContentFormat.LINK });
    expect(res.code).toBe('2.05');
    const links = parseLinks(res.payload.toString());
    expect(links.find((l) => l.url === '/3/0/9')?.attributes).toEqual(expect.objectContaining({ pmin: '1', pmax: '30', gt: '50' }));
    expect(links.find((l) => l.url === '/3/0/11')?.attributes.dim).toBe('1');
    expect((await server.request(port, { method: 'PUT', path: '/3/0/9', query: 'pmin&pmax&gt' })).code).toBe('2.04');
  });

  it('observes, notifies on change, and stops after Observe=1', async () => {
    client.setResource('/3/0/9', 10);
    const stream = await server.observe(port, '/3/0/9');
    const values: string[] = [];
    stream.on('data', (d: Buffer) => values.push(d.toString()));
    await new Promise((r) => setTimeout(r, 50));
    client.setResource('/3/0/9', 11);
    client.setResource('/3/0/9', 11);
    await new Promise((r) => setTimeout(r, 200));
    expect(values).toEqual(['10', '11']);
    stream.close();
    await new Promise((r) => setTimeout(r, 200));
    client.setResource('/3/0/9', 12);
    await new Promise((r) => setTimeout(r, 200));
    expect(values).toEqual(['10', '11']);
  });

  it('answers Read-Composite, Write-Composite and Observe-Composite', async () => {
    const codec = codecFor(ContentFormat.SENML_CBOR)!;
    const paths = codec.encodePaths!([LwM2mPath.parse('/3/0/0'), LwM2mPath.parse('/3/0/9')]);
    const res = await server.request(port, { method: 'FETCH', path: '/', format: ContentFormat.SENML_CBOR, accept: ContentFormat.SENML_JSON, payload: paths });
    expect(res.code).toBe('2.05');
    const nodes = codecFor(ContentFormat.SENML_JSON)!.decodeNodes!(res.payload, models);
    expect(nodes.get('/3/0/0')).toEqual(singleResource(0, 'STRING', 'Handover'));
    const write = codec.encodeNodes!(new Map([['/3/0/14', singleResource(14, 'STRING', '+05:00')], ['/3/0/15', singleResource(15, 'STRING', 'Asia/Kolkata')]]), models);
    expect((await server.request(port, { method: 'iPATCH', path: '/', format: ContentFormat.SENML_CBOR, payload: write })).code).toBe('2.04');
    expect(client.getResource('/3/0/15')).toEqual(singleResource(15, 'STRING', 'Asia/Kolkata'));
    const bad = codec.encodeNodes!(new Map([['/3/0/14', singleResource(14, 'STRING', 'x')], ['/3/0/0', singleResource(0, 'STRING', 'y')]]), models);
    expect((await server.request(port, { method: 'iPATCH', path: '/', format: ContentFormat.SENML_CBOR, payload: bad })).code).toBe('4.05');
    expect(client.getResource('/3/0/14')).toEqual(singleResource(14, 'STRING', '+05:00')); // all or nothing
    const stream = await server.observe(port, '/', ContentFormat.SENML_CBOR, 'FETCH', paths, ContentFormat.SENML_CBOR);
    const got: Map<string, LwM2mNode>[] = [];
    stream.on('data', (d: Buffer) => got.push(codec.decodeNodes!(d, models)));
    await new Promise((r) => setTimeout(r, 50));
    client.setResource('/3/0/9', 77);
    await new Promise((r) => setTimeout(r, 200));
    stream.close();
    expect(got.at(-1)?.get('/3/0/9')).toEqual(singleResource(9, 'INTEGER', 77n));
  });

  it('sends data with Send (SenML-CBOR)', async () => {
    const dp = server.nextUplink((u) => u.path === '/dp');
    await client.send(['/3/0/9']);
    const u = await dp;
    expect(u.format).toBe('application/senml+cbor');
    expect(codecFor(ContentFormat.SENML_CBOR)!.decodeNodes!(u.payload, models).get('/3/0/9')).toEqual(singleResource(9, 'INTEGER', 77n));
  });

  it('transfers block-wise both ways (RFC 7959)', async () => {
    const big = 'x'.repeat(3000);
    client.setResource('/42769/0/0', big);
    const read = await server.request(port, { path: '/42769/0/0' });
    expect(read.code).toBe('2.05');
    expect(read.payload.toString()).toBe(big);
    const blob = Buffer.alloc(700, 7);
    const res = await server.request(port, { method: 'PUT', path: '/42769/0/4', format: ContentFormat.OPAQUE, payload: blob, block1: true });
    expect(res.code).toBe('2.04');
    const node = client.object<ModelObjectEnabler>(42769)!.get(0, 4) as Uint8Array;
    expect(Buffer.from(node).equals(blob)).toBe(true);
  });

  it('re-registers when an Update gets 4.04', async () => {
    server.forgetRegistrations = true;
    const reg = server.nextUplink((u) => u.path === '/rd');
    expect((await server.request(port, { method: 'POST', path: '/1/0/8' })).code).toBe('2.04');
    await reg;
    server.forgetRegistrations = false;
    await new Promise((r) => setTimeout(r, 50));
    expect(client.location).toMatch(/^\/rd\/r\d+$/);
    expect(client.location).not.toBe('/rd/r1');
  });
});
