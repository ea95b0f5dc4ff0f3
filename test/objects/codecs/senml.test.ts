/**
 * SenML JSON / CBOR and OMA JSON against the examples of LwM2M 1.2 Core §7.4 "SenML JSON" and
 * "SenML CBOR" (oma-lwm2m-core-1.2-main-body.md), LwM2M 1.1 Core §6.4.4 "JSON"
 * (oma-lwm2m-core-1.1-draft-20171101.md), and RFC 8428 §5.1.2 / §6.
 */
import { PayloadError } from '../../../objects/errors';
import { StaticModelProvider } from '../../../objects/model';
import { lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { omaJsonCodec } from '../../../objects/codecs/oma-json';
import { senmlCborCodec } from '../../../objects/codecs/senml-cbor';
import { decodeSenmlCbor } from '../../../objects/codecs/senml-cbor-wire';
import { senmlJsonCodec } from '../../../objects/codecs/senml-json';
import { decodeSenmlJson } from '../../../objects/codecs/senml-json-wire';
import { resolveRecords } from '../../../objects/codecs/senml-record';
import { exampleDevice, hex, specModels, toHex } from './spec-models';

const models = specModels();
const none = new StaticModelProvider([]);
const P = (s: string) => LwM2mPath.parse(s);
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** 1.2 Core "SenML JSON payload returned from example request to Device Object (Read /3/0)". */
const DEVICE_SENML_JSON = `[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},
{"n":"1","vs":"Lightweight M2M Client"},
{"n":"2","vs":"345000123"},
{"n":"3","vs":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","vs":"+02:00"},
{"n":"16","vs":"U"}]`;

/** 1.2 Core "SenML CBOR": the same Read /3/0 in SenML CBOR. */
const DEVICE_SENML_CBOR = `
90 a3 21 65 2f 33 2f 30 2f 00 61 30 03 74 4f 70 65 6e 20 4d 6f 62 69 6c 65 20 41 6c 6c 69 61 6e
63 65 a2 00 61 31 03 76 4c 69 67 68 74 77 65 69 67 68 74 20 4d 32 4d 20 43 6c 69 65 6e 74 a2 00
61 32 03 69 33 34 35 30 30 30 31 32 33 a2 00 61 33 03 63 31 2e 30 a2 00 63 36 2f 30 02 01 a2 00
63 36 2f 31 02 05 a2 00 63 37 2f 30 02 19 0e d8 a2 00 63 37 2f 31 02 19 13 88 a2 00 63 38 2f 30
02 18 7d a2 00 63 38 2f 31 02 19 03 84 a2 00 61 39 02 18 64 a2 00 62 31 30 02 0f a2 00 64 31 31
2f 30 02 00 a2 00 62 31 33 02 1a 51 82 42 8f a2 00 62 31 34 03 66 2b 30 32 3a 30 30 a2 00 62 31
36 03 61 55`;

/** 1.2 Core: Read /65/0 reporting the linked hierarchy under bn "/" (objects 65, 66, 67). */
const HIERARCHY_SENML_JSON = `[{"bn":"/","n":"65/0/0/0","vlo":"66:0"},
{"n":"65/0/0/1","vlo":"66:1"},
{"n":"65/0/1","vs":"8613800755500"},
{"n":"65/0/2","v":1},
{"n":"66/0/0","vs":"myService1"},
{"n":"66/0/1","vs":"Internet.15.234"},
{"n":"66/0/2","vlo":"67:0"},
{"n":"66/1/0","vs":"myService2"},
{"n":"66/1/1","vs":"Internet.15.235"},
{"n":"66/1/2","vlo":"FFFF:FFFF"},
{"n":"67/0/0","vs":"85.76.76.84"},
{"n":"67/0/1","vs":"85.76.255.255"}]`;

const HIERARCHY = {
  kind: 'root' as const,
  objects: new Map([
    [65, lwm2mObject(65, [objectInstance(0, [
      multiResource(0, 'OBJLNK', [[0, { objectId: 66, instanceId: 0 }], [1, { objectId: 66, instanceId: 1 }]]),
      singleResource(1, 'STRING', '8613800755500'),
      singleResource(2, 'INTEGER', 1n),
    ])])],
    [66, lwm2mObject(66, [
      objectInstance(0, [singleResource(0, 'STRING', 'myService1'), singleResource(1, 'STRING', 'Internet.15.234'), singleResource(2, 'OBJLNK', { objectId: 67, instanceId: 0 })]),
      objectInstance(1, [singleResource(0, 'STRING', 'myService2'), singleResource(1, 'STRING', 'Internet.15.235'), singleResource(2, 'OBJLNK', { objectId: 65535, instanceId: 65535 })]),
    ])],
    [67, lwm2mObject(67, [objectInstance(0, [singleResource(0, 'STRING', '85.76.76.84'), singleResource(1, 'STRING', '85.76.255.255')])])],
  ]),
};

describe('SenML JSON (1.2 Core §7.4 SenML JSON examples)', () => {
  it('decodes the Device object example (Read /3/0)', () => {
    expect(senmlJsonCodec.decode(utf8(DEVICE_SENML_JSON), P('/3/0'), models)).toEqual(exampleDevice());
  });

  it('encodes the Device object example as the spec writes it', () => {
    expect(text(senmlJsonCodec.encode(exampleDevice(), P('/3/0'), models))).toBe(DEVICE_SENML_JSON);
  });

  it('decodes the Read /65/0 hierarchy under bn "/" at the root path', () => {
    expect(senmlJsonCodec.decode(utf8(HIERARCHY_SENML_JSON), P('/'), models)).toEqual(HIERARCHY);
  });

  it('decodes Read /3/0/0 (the spec drops the closing quote; restored)', () => {
    expect(senmlJsonCodec.decode(utf8('[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]'), P('/3/0/0'), models))
      .toEqual(singleResource(0, 'STRING', 'Open Mobile Alliance'));
    expect(text(senmlJsonCodec.encode(singleResource(0, 'STRING', 'Open Mobile Alliance'), P('/3/0/0'), models)))
      .toBe('[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]');
  });

  it('reads the Read-Composite request paths, with and without bn', () => {
    const decode = senmlJsonCodec.decodePaths!;
    expect(decode(utf8('[{"n":"/3/0/0"},{"n":"/3/0/9"},{"n":"/1/0/1"}]')).map(String)).toEqual(['/3/0/0', '/3/0/9', '/1/0/1']);
    expect(decode(utf8('[{"bn":"/4/0/", "n":"0"},{"n":"1"},{"n":"2"},{"bn":"/6/", "n":"0"}]')).map(String)).toEqual(['/4/0/0', '/4/0/1', '/4/0/2', '/6/0']);
    expect(decode(utf8('[{"n":"/"}]')).map(String)).toEqual(['/']);
    expect(decode(utf8('[{"n":"/1/0"},{"n":"/1/2"}]')).map(String)).toEqual(['/1/0', '/1/2']);
    expect(text(senmlJsonCodec.encodePaths!([P('/3/0/0'), P('/1')]))).toBe('[{"n":"/3/0/0"},\n{"n":"/1"}]');
  });

  it('reads the Read-Composite response grouped under the requested paths', () => {
    const payload = utf8('[{"n":"/3/0/0", "vs":"Open Mobile Alliance"},{"n" :"/3/0/9", "v":95},{"n":"/1/0/1", "v":86400}]');
    const nodes = senmlJsonCodec.decodeNodes!(payload, models, [P('/3/0'), P('/1/0/1'), P('/5')]);
    expect([...nodes.keys()]).toEqual(['/3/0', '/1/0/1']);
    expect(nodes.get('/3/0')).toEqual(objectInstance(0, [singleResource(0, 'STRING', 'Open Mobile Alliance'), singleResource(9, 'INTEGER', 95n)]));
    expect(nodes.get('/1/0/1')).toEqual(singleResource(1, 'INTEGER', 86400n));
    expect(() => senmlJsonCodec.decodeNodes!(payload, models, [P('/3/0')])).toThrow(/not below any requested path/);
  });

  it('reads the Write-Composite example by value field when no model is known', () => {
    const payload = utf8('[{"n":"/3311/0/5850", "vb":false},{"n":"/3311/1/5850", "vb":false},{"n":"/3311/2/5851", "v":20},{"n":"/3308/0/5900", "v":18}]');
    const nodes = senmlJsonCodec.decodeNodes!(payload, none);
    expect(nodes).toEqual(new Map([
      ['/3311/0/5850', singleResource(5850, 'BOOLEAN', false)],
      ['/3311/1/5850', singleResource(5850, 'BOOLEAN', false)],
      ['/3311/2/5851', singleResource(5851, 'FLOAT', 20)],
      ['/3308/0/5900', singleResource(5900, 'FLOAT', 18)],
    ]));
    const back = senmlJsonCodec.encodeNodes!(nodes, none);
    expect(senmlJsonCodec.decodeNodes!(back, none)).toEqual(nodes);
  });

  it('reads the temperature history notification with RFC 8428 time resolution', () => {
    const now = Date.UTC(2024, 0, 1);
    jest.useFakeTimers({ now });
    try {
      const payload = utf8('[{"bn":"/72/","bt":25462634,"n":"1/2","v":22.4,"t":-5},{"n":"1/2","v":22.9,"t":-30},{"n":"1/2","v":24.1,"t":-50}]');
      const history = senmlJsonCodec.decodeTimestamped!(payload, models).get('/72/1/2')!;
      // bt + t is below 2^28, so relative to now (§4.5.3); listed oldest first.
      expect(history.map((h) => h.timestamp?.getTime())).toEqual([now + 25462584000, now + 25462604000, now + 25462629000]);
      expect(history.map((h) => h.node)).toEqual([singleResource(2, 'FLOAT', 24.1), singleResource(2, 'FLOAT', 22.9), singleResource(2, 'FLOAT', 22.4)]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('round-trips absolute timestamps through bt', () => {
    const t1 = new Date(1700000000000);
    const t2 = new Date(1700000060500);
    const nodes = new Map([
      ['/3/0/9', [{ timestamp: t1, node: singleResource(9, 'INTEGER', 90n) }, { timestamp: t2, node: singleResource(9, 'INTEGER', 80n) }]],
      ['/3/0/7', [{ timestamp: t2, node: multiResource(7, 'INTEGER', [[0, 3800n]]) }]],
      ['/3/0/0', [{ node: singleResource(0, 'STRING', 'now') }]],
    ]);
    for (const codec of [senmlJsonCodec, senmlCborCodec]) {
      const decoded = codec.decodeTimestamped!(codec.encodeTimestamped!(nodes, models), models);
      expect(decoded.get('/3/0/9')).toEqual(nodes.get('/3/0/9'));
      expect(decoded.get('/3/0/7/0')).toEqual([{ timestamp: t2, node: resourceInstance(0, 'INTEGER', 3800n) }]);
      expect(decoded.get('/3/0/0')).toEqual([{ timestamp: undefined, node: singleResource(0, 'STRING', 'now') }]);
    }
  });

  it('refuses records that do not fit the model or the path', () => {
    const bad = (s: string, path = '/3/0') => () => senmlJsonCodec.decode(utf8(s), P(path), models);
    expect(bad('[{"n":"/3/0/9","vs":"full"}]')).toThrow(/cannot carry the INTEGER/);
    expect(bad('[{"n":"/3/0/9","v":1.5}]')).toThrow(/not an integer/);
    expect(bad('[{"n":"/3/0/6","v":1}]')).toThrow(/multiple/);
    expect(bad('[{"n":"/3/0/9/0","v":1}]')).toThrow(/single/);
    expect(bad('[{"n":"/1/0/1","v":1}]')).toThrow(/not below/);
    expect(bad('[{"n":"/3/0/9"}]')).toThrow(/no value/);
    expect(bad('[{"n":"/3/0/9","v":1,"vs":"x"}]')).toThrow(/more than one value/);
    expect(bad('[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":2}]')).toThrow(/Duplicate/);
    expect(bad('[{"n":"3/0/9","v":1}]')).toThrow(/Invalid LwM2M path/);
    expect(bad('[{"n":"/3/0/9","v":1,"x_":1}]')).toThrow(/must-understand/);
    expect(bad('{"n":"/3/0/9"}')).toThrow(/array/);
    for (const f of [bad('[{"n":"/3/0/9","vs":"full"}]'), bad('[1]'), bad('[{"n":5}]')]) expect(f).toThrow(PayloadError);
  });

  it('writes opaque values in vd as base64url and 64-bit integers exactly', () => {
    const node = objectInstance(0, [singleResource(4, 'UNSIGNED_INTEGER', 2n ** 64n - 1n), singleResource(10, 'OPAQUE', Uint8Array.of(0xfb, 0xff, 0x01))]);
    const json = text(senmlJsonCodec.encode(node, P('/42769/0'), models));
    expect(json).toContain('"vd":"-_8B"');
    expect(json).toContain('"v":18446744073709551615');
    const cbor = senmlCborCodec.encode(node, P('/42769/0'), models);
    expect(senmlCborCodec.decode(cbor, P('/42769/0'), models)).toEqual(node);
  });
});

describe('SenML CBOR (1.2 Core §7.4 SenML CBOR example)', () => {
  it('decodes the Device object example', () => {
    expect(senmlCborCodec.decode(hex(DEVICE_SENML_CBOR), P('/3/0'), models)).toEqual(exampleDevice());
  });

  it('encodes the Device object example byte for byte', () => {
    expect(toHex(senmlCborCodec.encode(exampleDevice(), P('/3/0'), models))).toBe(toHex(hex(DEVICE_SENML_CBOR)));
  });
});

describe('RFC 8428 records', () => {
  const JSON_5_1_2 = `[{"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},
    {"n":"current","t":-5,"v":1.2},{"n":"current","t":-4,"v":1.3},{"n":"current","t":-3,"v":1.4},
    {"n":"current","t":-2,"v":1.5},{"n":"current","t":-1,"v":1.6},{"n":"current","v":1.7}]`;
  const CBOR_6 = `87 a7 21 78 1b 75 72 6e 3a 64 65 76 3a 6f 77 3a 31 30 65 32 30 37 33 61 30 31 30 38 30 30 36 3a
    22 fb 41 d3 03 a1 5b 00 10 62 23 61 41 20 05 00 67 76 6f 6c 74 61 67 65 01 61 56 02 fb 40 5e 06
    66 66 66 66 66 a3 00 67 63 75 72 72 65 6e 74 06 24 02 fb 3f f3 33 33 33 33 33 33 a3 00 67 63 75
    72 72 65 6e 74 06 23 02 fb 3f f4 cc cc cc cc cc cd a3 00 67 63 75 72 72 65 6e 74 06 22 02 fb 3f
    f6 66 66 66 66 66 66 a3 00 67 63 75 72 72 65 6e 74 06 21 02 f9 3e 00 a3 00 67 63 75 72 72 65 6e
    74 06 20 02 fb 3f f9 99 99 99 99 99 9a a3 00 67 63 75 72 72 65 6e 74 06 00 02 fb 3f fb 33 33 33 33 33 33`;

  it('§6: the CBOR dump carries the same records as the §5.1.2 JSON', () => {
    expect(resolveRecords(decodeSenmlCbor(hex(CBOR_6)))).toEqual(resolveRecords(decodeSenmlJson(utf8(JSON_5_1_2))));
    expect(decodeSenmlCbor(hex(CBOR_6))[6]).toEqual({ n: 'current', t: 0, v: 1.7 });
  });

  it('§4.6: names and times resolve against bn and bt', () => {
    const resolved = resolveRecords(decodeSenmlJson(utf8(JSON_5_1_2)));
    expect(resolved[0]).toEqual({ name: 'urn:dev:ow:10e2073a0108006:voltage', time: new Date(1276020076001), value: { field: 'v', value: 120.1 } });
    expect(resolved[1].name).toBe('urn:dev:ow:10e2073a0108006:current');
    expect(resolved[1].time).toEqual(new Date(1276020071001));
    expect(resolved[6].time).toEqual(new Date(1276020076001));
  });

  it('§5.1.5: vd is base64url without padding', () => {
    const [, , , data] = resolveRecords(decodeSenmlJson(utf8('[{"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},{"n":"label","vs":"Machine Room"},{"n":"open","vb":false},{"n":"nfv-reader","vd":"aGkgCg"}]')));
    expect(data.value).toEqual({ field: 'vd', value: new Uint8Array(Buffer.from('hi \n')) });
  });
});

describe('OMA JSON (LwM2M 1.1 Core §6.4.4 examples)', () => {
  const DEVICE_OMA_JSON = `{"bn":"/3/0/",
"e":[
{"n":"0","sv":"Open Mobile Alliance"},
{"n":"1","sv":"Lightweight M2M Client"},
{"n":"2","sv":"345000123"},
{"n":"3","sv":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","sv":"+02:00"},
{"n":"16","sv":"U"}]
}`;

  it('decodes the Device object example (Read /3/0)', () => {
    expect(omaJsonCodec.decode(utf8(DEVICE_OMA_JSON), P('/3/0'), models)).toEqual(exampleDevice());
  });

  it('decodes the Read /65/0 hierarchy with "ov" object links', () => {
    const payload = HIERARCHY_SENML_JSON.replace(/\[\{"bn":"\/",/, '{"bn":"/","e":[{').replace(/"vlo"/g, '"ov"').replace(/"vs"/g, '"sv"').replace(/\]$/, ']}');
    expect(omaJsonCodec.decode(utf8(payload), P('/'), models)).toEqual(HIERARCHY);
  });

  it('decodes the historical notification with a pack-level bt', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const history = omaJsonCodec.decodeTimestamped!(utf8('{"bn":"/72/","e":[{"n":"1/2","v":22.4,"t":-5},{"n":"1/2","v":22.9,"t":-30},{"n":"1/2","v":24.1,"t":-50}],"bt":25462634}'), models);
      expect(history.get('/72/1/2')?.map((h) => h.timestamp?.getTime())).toEqual([25462584000, 25462604000, 25462629000]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('round-trips through encode, with opaque values base64 in "sv"', () => {
    const node = objectInstance(0, [singleResource(3, 'OPAQUE', Uint8Array.of(1, 2, 3, 4, 5)), singleResource(0, 'STRING', 'x')]);
    const bytes = omaJsonCodec.encode(node, P('/0/0'), models);
    expect(text(bytes)).toContain('"sv":"AQIDBAU="');
    expect(omaJsonCodec.decode(bytes, P('/0/0'), models)).toEqual(node);
    expect(text(omaJsonCodec.encode(exampleDevice(), P('/3/0'), models)).replace(/\n/g, '')).toBe(DEVICE_OMA_JSON.replace(/\n/g, ''));
  });

  it('is not a composite format', () => {
    expect(omaJsonCodec.decodeNodes).toBeUndefined();
    expect(omaJsonCodec.encodePaths).toBeUndefined();
    expect(() => omaJsonCodec.decode(utf8('{"bn":"/3/0/"}'), P('/3/0'), models)).toThrow(/"e" array/);
  });
});
