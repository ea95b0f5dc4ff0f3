/**
 * The two file formats of the provider CLI, pure: the anchor file (PEM with Purpose/Label
 * explanatory text; round trip, every malformation refused) and the fleet file (defaults, the
 * device id the certificate names, every field checked before anything is written).
 */
import 'reflect-metadata';
import { InvalidInputError } from '../../../common/errors';
import { CertificateAuthority, certificatePem, generateKeyPair } from '../../../common/pki/index';
import { decodeAnchorFile, encodeAnchorFile } from '../../../plugin/handover/anchor-file';
import { parseFleetFile } from '../../../plugin/handover/fleet-file';

let ca: CertificateAuthority;
let root: Uint8Array;
let factory: Uint8Array;

beforeAll(async () => {
  ca = await CertificateAuthority.createRoot({ subject: 'CN=Test CA2, O=Handover' });
  root = ca.certificate;
  factory = await ca.issueFactoryCertificate({ deviceId: 'urn:dev:f:1', publicKey: generateKeyPair().publicKey });
});
afterAll(() => ca.close());

describe('anchor file', () => {
  it('round-trips anchors with purposes and labels', () => {
    const anchors = [
      { certificate: root, purpose: 'enrollment-ca' as const, label: 'CA2 (EST server)' },
      { certificate: root, purpose: 'lwm2m-server' as const },
    ];
    const text = encodeAnchorFile(anchors);
    expect(text).toMatch(/^Purpose: enrollment-ca\nLabel: CA2 \(EST server\)\n-----BEGIN CERTIFICATE-----/);
    const back = decodeAnchorFile(text);
    expect(back.map((a) => [a.purpose, a.label, Buffer.from(a.certificate).equals(Buffer.from(root))])).toEqual([
      ['enrollment-ca', 'CA2 (EST server)', true], ['lwm2m-server', undefined, true],
    ]);
  });

  it.each([
    ['no purpose line', (t: string) => t.replace('Purpose: enrollment-ca\n', ''), /certificate 1 has no "Purpose:" line/],
    ['an unknown purpose', (t: string) => t.replace('enrollment-ca', 'coffee-maker'), /unknown purpose "coffee-maker"/],
    ['a stray line', (t: string) => `hello\n${t}`, /unexpected line before certificate 1: "hello"/],
    ['trailing text', (t: string) => `${t}garbage`, /unexpected text after the last certificate/],
    ['no certificate', () => 'Purpose: enrollment-ca\n', /no PEM certificate/],
    ['a corrupt certificate', (t: string) => t.replace(/\n([A-Za-z0-9+/]{10})/, '\nAAAAAAAAAA'), /not a DER X\.509 certificate/],
  ])('refuses %s', (_n, change, reason) => {
    const text = change(encodeAnchorFile([{ certificate: root, purpose: 'enrollment-ca' }]));
    expect(() => decodeAnchorFile(text, 'a.pem')).toThrow(InvalidInputError);
    expect(() => decodeAnchorFile(text, 'a.pem')).toThrow(reason);
  });
});

describe('fleet file', () => {
  const entry = () => ({ factoryCertificate: certificatePem(factory), suitSequenceNumber: 4, suitReferenceUri: 'coaps://fw.example/a.suit' });

  it('takes the device id from the certificate and defaults the window to 30 days', () => {
    const [d] = parseFleetFile(JSON.stringify([{ ...entry(), operationalSerial: 'ABCDEF01' }]), 'fleet.json', 1_000_000);
    expect(d).toMatchObject({ deviceId: 'urn:dev:f:1', operationalSerial: 'abcdef01', updateTimeNotBefore: 1_000_000, updateTimeNotAfter: 1_000_000 + 30 * 86_400, suitSequenceNumber: 4 });
    expect(Buffer.from(d.factoryCertificate).equals(Buffer.from(factory))).toBe(true);
    const [iso] = parseFleetFile(JSON.stringify([{ ...entry(), updateTimeNotBefore: '2030-01-01T00:00:00Z', updateTimeNotAfter: 1_900_000_000 }]), 'f');
    expect([iso.updateTimeNotBefore, iso.updateTimeNotAfter]).toEqual([Date.parse('2030-01-01T00:00:00Z') / 1000, 1_900_000_000]);
  });

  it.each([
    ['not an array', () => '{}', /must be a non-empty JSON array/],
    ['another device id', () => JSON.stringify([{ ...entry(), deviceId: 'urn:dev:other' }]), /deviceId "urn:dev:other" but its factory certificate names "urn:dev:f:1"/],
    ['an unknown field', () => JSON.stringify([{ ...entry(), colour: 1 }]), /device 1 has an unknown field "colour"/],
    ['a non-hex serial', () => JSON.stringify([{ ...entry(), operationalSerial: 'xyz' }]), /operationalSerial must be a hex serial/],
    ['a negative SUIT sequence number', () => JSON.stringify([{ ...entry(), suitSequenceNumber: -1 }]), /suitSequenceNumber must be an integer >= 0/],
    ['a bad time', () => JSON.stringify([{ ...entry(), updateTimeNotAfter: 'tomorrow' }]), /updateTimeNotAfter must be an ISO 8601 time/],
    ['a window ending before it starts', () => JSON.stringify([{ ...entry(), updateTimeNotBefore: 2000, updateTimeNotAfter: 1000 }]), /device 1: .*window/],
    ['a broken certificate', () => JSON.stringify([{ ...entry(), factoryCertificate: 'bm90IGEgY2VydA==' }]), /not a valid X\.509 certificate/],
    ['the same device twice', () => JSON.stringify([entry(), entry()]), /"urn:dev:f:1" is listed twice/],
  ])('refuses %s', (_n, text, reason) => {
    expect(() => parseFleetFile(text(), 'fleet.json')).toThrow(reason);
  });
});
