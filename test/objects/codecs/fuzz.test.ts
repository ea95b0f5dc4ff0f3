/**
 * Fuzz-ish robustness: every decoder fed truncations, bit flips and random garbage either
 * decodes or throws PayloadError — never a TypeError, RangeError or any other crash.
 */
import { codecFor, supportedFormats } from '../../../objects/codecs/index';
import { parseLinks } from '../../../objects/codecs/link-format';
import { ContentFormat } from '../../../objects/content-format';
import { PayloadError } from '../../../objects/errors';
import { LwM2mPath } from '../../../objects/path';
import { exampleDevice, specModels } from './spec-models';

const models = specModels();

/** Deterministic xorshift32, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function garbage(next: () => number, count: number, seed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    const len = next() % 48;
    out.push(Uint8Array.from({ length: len }, () => next() & 0xff));
    const flipped = Uint8Array.from(seed);
    for (let k = 0; k < 1 + (next() % 3); k++) flipped[next() % flipped.length] ^= 1 << (next() % 8);
    out.push(flipped);
  }
  return out;
}

/** Runs `f`; fails the test with the input when it throws anything but a PayloadError. */
function onlyPayloadErrors(input: Uint8Array, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof PayloadError)) {
      throw new Error(`Non-PayloadError on ${Buffer.from(input).toString('hex')}: ${(e as Error)?.stack ?? e}`);
    }
  }
}

describe.each(supportedFormats())('decoder of content format %i', (format) => {
  const codec = codecFor(format);
  const single = format === ContentFormat.TEXT || format === ContentFormat.CBOR || format === ContentFormat.OPAQUE;
  const path = LwM2mPath.parse(single ? (format === ContentFormat.OPAQUE ? '/0/0/3' : '/3/0/0') : '/3/0');
  const node = single
    ? (format === ContentFormat.OPAQUE ? { kind: 'singleResource' as const, id: 3, type: 'OPAQUE' as const, value: Uint8Array.of(1, 2, 3) } : exampleDevice().resources.get(0)!)
    : exampleDevice();
  const valid = codec.encode(node, path, models);
  const next = rng(format);

  it('never crashes on truncations of a valid payload', () => {
    for (let len = 0; len < valid.length; len++) {
      const cut = valid.slice(0, len);
      onlyPayloadErrors(cut, () => codec.decode(cut, path, models));
    }
  });

  it('structured formats refuse every truncation', () => {
    if (format === ContentFormat.TEXT || format === ContentFormat.OPAQUE || format === ContentFormat.TLV) return;
    // Cut JSON/CBOR is never well-formed: it must be refused, not half-read.
    for (let len = 0; len < valid.length; len++) {
      expect(() => codec.decode(valid.slice(0, len), path, models)).toThrow(PayloadError);
    }
  });

  it('never crashes on random garbage and bit flips', () => {
    for (const bytes of garbage(next, 300, valid)) {
      onlyPayloadErrors(bytes, () => codec.decode(bytes, path, models));
      if (!single) onlyPayloadErrors(bytes, () => codec.decode(bytes, LwM2mPath.parse('/3'), models));
      if (codec.decodeNodes) onlyPayloadErrors(bytes, () => codec.decodeNodes!(bytes, models));
      if (codec.decodeTimestamped) onlyPayloadErrors(bytes, () => codec.decodeTimestamped!(bytes, models));
      if (codec.decodePaths) onlyPayloadErrors(bytes, () => codec.decodePaths!(bytes));
    }
  });
});

describe('TLV truncations', () => {
  it('a TLV cut inside an entry is refused', () => {
    const codec = codecFor(ContentFormat.TLV);
    const valid = codec.encode(exampleDevice(), LwM2mPath.parse('/3/0'), models);
    // Cutting 1 byte off always lands inside the last entry (C1 10 55).
    expect(() => codec.decode(valid.slice(0, valid.length - 1), LwM2mPath.parse('/3/0'), models)).toThrow(PayloadError);
    expect(() => codec.decode(valid.slice(0, 2), LwM2mPath.parse('/3/0'), models)).toThrow(PayloadError);
  });
});

describe('link format parser', () => {
  it('never crashes on random text', () => {
    const next = rng(40);
    const alphabet = '<>/;,="\\ abc019.\n';
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: next() % 30 }, () => alphabet[next() % alphabet.length]).join('');
      onlyPayloadErrors(new Uint8Array(Buffer.from(text)), () => parseLinks(text));
    }
  });
});
