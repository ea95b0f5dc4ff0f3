/**
 * TLV against the examples of LwM2M 1.1 Core §6.4.3 (oma-lwm2m-core-1.1-draft-20171101.md), as
 * hex with their section. Three examples carry errata in the draft, corrected here and noted.
 */
import { PayloadError, UnsupportedFormatError } from '../../../objects/errors';
import { StaticModelProvider } from '../../../objects/model';
import {
  lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource, type LwM2mNode,
} from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { tlvCodec } from '../../../objects/codecs/tlv';
import { decodeTlv, encodeTlv } from '../../../objects/codecs/tlv-wire';
import { exampleDevice, hex, specModels, toHex } from './spec-models';

const models = specModels();
const P = (s: string) => LwM2mPath.parse(s);

/**
 * §6.4.3.1 Read /3/0. Erratum: the draft's Model Number bytes spell "Lightweigt" (21 bytes)
 * under a 0x16 (22) length; the "h" is restored, as in the 1.2 LwM2M-CBOR example.
 */
const DEVICE_RESOURCES = `
  C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
  C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
  C8 02 09 33 34 35 30 30 30 31 32 33
  C3 03 31 2E 30
  86 06 41 00 01 41 01 05
  88 07 08 42 00 0E D8 42 01 13 88
  87 08 41 00 7D 42 01 03 84
  C1 09 64
  C1 0A 0F
  83 0B 41 00 00
  C4 0D 51 82 42 8F
  C6 0E 2B 30 32 3A 30 30
  C1 10 55`;

interface Vector {
  title: string;
  path: string;
  hex: string;
  node: LwM2mNode;
}

const VECTORS: Vector[] = [
  { title: '§6.4.3.1 Single Object Instance Request (Read /3/0, 121 bytes)', path: '/3/0', hex: DEVICE_RESOURCES, node: exampleDevice() },
  { title: '§6.4.3.2 A) Request on Single-Instance Object (Read /3, 124 bytes)', path: '/3', hex: `08 00 79 ${DEVICE_RESOURCES}`, node: lwm2mObject(3, [exampleDevice()]) },
  {
    // Erratum: the draft types the second ACL as 0x86 (length 6); its two instances take 7 bytes (0x87),
    // which the 0x12 instance length already counts.
    title: '§6.4.3.2 B) Multiple-Instances Object having 2 instances (Read /2, 38 bytes)',
    path: '/2',
    hex: `08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F
          08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F`,
    node: lwm2mObject(2, [
      objectInstance(0, [singleResource(0, 'INTEGER', 1n), singleResource(1, 'INTEGER', 0n), multiResource(2, 'INTEGER', [[127, 7n]]), singleResource(3, 'INTEGER', 127n)]),
      objectInstance(2, [singleResource(0, 'INTEGER', 3n), singleResource(1, 'INTEGER', 0n), multiResource(2, 'INTEGER', [[127, 7n], [310, 1n]]), singleResource(3, 'INTEGER', 127n)]),
    ]),
  },
  {
    // Erratum: the draft gives the instance length as 0x0D; its 4 resources take 15 (0x0F) bytes.
    title: '§6.4.3.2 C) Multiple-Instances Object having 1 instance only (Read /1)',
    path: '/1',
    hex: '08 00 0F C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55',
    node: lwm2mObject(1, [objectInstance(0, [singleResource(0, 'INTEGER', 1n), singleResource(1, 'INTEGER', 86400n), singleResource(6, 'BOOLEAN', true), singleResource(7, 'STRING', 'U')])]),
  },
  {
    title: '§6.4.3.3 Example 1) Object Instance with an Object Link Resource (Read /65/0, 37 bytes)',
    path: '/65/0',
    hex: `88 00 0C 44 00 00 42 00 00 44 01 00 42 00 01
          C8 01 0D 38 36 31 33 38 30 30 37 35 35 35 30 30
          C4 02 12 34 56 78`,
    node: objectInstance(0, [
      multiResource(0, 'OBJLNK', [[0, { objectId: 66, instanceId: 0 }], [1, { objectId: 66, instanceId: 1 }]]),
      singleResource(1, 'STRING', '8613800755500'),
      singleResource(2, 'INTEGER', 0x12345678n),
    ]),
  },
  {
    // Erratum: the draft gives both instance lengths as 0x23; their resources take 38 (0x26) bytes.
    title: '§6.4.3.3 Example 2) Read /66: 2 Object Instances with Object Links, one of them null',
    path: '/66',
    hex: `08 00 26 C8 00 0B 6D 79 53 65 72 76 69 63 65 20 31
          C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 34
          C4 02 00 43 00 00
          08 01 26 C8 00 0B 6D 79 53 65 72 76 69 63 65 20 32
          C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 35
          C4 02 FF FF FF FF`,
    node: lwm2mObject(66, [
      objectInstance(0, [singleResource(0, 'STRING', 'myService 1'), singleResource(1, 'STRING', 'Internet.15.234'), singleResource(2, 'OBJLNK', { objectId: 67, instanceId: 0 })]),
      objectInstance(1, [singleResource(0, 'STRING', 'myService 2'), singleResource(1, 'STRING', 'Internet.15.235'), singleResource(2, 'OBJLNK', { objectId: 65535, instanceId: 65535 })]),
    ]),
  },
];

describe('TLV spec examples', () => {
  it.each(VECTORS)('decodes $title', ({ path, hex: h, node }) => {
    expect(tlvCodec.decode(hex(h), P(path), models)).toEqual(node);
  });

  it.each(VECTORS)('encodes $title byte for byte', ({ path, hex: h, node }) => {
    expect(toHex(tlvCodec.encode(node, P(path), models))).toBe(toHex(hex(h)));
  });

  it('the /3/0 example is 121 bytes and the /3 example 124, as the spec says', () => {
    expect(hex(DEVICE_RESOURCES)).toHaveLength(121);
    expect(hex(VECTORS[1].hex)).toHaveLength(124);
    expect(hex(VECTORS[2].hex)).toHaveLength(38);
  });
});

describe('TLV paths', () => {
  it('decodes /3/0 also when wrapped in its Object Instance TLV', () => {
    expect(tlvCodec.decode(hex(VECTORS[1].hex), P('/3/0'), models)).toEqual(exampleDevice());
  });

  it('decodes bare resources at /3 as instance 0 of the single-instance Device object', () => {
    expect(tlvCodec.decode(hex(DEVICE_RESOURCES), P('/3'), models)).toEqual(lwm2mObject(3, [exampleDevice()]));
    expect(() => tlvCodec.decode(hex('C1 00 01'), P('/1'), models)).toThrow(/multiple instances/);
  });

  it('reads a single resource, a multiple resource and a resource instance', () => {
    expect(tlvCodec.decode(hex('C1 09 64'), P('/3/0/9'), models)).toEqual(singleResource(9, 'INTEGER', 100n));
    expect(tlvCodec.decode(hex('86 06 41 00 01 41 01 05'), P('/3/0/6'), models)).toEqual(multiResource(6, 'INTEGER', [[0, 1n], [1, 5n]]));
    expect(tlvCodec.decode(hex('41 01 05'), P('/3/0/6/1'), models)).toEqual(resourceInstance(1, 'INTEGER', 5n));
    expect(toHex(tlvCodec.encode(resourceInstance(1, 'INTEGER', 5n), P('/3/0/6/1'), models))).toBe('410105');
  });

  it('reads resources without a model as OPAQUE', () => {
    const none = new StaticModelProvider([]);
    expect(tlvCodec.decode(hex('C1 09 64'), P('/3/0/9'), none)).toEqual(singleResource(9, 'OPAQUE', Uint8Array.of(0x64)));
  });

  it('refuses the root path, a wrong id and a single/multiple mismatch', () => {
    expect(() => tlvCodec.decode(hex('C1 09 64'), P('/'), models)).toThrow(UnsupportedFormatError);
    expect(() => tlvCodec.encode({ kind: 'root', objects: new Map() }, P('/'), models)).toThrow(UnsupportedFormatError);
    expect(() => tlvCodec.decode(hex('C1 09 64'), P('/3/0/10'), models)).toThrow(PayloadError);
    expect(() => tlvCodec.decode(hex('C1 06 01'), P('/3/0/6'), models)).toThrow(/multiple/);
    expect(() => tlvCodec.decode(hex('83 09 41 00 01'), P('/3/0/9'), models)).toThrow(/single/);
    expect(() => tlvCodec.decode(hex('08 01 03 C1 09 64'), P('/3/0'), models)).toThrow(/instance 1, not \/3\/0/);
    expect(() => tlvCodec.encode(singleResource(9, 'INTEGER', 1n), P('/3/0/10'), models)).toThrow(PayloadError);
  });

  it('refuses type-invalid values for the model', () => {
    expect(() => tlvCodec.decode(hex('C3 09 01 02 03'), P('/3/0/9'), models)).toThrow(/1, 2, 4 or 8 bytes/);
    expect(() => tlvCodec.decode(hex('C1 06 02'), P('/1/0/6'), models)).toThrow(/BOOLEAN/);
    expect(() => tlvCodec.decode(hex('C2 00 C3 28'), P('/3/0/0'), models)).toThrow(/UTF-8/);
    expect(() => tlvCodec.encode(singleResource(9, 'INTEGER', 'x'), P('/3/0/9'), models)).toThrow(PayloadError);
  });

  it('refuses duplicate resources and resource instances', () => {
    expect(() => tlvCodec.decode(hex('C1 09 64 C1 09 65'), P('/3/0'), models)).toThrow(/Duplicate/);
    expect(() => tlvCodec.decode(hex('86 06 41 00 01 41 00 05'), P('/3/0/6'), models)).toThrow(/Duplicate/);
  });
});

describe('TLV wire layer', () => {
  it('uses 16-bit identifiers and 8/16/24-bit lengths when needed', () => {
    for (const [id, len] of [[7, 0], [300, 7], [1, 8], [1, 255], [65535, 256], [2, 65535], [3, 65536]]) {
      const value = new Uint8Array(len).fill(0xab);
      const bytes = encodeTlv([{ kind: 'RESOURCE_VALUE', id, value }]);
      expect(decodeTlv(bytes)).toEqual([{ kind: 'RESOURCE_VALUE', id, value }]);
    }
    expect(toHex(encodeTlv([{ kind: 'RESOURCE_INSTANCE', id: 310, value: Uint8Array.of(1) }]))).toBe('61013601');
  });

  it('refuses bad nesting and truncation', () => {
    expect(() => decodeTlv(hex('08 00 03 08 00 00'))).toThrow(/cannot be nested/);
    expect(() => decodeTlv(hex('83 06 C1 00 01'))).toThrow(/cannot be nested/);
    expect(() => decodeTlv(hex('C8 00 14 4F'))).toThrow(/Truncated/);
    expect(() => decodeTlv(hex('F8'))).toThrow(/Truncated/);
    expect(() => encodeTlv([{ kind: 'RESOURCE_VALUE', id: 70000, value: new Uint8Array(0) }])).toThrow(PayloadError);
  });
});
