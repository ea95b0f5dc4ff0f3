/**
 * LwM2M-CBOR against the examples of LwM2M 1.2 Core §7.4 "LwM2M CBOR"
 * (oma-lwm2m-core-1.2-main-body.md), and plain CBOR (60) single values.
 */
import { PayloadError, UnsupportedFormatError } from '../../../objects/errors';
import { StaticModelProvider } from '../../../objects/model';
import { lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource, type LwM2mNode } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { cborCodec } from '../../../objects/codecs/cbor';
import { lwm2mCborCodec } from '../../../objects/codecs/lwm2m-cbor';
import { exampleDevice, hex, specModels, toHex } from './spec-models';

const models = specModels();
const P = (s: string) => LwM2mPath.parse(s);

const SERVER_INSTANCE = (id: number, ssid: bigint, pmin: bigint, storing: boolean) => objectInstance(id, [
  singleResource(0, 'INTEGER', ssid), singleResource(1, 'INTEGER', 86400n), singleResource(2, 'INTEGER', pmin),
  singleResource(3, 'INTEGER', 6000n), singleResource(5, 'INTEGER', 86400n), singleResource(6, 'BOOLEAN', storing), singleResource(7, 'STRING', 'U'),
]);

const VECTORS: Array<{ title: string; path: string; hex: string; node: LwM2mNode }> = [
  {
    title: 'Single Resource Example (Read /3/0/0, 26 bytes)',
    path: '/3/0/0',
    hex: 'A1 83 03 00 00 74 4F70656E204D6F62696C6520416C6C69616E6365',
    node: singleResource(0, 'STRING', 'Open Mobile Alliance'),
  },
  {
    title: 'Multiple Resource Example (Read /3/0/6, 10 bytes)',
    path: '/3/0/6',
    hex: 'A1 83 03 00 06 A2 00 01 01 05',
    node: multiResource(6, 'INTEGER', [[0, 1n], [1, 5n]]),
  },
  {
    title: 'Single Object Instance Example (Read /3/0, 118 bytes)',
    path: '/3/0',
    hex: `A1 82 03 00 AD
      00 74 4F70656E204D6F62696C6520416C6C69616E6365
      01 76 4C69676874776569676874204D324D20436C69656E74
      02 69 333435303030313233
      03 63 312E30
      06 A2 00 01 01 05
      07 A2 00 19 0ED8 01 19 1388
      08 A2 00 18 7D 01 19 0384
      09 18 64
      0A 0F
      0B A1 00 00
      0D 1A 5182428F
      0E 66 2B30323A3030
      10 61 55`,
    node: exampleDevice(),
  },
  {
    title: 'Multiple Object Instances Example (Read /1, 63 bytes)',
    path: '/1',
    hex: `A1 01 A2
      00 A7 00 18 65 01 1A 00015180 02 19 012C 03 19 1770 05 1A 00015180 06 F5 07 61 55
      01 A7 00 18 66 01 1A 00015180 02 19 0258 03 19 1770 05 1A 00015180 06 F4 07 61 55`,
    node: lwm2mObject(1, [SERVER_INSTANCE(0, 101n, 300n, true), SERVER_INSTANCE(1, 102n, 600n, false)]),
  },
];

describe('LwM2M CBOR spec examples', () => {
  it.each(VECTORS)('decodes $title', ({ path, hex: h, node }) => {
    expect(lwm2mCborCodec.decode(hex(h), P(path), models)).toEqual(node);
  });

  it.each(VECTORS)('encodes $title byte for byte', ({ path, hex: h, node }) => {
    expect(toHex(lwm2mCborCodec.encode(node, P(path), models))).toBe(toHex(hex(h)));
  });

  it('sizes match the spec', () => {
    expect(VECTORS.map((v) => hex(v.hex).length)).toEqual([26, 10, 118, 63]);
  });

  it('decodes the equivalent nested form {3: {0: {0: "Open Mobile Alliance"}}}', () => {
    expect(lwm2mCborCodec.decode(hex('A1 03 A1 00 A1 00 74 4F70656E204D6F62696C6520416C6C69616E6365'), P('/3/0/0'), models))
      .toEqual(singleResource(0, 'STRING', 'Open Mobile Alliance'));
  });

  it('Composite Operation Example (39 bytes) both ways', () => {
    const payload = hex('A2 82 03 00 A2 00 74 4F70656E204D6F62696C6520416C6C69616E6365 09 18 64 83 01 00 01 1A 00015180');
    expect(payload).toHaveLength(39);
    const nodes = new Map<string, LwM2mNode>([
      ['/3/0', objectInstance(0, [singleResource(0, 'STRING', 'Open Mobile Alliance'), singleResource(9, 'INTEGER', 100n)])],
      ['/1/0/1', singleResource(1, 'INTEGER', 86400n)],
    ]);
    expect(lwm2mCborCodec.decodeNodes!(payload, models)).toEqual(nodes);
    expect(toHex(lwm2mCborCodec.encodeNodes!(nodes, models))).toBe(toHex(payload));
    const grouped = lwm2mCborCodec.decodeNodes!(payload, models, [P('/3/0/9'), P('/1/0'), P('/3/0/0')]);
    expect([...grouped.keys()]).toEqual(['/3/0/9', '/1/0', '/3/0/0']);
    expect(grouped.get('/1/0')).toEqual(objectInstance(0, [singleResource(1, 'INTEGER', 86400n)]));
  });
});

describe('LwM2M CBOR paths and errors', () => {
  it('accepts ids relative to the target path (Write/Create)', () => {
    expect(lwm2mCborCodec.decode(hex('A2 00 61 41 09 18 64'), P('/3/0'), models))
      .toEqual(objectInstance(0, [singleResource(0, 'STRING', 'A'), singleResource(9, 'INTEGER', 100n)]));
  });

  it('keeps empty instances and empty multiple resources', () => {
    const node = lwm2mObject(2, [objectInstance(0, [multiResource(2, 'INTEGER', [])])]);
    const bytes = lwm2mCborCodec.encode(node, P('/2'), models);
    expect(toHex(bytes)).toBe('A102A100A102A0');
    expect(lwm2mCborCodec.decode(bytes, P('/2'), models)).toEqual(node);
    expect(lwm2mCborCodec.decode(hex('A1 82 03 00 A0'), P('/3/0'), models)).toEqual(objectInstance(0, []));
  });

  it('encodes and decodes the root', () => {
    const root: LwM2mNode = { kind: 'root', objects: new Map([[3, lwm2mObject(3, [exampleDevice()])]]) };
    expect(lwm2mCborCodec.decode(lwm2mCborCodec.encode(root, P('/'), models), P('/'), models)).toEqual(root);
  });

  it.each([
    ['not a map', '83 01 02 03', /must be a map/],
    ['value above a resource', 'A1 82 03 00 18 64', /not a resource/],
    ['too deep', 'A1 84 03 00 06 00 A1 00 01', /below the resource instance|too deep/],
    ['bad key', 'A1 61 78 01', /keys are ids/],
    ['wrong type for the model', 'A1 83 03 00 09 61 78', /INTEGER/],
    ['float for an integer', 'A1 83 03 00 09 FB 3FF8000000000000', /INTEGER/],
    ['trailing bytes', 'A1 83 03 00 09 01 00', /Invalid LwM2M CBOR/],
    ['truncated', 'A1 83 03 00', /Invalid LwM2M CBOR/],
    ['empty', '', /Empty/],
  ])('%s → PayloadError', (_t, h, message) => {
    expect(() => lwm2mCborCodec.decode(hex(h), P('/3/0'), models)).toThrow(PayloadError);
    expect(() => lwm2mCborCodec.decode(hex(h), P('/3/0'), models)).toThrow(message);
  });

  it('types values without a model by their CBOR type', () => {
    const none = new StaticModelProvider([]);
    const node = lwm2mCborCodec.decode(hex('A1 82 05 00 A5 00 01 01 FB 3FF8000000000000 02 61 78 03 42 0102 04 F5'), P('/5/0'), none);
    expect(node).toEqual(objectInstance(0, [
      singleResource(0, 'INTEGER', 1n), singleResource(1, 'FLOAT', 1.5), singleResource(2, 'STRING', 'x'),
      singleResource(3, 'OPAQUE', Uint8Array.of(1, 2)), singleResource(4, 'BOOLEAN', true),
    ]));
  });
});

describe('plain CBOR (60)', () => {
  it('carries single values and resource instances', () => {
    expect(toHex(cborCodec.encode(singleResource(9, 'INTEGER', 100n), P('/3/0/9'), models))).toBe('1864');
    expect(cborCodec.decode(hex('1864'), P('/3/0/9'), models)).toEqual(singleResource(9, 'INTEGER', 100n));
    expect(cborCodec.decode(hex('C1 1A 5182428F'), P('/3/0/13'), models)).toEqual(singleResource(13, 'TIME', new Date(1367491215000)));
    expect(cborCodec.decode(hex('05'), P('/3/0/6/1'), models)).toEqual(resourceInstance(1, 'INTEGER', 5n));
  });

  it('refuses multiple resources, instances and bad items', () => {
    expect(() => cborCodec.decode(hex('A1 00 01'), P('/3/0/6'), models)).toThrow(UnsupportedFormatError);
    expect(() => cborCodec.encode(exampleDevice(), P('/3/0'), models)).toThrow(UnsupportedFormatError);
    expect(() => cborCodec.decode(hex('61 78'), P('/3/0/9'), models)).toThrow(PayloadError);
    expect(() => cborCodec.decode(hex('1B FFFFFFFFFFFFFFFF'), P('/3/0/9'), models)).toThrow(PayloadError);
  });
});
