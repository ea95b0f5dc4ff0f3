/** text/plain and application/octet-stream: single values only (LwM2M 1.1 Core §6.4.1, §6.4.2). */
import { opaqueCodec } from '../../../objects/codecs/opaque';
import { textCodec } from '../../../objects/codecs/text';
import { PayloadError, UnsupportedFormatError } from '../../../objects/errors';
import { StaticModelProvider } from '../../../objects/model';
import { resourceInstance, singleResource } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { exampleDevice, specModels } from './spec-models';

const models = specModels();
const P = (s: string) => LwM2mPath.parse(s);
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('text/plain', () => {
  it('§6.4.1: Read /3/0/0 answers "Open Mobile Alliance"', () => {
    const node = singleResource(0, 'STRING', 'Open Mobile Alliance');
    expect(Buffer.from(textCodec.encode(node, P('/3/0/0'), models)).toString()).toBe('Open Mobile Alliance');
    expect(textCodec.decode(utf8('Open Mobile Alliance'), P('/3/0/0'), models)).toEqual(node);
  });

  it('types values from the model, STRING without one', () => {
    expect(textCodec.decode(utf8('100'), P('/3/0/9'), models)).toEqual(singleResource(9, 'INTEGER', 100n));
    expect(textCodec.decode(utf8('1367491215'), P('/3/0/13'), models)).toEqual(singleResource(13, 'TIME', new Date(1367491215000)));
    expect(textCodec.decode(utf8('5'), P('/3/0/6/1'), models)).toEqual(resourceInstance(1, 'INTEGER', 5n));
    expect(textCodec.decode(utf8('100'), P('/3/0/9'), new StaticModelProvider([]))).toEqual(singleResource(9, 'STRING', '100'));
  });

  it('refuses multiple resources, instances and bad values', () => {
    expect(() => textCodec.decode(utf8('1'), P('/3/0/6'), models)).toThrow(UnsupportedFormatError);
    expect(() => textCodec.decode(utf8('1'), P('/3/0'), models)).toThrow(UnsupportedFormatError);
    expect(() => textCodec.encode(exampleDevice(), P('/3/0'), models)).toThrow(UnsupportedFormatError);
    expect(() => textCodec.decode(utf8('full'), P('/3/0/9'), models)).toThrow(PayloadError);
    expect(() => textCodec.decode(Uint8Array.of(0xc3, 0x28), P('/3/0/0'), models)).toThrow(PayloadError);
  });
});

describe('application/octet-stream', () => {
  it('carries opaque resources byte for byte', () => {
    const bytes = Uint8Array.of(0, 1, 2, 0xff);
    expect(opaqueCodec.decode(bytes, P('/0/0/3'), models)).toEqual(singleResource(3, 'OPAQUE', bytes));
    expect(opaqueCodec.encode(singleResource(3, 'OPAQUE', bytes), P('/0/0/3'), models)).toEqual(bytes);
    expect(opaqueCodec.decode(new Uint8Array(0), P('/5/0/0'), models)).toEqual(singleResource(0, 'OPAQUE', new Uint8Array(0)));
  });

  it('refuses non-opaque resources with UnsupportedFormatError', () => {
    expect(() => opaqueCodec.decode(Uint8Array.of(1), P('/3/0/9'), models)).toThrow(UnsupportedFormatError);
    expect(() => opaqueCodec.encode(singleResource(9, 'INTEGER', 1n), P('/3/0/9'), models)).toThrow(UnsupportedFormatError);
  });
});
