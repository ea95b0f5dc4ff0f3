/**
 * Round trips through every codec of the registry over every resource type and every node kind
 * the format may carry, and UnsupportedFormatError for the kinds it may not.
 */
import { codecByName, codecFor, supportedFormats } from '../../../objects/codecs/index';
import { ContentFormat } from '../../../objects/content-format';
import { UnsupportedFormatError } from '../../../objects/errors';
import type { ResourceType } from '../../../objects/model';
import {
  lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource,
  type LwM2mNode, type ResourceValue,
} from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { specModels, TEST_OBJECT } from './spec-models';

const models = specModels();
const O = TEST_OBJECT;

/** Type k of the test object: resource 2k single, 2k+1 multiple (see spec-models.ts). */
const SAMPLES: ReadonlyArray<readonly [ResourceType, ResourceValue, ResourceValue]> = [
  ['STRING', 'héllo, wörld ✓', ''],
  ['INTEGER', -1234567890123n, 127n],
  ['UNSIGNED_INTEGER', 4000000000n, 0n],
  ['FLOAT', 3.5, -0.1],
  ['BOOLEAN', true, false],
  ['OPAQUE', Uint8Array.of(0, 1, 0xfe, 0xff), new Uint8Array(0)],
  ['TIME', new Date(1700000000000), new Date(0)],
  ['OBJLNK', { objectId: 3, instanceId: 0 }, { objectId: 65535, instanceId: 65535 }],
  ['CORELNK', '</3/0>;ver=1.1,</1/0>', '</5>'],
];

const singles = SAMPLES.map(([type, a], k) => singleResource(2 * k, type, a));
const multis = SAMPLES.map(([type, a, b], k) => multiResource(2 * k + 1, type, [[0, a], [7, b], [300, a]]));
const instance = objectInstance(0, [...singles, ...multis]);
const object = lwm2mObject(O, [instance, objectInstance(5, [singles[0]]), objectInstance(9, [])]);
const root: LwM2mNode = { kind: 'root', objects: new Map([[O, object]]) };

type Case = { kind: string; path: LwM2mPath; node: LwM2mNode };
const P = (...ids: number[]) => new LwM2mPath(...(ids as [number?, number?, number?, number?]));
const CASES: Case[] = [
  { kind: 'root', path: LwM2mPath.ROOT, node: root },
  { kind: 'obj', path: P(O), node: object },
  { kind: 'instance', path: P(O, 0), node: instance },
  ...singles.map((n) => ({ kind: `singleResource ${n.type}`, path: P(O, 0, n.id), node: n as LwM2mNode })),
  ...multis.map((n) => ({ kind: `multiResource ${n.type}`, path: P(O, 0, n.id), node: n as LwM2mNode })),
  ...SAMPLES.map(([type, , b], k) => ({ kind: `resourceInstance ${type}`, path: P(O, 0, 2 * k + 1, 7), node: resourceInstance(7, type, b) as LwM2mNode })),
];

/** Which node kinds each format carries (LwM2M 1.1 Core §7.4, 1.2 Core §7.4). */
function carries(format: number, c: Case): boolean {
  const kind = c.node.kind;
  switch (format) {
    case ContentFormat.TEXT:
    case ContentFormat.CBOR:
      return kind === 'singleResource' || kind === 'resourceInstance';
    case ContentFormat.OPAQUE:
      return (kind === 'singleResource' || kind === 'resourceInstance') && c.node.type === 'OPAQUE';
    case ContentFormat.TLV:
      return kind !== 'root';
    default:
      return true;
  }
}

/** SenML and OMA JSON are flat lists of values: an instance without resources has no record. */
const FLAT = [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.JSON];
const withoutEmpty = (c: Case): Case => {
  const flatObject = lwm2mObject(O, [...object.instances.values()].filter((i) => i.resources.size > 0));
  if (c.node.kind === 'obj') return { ...c, node: flatObject };
  if (c.node.kind === 'root') return { ...c, node: { kind: 'root', objects: new Map([[O, flatObject]]) } };
  return c;
};

describe.each(supportedFormats())('content format %i', (format) => {
  const codec = codecFor(format);
  const supported = CASES.filter((c) => carries(format, c)).map((c) => (FLAT.includes(format as 110) ? withoutEmpty(c) : c));
  const refused = CASES.filter((c) => !carries(format, c));

  if (supported.length > 0) {
    it.each(supported.map((c) => [c.kind, c] as const))('round-trips %s', (_k, c) => {
      expect(codec.decode(codec.encode(c.node, c.path, models), c.path, models)).toEqual(c.node);
    });
  }
  if (refused.length > 0) {
    it.each(refused.map((c) => [c.kind, c] as const))('refuses %s with UnsupportedFormatError', (_k, c) => {
      expect(() => codec.encode(c.node, c.path, models)).toThrow(UnsupportedFormatError);
    });
  }

  if (FLAT.includes(format as 110)) {
    it('drops an instance without resources (no record can carry it)', () => {
      const decoded = codec.decode(codec.encode(object, P(O), models), P(O), models);
      expect(decoded.kind === 'obj' && [...decoded.instances.keys()].sort()).toEqual([0, 5]);
    });
  }

  if (codec.encodeNodes && codec.decodeNodes) {
    it('round-trips composite nodes of every kind', () => {
      const nodes = new Map<string, LwM2mNode>([
        [`/${O}/5`, object.instances.get(5)!],
        [`/${O}/0/2`, singles[1]],
        [`/${O}/0/7`, multis[3]],
        [`/${O}/0/13/300`, resourceInstance(300, 'TIME', new Date(1700000000000))],
      ]);
      const paths = [...nodes.keys()].map((p) => LwM2mPath.parse(p));
      expect(codec.decodeNodes!(codec.encodeNodes!(nodes, models), models, paths)).toEqual(nodes);
    });
  }

  if (codec.encodePaths && codec.decodePaths) {
    it('round-trips path lists of every depth', () => {
      const paths = [LwM2mPath.ROOT, P(1), P(3, 0), P(3, 0, 9), P(3, 0, 6, 1)];
      expect(codec.decodePaths!(codec.encodePaths!(paths))).toEqual(paths);
    });
  }
});

describe('64-bit extremes', () => {
  const extremes: Array<[ResourceType, number, ResourceValue]> = [
    ['INTEGER', 2, -(2n ** 63n)], ['INTEGER', 2, 2n ** 63n - 1n], ['UNSIGNED_INTEGER', 4, 2n ** 64n - 1n],
    ['FLOAT', 6, Number.MAX_VALUE], ['FLOAT', 6, 5e-324], ['TIME', 12, new Date(-1000)],
  ];
  // SenML JSON and OMA JSON read numbers through JSON.parse (doubles): not exact beyond 2^53.
  const exact = [ContentFormat.TEXT, ContentFormat.CBOR, ContentFormat.TLV, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR];
  it.each(exact)('format %i keeps them exact', (format) => {
    const codec = codecFor(format);
    for (const [type, id, value] of extremes) {
      const node = singleResource(id, type, value);
      const path = P(O, 0, id);
      expect(codec.decode(codec.encode(node, path, models), path, models)).toEqual(node);
    }
  });
});

describe('registry', () => {
  it('maps Leshan names and refuses unknown formats', () => {
    expect(codecByName('TLV').format).toBe(11542);
    expect(codecByName('senml_cbor').format).toBe(112);
    expect(codecByName('CBOR').format).toBe(11544);
    expect(codecByName('JSON').format).toBe(11543);
    expect(() => codecByName('XML')).toThrow(UnsupportedFormatError);
    expect(() => codecFor(9999)).toThrow(UnsupportedFormatError);
    expect(supportedFormats()).toEqual([0, 42, 60, 110, 112, 11542, 11543, 11544]);
  });
});
