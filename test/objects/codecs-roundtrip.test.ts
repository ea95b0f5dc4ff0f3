/** Round trips over every resource type and node depth for the SenML and LwM2M-CBOR codecs, and refusals of bad payloads. */
import { codecFor, supportedFormats } from '../../objects/codecs/index';
import { ContentFormat } from '../../objects/content-format';
import { PayloadError, UnsupportedFormatError } from '../../objects/errors';
import { StaticModelProvider } from '../../objects/model';
import { lwm2mObject, multiResource, objectInstance, singleResource, type LwM2mNode } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';

const TYPES = ['STRING', 'INTEGER', 'UNSIGNED_INTEGER', 'FLOAT', 'BOOLEAN', 'OPAQUE', 'OBJLNK', 'INTEGER'] as const;
const models = new StaticModelProvider([{ id: 4242, name: 'Test', description: '', version: '1.0', lwm2mVersion: '1.1', urn: '', multiple: true, mandatory: false,
  resources: new Map(TYPES.map((type, id) => [id, { id, name: `r${id}`, operations: 'RW' as const, multiple: id === 7, mandatory: false, type, rangeEnumeration: '', units: '', description: '' }])) }]);
const values = [
  singleResource(0, 'STRING', 'héllo'),
  singleResource(1, 'INTEGER', -42n),
  singleResource(2, 'UNSIGNED_INTEGER', 7n),
  singleResource(3, 'FLOAT', 3.5),
  singleResource(4, 'BOOLEAN', true),
  singleResource(5, 'OPAQUE', new Uint8Array([0, 1, 255])),
  singleResource(6, 'OBJLNK', { objectId: 3, instanceId: 0 }),
];
const inst = objectInstance(0, [...values, multiResource(7, 'INTEGER', [[0, 1n], [3, 9n]])]);
const COMPOSITE = [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR];

function plain(n: LwM2mNode): unknown {
  return JSON.parse(JSON.stringify(n, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v.entries()] : v instanceof Uint8Array ? [...v] : v)));
}

describe.each(COMPOSITE)('format %i', (format) => {
  const codec = codecFor(format);
  it('round-trips an object instance with every guessable type', () => {
    const path = LwM2mPath.parse('/4242/0');
    expect(plain(codec.decode(codec.encode(inst, path, models), path, models))).toEqual(plain(inst));
  });
  it('round-trips an object and a single resource', () => {
    const obj = lwm2mObject(4242, [inst, objectInstance(1, [singleResource(0, 'STRING', 'x')])]);
    expect(plain(codec.decode(codec.encode(obj, LwM2mPath.parse('/4242'), models), LwM2mPath.parse('/4242'), models))).toEqual(plain(obj));
    const p = LwM2mPath.parse('/4242/0/1');
    expect(plain(codec.decode(codec.encode(values[1], p, models), p, models))).toEqual(plain(values[1]));
  });
  it('round-trips composite nodes', () => {
    const nodes = new Map<string, LwM2mNode>([['/4242/0/0', values[0]], ['/4242/0/4', values[4]]]);
    const back = codec.decodeNodes!(codec.encodeNodes!(nodes, models), models);
    expect([...back.keys()].sort()).toEqual(['/4242/0/0', '/4242/0/4']);
    expect(plain(back.get('/4242/0/4')!)).toEqual(plain(values[4]));
  });
  it('refuses garbage and truncated payloads with PayloadError', () => {
    const good = codec.encode(inst, LwM2mPath.parse('/4242/0'), models);
    for (const bad of [new Uint8Array([0xff, 0x00, 0x13]), good.subarray(0, good.length - 3), new Uint8Array(0)]) {
      expect(() => codec.decode(bad, LwM2mPath.parse('/4242/0'), models)).toThrow(PayloadError);
    }
  });
  it('refuses a node that is not the one at the path', () => {
    expect(() => codec.encode(values[0], LwM2mPath.parse('/4242/0/9'), models)).toThrow(PayloadError);
  });
});

describe('SenML', () => {
  it('decodes the RFC 8428 base-name / base-time resolution and typed values from the model', () => {
    const json = '[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"9","v":95},{"n":"13","v":1367491215}]';
    const std = new StaticModelProvider([{ id: 3, name: 'Device', description: '', version: '1.0', lwm2mVersion: '1.0', urn: '', multiple: false, mandatory: true,
      resources: new Map([[0, { id: 0, name: 'Manufacturer', operations: 'R', multiple: false, mandatory: false, type: 'STRING', rangeEnumeration: '', units: '', description: '' }],
        [9, { id: 9, name: 'Battery Level', operations: 'R', multiple: false, mandatory: false, type: 'INTEGER', rangeEnumeration: '', units: '', description: '' }],
        [13, { id: 13, name: 'Current Time', operations: 'RW', multiple: false, mandatory: false, type: 'TIME', rangeEnumeration: '', units: '', description: '' }]]) }]);
    const node = codecFor(ContentFormat.SENML_JSON).decode(new TextEncoder().encode(json), LwM2mPath.parse('/3/0'), std);
    expect(node.kind).toBe('instance');
    if (node.kind !== 'instance') return;
    expect(node.resources.get(0)).toEqual(singleResource(0, 'STRING', 'Open Mobile Alliance'));
    expect(node.resources.get(9)).toEqual(singleResource(9, 'INTEGER', 95n));
    expect((node.resources.get(13) as { value: Date }).value.toISOString()).toBe('2013-05-02T10:40:15.000Z');
  });
  it('encodes and decodes Read-Composite path lists', () => {
    const codec = codecFor(ContentFormat.SENML_CBOR);
    const paths = [LwM2mPath.parse('/3/0/9'), LwM2mPath.parse('/1')];
    expect(codec.decodePaths!(codec.encodePaths!(paths)).map(String)).toEqual(['/3/0/9', '/1']);
  });
});

it('the registry refuses unknown formats with UnsupportedFormatError', () => {
  expect(() => codecFor(9999)).toThrow(UnsupportedFormatError);
  expect(supportedFormats()).toEqual(expect.arrayContaining([0, 42, 11542, 110, 112, 11544]));
});
