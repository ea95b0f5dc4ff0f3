/**
 * The manifest builder against the draft's examples: from exampleN.json it builds the very
 * manifests of Appendix B (same bytes, same digest), derives vendor and class ids from the
 * vendor domain and model info, checks images against the description, and signs envelopes
 * that open with the public key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { InvalidInputError } from '../../../common/errors';
import { openSuitEnvelope } from '../../../common/suit/authentication';
import { buildSuitManifest, createSuitEnvelope } from '../../../common/suit/builder';
import { encodeSuitCommandSequence } from '../../../common/suit/command-sequence';
import { parseSuitDescription } from '../../../common/suit/description';
import { computeSuitDigest, suitDigestHex } from '../../../common/suit/digest';
import { readSuitEnvelope } from '../../../common/suit/envelope';
import { decodeSuitManifest, encodeSuitManifest } from '../../../common/suit/manifest';
import { fixtureDescription, fixtureEnvelope } from './fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SUIT manifest builder', () => {
  it.each([0, 1])('builds the manifest of example %i byte for byte', (n) => {
    const built = encodeSuitManifest(buildSuitManifest(parseSuitDescription(fixtureDescription(n))));
    expect(hex(built.bytes)).toBe(hex(readSuitEnvelope(fixtureEnvelope(n)).manifestBytes));
  });

  it('builds the sequences of example 2 and severs install and text', () => {
    const desc = parseSuitDescription(fixtureDescription(2));
    const fixture = readSuitEnvelope(fixtureEnvelope(2));
    const want = decodeSuitManifest(fixture.manifestBytes, fixture.severed);
    const built = encodeSuitManifest(buildSuitManifest(desc), ['install', 'text']);
    const got = decodeSuitManifest(built.bytes, built.severed);
    expect(hex(built.severed.install!)).toBe(hex(fixture.severed.install!));
    for (const k of ['validate', 'invoke'] as const) expect(hex(encodeSuitCommandSequence(got[k]!))).toBe(hex(encodeSuitCommandSequence(want[k]!)));
    expect(got.common).toEqual(want.common);
    expect(got.referenceUri).toBe('https://git.io/JJYoj');
    expect(got.text?.value?.get('en-US')?.components[0].text).toMatchObject({ vendorDomain: 'arm.com', componentVersion: 'v1.0.1', modelInfo: 'suit' });
    expect(got.text?.value?.get('en-US')?.manifest.manifestJsonSource).toBe(fixtureDescription(2));
  });

  it('derives vendor and class ids from vendor-domain and model-info', () => {
    const json = JSON.parse(fixtureDescription(2));
    delete json.components[0]['vendor-id'];
    delete json.components[0]['class-id'];
    const a = buildSuitManifest(parseSuitDescription(json));
    const b = buildSuitManifest(parseSuitDescription(fixtureDescription(2)));
    expect(a.common).toEqual(b.common);
  });

  it('computes digest and size from the image and checks them against the description', () => {
    const image = new Uint8Array(Buffer.from('firmware'));
    const json = JSON.parse(fixtureDescription(1));
    delete json.components[0]['install-digest'];
    delete json.components[0]['install-size'];
    const m = buildSuitManifest(parseSuitDescription(json), [image]);
    const override = m.common.sharedSequence![0];
    expect(override.kind === 'override-parameters' && suitDigestHex(override.parameters.imageDigest!)).toBe(suitDigestHex(computeSuitDigest(image)));
    expect(override.kind === 'override-parameters' && override.parameters.imageSize).toBe(8);
    expect(() => buildSuitManifest(parseSuitDescription(fixtureDescription(1)), [image])).toThrow(InvalidInputError);
    expect(() => buildSuitManifest(parseSuitDescription(json))).toThrow(/needs an image/);
  });

  it('refuses descriptions with unknown keys or bad values', () => {
    expect(() => parseSuitDescription('{"components":[],"manifest-sequence-number":1}')).toThrow(InvalidInputError);
    const json = JSON.parse(fixtureDescription(0));
    json.components[0]['install-sizee'] = 1;
    expect(() => parseSuitDescription(json)).toThrow(/unknown key "install-sizee"/);
    expect(() => parseSuitDescription('{')).toThrow(/not JSON/);
  });

  it('creates a signed envelope that opens with the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const envelope = createSuitEnvelope(parseSuitDescription(fixtureDescription(2)), [], { key: privateKey, alg: 'ES256' });
    const opened = openSuitEnvelope(envelope, [publicKey]);
    expect(opened.manifest.sequenceNumber).toBe(2);
    expect(Object.keys(opened.parts.severed).sort()).toEqual(['install', 'text']);
  });
});
