/**
 * The SUIT codec against draft-ietf-suit-manifest Appendix B (examples 0..2): each envelope
 * decodes to what its cbor-diag shows, re-encodes to the same bytes, and malformed or
 * unsupported input is refused with the right error.
 */
import { Tag, bstrWrap, decodeCbor, encodeCbor } from '../../../common/suit/cbor';
import { decodeSuitCommandSequence, encodeSuitCommandSequence } from '../../../common/suit/command-sequence';
import { computeSuitDigest, suitDigestHex } from '../../../common/suit/digest';
import { inspectSuitEnvelope, readSuitEnvelope, severSuitEnvelope, writeSuitEnvelope } from '../../../common/suit/envelope';
import { SuitInvalidError, SuitRefusedError, SuitUnsupportedError } from '../../../common/suit/errors';
import { decodeSuitManifest, encodeSuitManifest } from '../../../common/suit/manifest';
import { encodeSuitText } from '../../../common/suit/text';
import { formatUuid } from '../../../common/suit/uuid';
import { EXAMPLES, Embedded, diagToCbor, fixtureDiag, fixtureEnvelope, fixtureEnvelopes } from './fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const emb = (v: unknown): unknown => (v as Embedded).value;

describe.each(EXAMPLES)('example %i (manifest draft Appendix B)', (n) => {
  const diag = fixtureDiag(n) as Tag;
  const envMap = diag.value as Map<number, unknown>;
  const auth = emb(envMap.get(2)) as unknown[];
  const manifestDiag = emb(envMap.get(3)) as Map<number, unknown>;
  const commonDiag = emb(manifestDiag.get(3)) as Map<number, unknown>;

  it('the cbor-diag is the envelope of the hex (without severed members)', () => {
    const signedWithoutSevered = n === 2 ? fixtureEnvelopes(n)[1] : fixtureEnvelope(n);
    expect(hex(diagToCbor(diag))).toBe(hex(signedWithoutSevered));
  });

  it('decodes to the values of the cbor-diag', () => {
    const { parts, manifest, digestHolds } = inspectSuitEnvelope(fixtureEnvelope(n));
    expect(digestHolds).toBe(true);
    const digestDiag = emb(auth[0]) as unknown[];
    expect(parts.authentication.digest.alg).toBe('sha256');
    expect(digestDiag[0]).toBe(-16);
    expect(hex(parts.authentication.digest.bytes)).toBe(hex(digestDiag[1] as Uint8Array));
    expect(parts.authentication.blocks).toHaveLength(1);
    expect(hex(parts.authentication.blocks[0])).toBe(hex(diagToCbor(emb(auth[1]))));
    expect(manifest.version).toBe(manifestDiag.get(1));
    expect(manifest.sequenceNumber).toBe(manifestDiag.get(2));
    expect(manifest.common.components.map((c) => c.map(hex))).toEqual((commonDiag.get(2) as Uint8Array[][]).map((c) => c.map(hex)));
    expect(hex(encodeSuitCommandSequence(manifest.common.sharedSequence!))).toBe(hex(diagToCbor(emb(commonDiag.get(4)))));
    expect(manifest.referenceUri).toBe(manifestDiag.get(4));
    for (const [key, seq] of [[7, manifest.validate], [9, manifest.invoke]] as const) {
      if (manifestDiag.has(key)) expect(hex(encodeSuitCommandSequence(seq!))).toBe(hex(diagToCbor(emb(manifestDiag.get(key)))));
      else expect(seq).toBeUndefined();
    }
    const install = manifestDiag.get(20);
    if (install instanceof Embedded) {
      expect(manifest.install?.digest).toBeUndefined();
      expect(hex(encodeSuitCommandSequence(manifest.install!.value!))).toBe(hex(diagToCbor(install.value)));
    } else if (Array.isArray(install)) {
      expect(hex(manifest.install!.digest!.bytes)).toBe(hex(install[1]));
      expect(hex(bstrWrap(encodeSuitCommandSequence(manifest.install!.value!)))).toBe(hex(encodeCbor(parts.severed.install!)));
    } else {
      expect(manifest.install).toBeUndefined();
    }
  });

  it('names the parameters of the shared sequence', () => {
    const { manifest } = inspectSuitEnvelope(fixtureEnvelope(n));
    const override = manifest.common.sharedSequence![0];
    expect(override.kind).toBe('override-parameters');
    if (override.kind !== 'override-parameters') return;
    expect(formatUuid(override.parameters.vendorId!)).toBe('fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe');
    expect(formatUuid(override.parameters.classId!)).toBe('1492af14-2569-5e48-bf42-9b2d51f2ab45');
    expect(override.parameters.imageSize).toBe(34768);
    expect(suitDigestHex(override.parameters.imageDigest!)).toBe('00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210');
    expect(manifest.common.sharedSequence!.slice(1)).toEqual([
      { kind: 'condition', name: 'vendor-identifier', reportingPolicy: 15 },
      { kind: 'condition', name: 'class-identifier', reportingPolicy: 15 },
    ]);
  });

  it('re-encodes the manifest and the envelope to the same bytes', () => {
    const bytes = fixtureEnvelope(n);
    const parts = readSuitEnvelope(bytes);
    const manifest = decodeSuitManifest(parts.manifestBytes, parts.severed);
    const sever = Object.keys(parts.severed) as Array<keyof typeof parts.severed>;
    const again = encodeSuitManifest(manifest, sever);
    expect(hex(again.bytes)).toBe(hex(parts.manifestBytes));
    expect(Object.fromEntries(Object.entries(again.severed).map(([k, v]) => [k, hex(v!)]))).toEqual(Object.fromEntries(Object.entries(parts.severed).map(([k, v]) => [k, hex(v!)])));
    expect(hex(writeSuitEnvelope(parts))).toBe(hex(bytes));
  });
});

describe('severable members (example 2)', () => {
  const full = fixtureEnvelope(2);

  it('severing install and text gives the envelope of the draft without severable elements', () => {
    expect(hex(severSuitEnvelope(full, ['install', 'text']))).toBe(hex(fixtureEnvelopes(2)[1]));
  });

  it('a severed envelope decodes with digests only', () => {
    const { manifest } = inspectSuitEnvelope(fixtureEnvelopes(2)[1]);
    expect(manifest.install?.value).toBeUndefined();
    expect(manifest.text?.value).toBeUndefined();
    expect(manifest.install?.digest?.alg).toBe('sha256');
  });

  it('decodes the text', () => {
    const text = inspectSuitEnvelope(full).manifest.text!.value!;
    const en = text.get('en-US')!;
    expect(en.manifest.manifestDescription).toMatch(/^## Example 2: Simultaneous Download/);
    expect(en.components).toHaveLength(1);
    expect(en.components[0].text).toEqual({ vendorDomain: 'arm.com', componentDescription: expect.stringMatching(/^This component is a demonstration/) });
    expect(hex(bstrWrap(encodeSuitText(text)))).toBe(hex(encodeCbor(readSuitEnvelope(full).severed.text!)));
  });

  it('refuses a severed member that does not match its digest', () => {
    const parts = readSuitEnvelope(full);
    const install = decodeSuitCommandSequence(parts.severed.install!, 'install');
    const other = encodeSuitCommandSequence([...install, { kind: 'condition', name: 'abort', reportingPolicy: 0 }]);
    const forged = writeSuitEnvelope({ ...parts, severed: { ...parts.severed, install: other } });
    expect(() => inspectSuitEnvelope(forged)).toThrow(SuitRefusedError);
    try { inspectSuitEnvelope(forged); } catch (e) { expect((e as SuitRefusedError).reason).toBe('integrity'); }
  });

  it('refuses an envelope member for an inline manifest member', () => {
    const parts = readSuitEnvelope(fixtureEnvelope(1));
    const forged = writeSuitEnvelope({ ...parts, severed: { install: encodeSuitCommandSequence([{ kind: 'condition', name: 'abort', reportingPolicy: 0 }]) } });
    expect(() => inspectSuitEnvelope(forged)).toThrow(/both in the manifest and in the envelope/);
  });
});

describe('strict decoding', () => {
  it('refuses non-deterministic CBOR: a non-minimal length', () => {
    expect(() => decodeCbor(Uint8Array.of(0x18, 0x01), 'x')).toThrow(SuitInvalidError);
  });
  it('refuses unordered map keys', () => {
    expect(() => decodeCbor(Uint8Array.of(0xa2, 0x02, 0x00, 0x01, 0x00), 'x')).toThrow(/deterministic order/);
  });
  it('refuses duplicate map keys', () => {
    expect(() => decodeCbor(Uint8Array.of(0xa2, 0x01, 0x00, 0x01, 0x00), 'x')).toThrow(SuitInvalidError);
  });
  it('refuses trailing bytes', () => {
    expect(() => decodeCbor(Uint8Array.of(0x01, 0x01), 'x')).toThrow(SuitInvalidError);
  });
  it('refuses indefinite lengths', () => {
    expect(() => decodeCbor(Uint8Array.of(0x9f, 0x01, 0xff), 'x')).toThrow(SuitInvalidError);
  });
  it('keeps 64-bit integers exact', () => {
    expect(decodeCbor(encodeCbor(2 ** 40), 'x')).toBe(2 ** 40);
    expect(hex(encodeCbor(2 ** 40))).toBe('1b0000010000000000');
  });
  it('refuses an untagged envelope and a bare manifest', () => {
    const parts = readSuitEnvelope(fixtureEnvelope(0));
    const untagged = encodeCbor(new Map<number, unknown>([[2, encodeCbor([parts.authentication.digestBytes])], [3, parts.manifestBytes]]));
    expect(() => readSuitEnvelope(untagged)).toThrow(/tag 107/);
    expect(() => readSuitEnvelope(encodeCbor(new Tag(new Map([[1, 1]]), 1070)))).toThrow(SuitUnsupportedError);
  });
  it('refuses unknown envelope, manifest and common elements', () => {
    const parts = readSuitEnvelope(fixtureEnvelope(0));
    const env = decodeCbor(fixtureEnvelope(0), 'env') as Tag;
    (env.value as Map<number, unknown>).set(99, Uint8Array.of(1));
    expect(() => readSuitEnvelope(encodeCbor(env))).toThrow(SuitUnsupportedError);
    const m = decodeCbor(parts.manifestBytes, 'm') as Map<number, unknown>;
    m.set(5, Uint8Array.of(0x80));
    const sorted = new Map([...m].sort((a, b) => a[0] - b[0]));
    expect(() => decodeSuitManifest(encodeCbor(sorted))).toThrow(/manifest element 5 is not supported/);
    const m2 = decodeCbor(parts.manifestBytes, 'm') as Map<number, unknown>;
    m2.set(1, 2);
    expect(() => decodeSuitManifest(encodeCbor(m2))).toThrow(/version 2 is not supported/);
  });
  it('refuses custom and unknown commands, bad policies and directives in the shared sequence', () => {
    expect(() => decodeSuitCommandSequence(encodeCbor([-300, 0]), 'seq')).toThrow(SuitUnsupportedError);
    expect(() => decodeSuitCommandSequence(encodeCbor([7, 0]), 'seq')).toThrow(/command 7 is not supported/);
    expect(() => decodeSuitCommandSequence(encodeCbor([1, 16]), 'seq')).toThrow(/undefined bits/);
    expect(() => decodeSuitCommandSequence(encodeCbor([21, 2]), 'shared', true)).toThrow(/not allowed in the shared sequence/);
    expect(() => decodeSuitCommandSequence(encodeCbor([20, new Map([[99, 1]])]), 'seq')).toThrow(/parameter 99 is not supported/);
    expect(() => decodeSuitCommandSequence(encodeCbor([1]), 'seq')).toThrow(SuitInvalidError);
  });
  it('refuses unsupported digest algorithms and wrong digest lengths', () => {
    const seq = (d: unknown[]) => encodeCbor([20, new Map([[3, encodeCbor(d)]])]);
    expect(() => decodeSuitCommandSequence(seq([-99, new Uint8Array(32)]), 'seq')).toThrow(SuitUnsupportedError);
    expect(() => decodeSuitCommandSequence(seq([-16, new Uint8Array(31)]), 'seq')).toThrow(SuitInvalidError);
  });
  it('round-trips try-each with a trailing nil and run-sequence', () => {
    const inner = [{ kind: 'condition', name: 'abort', reportingPolicy: 0 }] as const;
    const seq = [
      { kind: 'set-component-index', index: true },
      { kind: 'try-each', sequences: [inner, inner, null] },
      { kind: 'run-sequence', sequence: [{ kind: 'override-parameters', parameters: { softFailure: true, uri: 'coap://x/y' } }] },
    ] as const;
    const bytes = encodeSuitCommandSequence(seq);
    expect(decodeSuitCommandSequence(bytes, 'seq')).toEqual(seq);
  });
  it('computes the digests the draft shows', () => {
    const parts = readSuitEnvelope(fixtureEnvelope(0));
    expect(suitDigestHex(computeSuitDigest(bstrWrap(parts.manifestBytes)))).toBe('6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af');
  });
});
