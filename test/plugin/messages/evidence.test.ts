/** Attestation evidence (EAT): build with a factory key, verify against factory anchors and the agreed SUIT state. */
import { createHash, randomBytes } from 'node:crypto';
import { decodeCbor } from '../../../common/cose/cbor';
import { CertificateAuthority, describeCertificate, generateKeyPair } from '../../../common/pki';
import { AttestationError, EvidenceClaim, buildEvidence, certificateDeviceId, ueidOf, verifyEvidence } from '../../../plugin/messages/evidence';
import { createTestCa, type IssuedCertificate, type TestCa } from '../ra/factory-pki';

const digest = new Uint8Array(createHash('sha256').update('manifest v7').digest());

let factoryCa: TestCa;
let otherCa: TestCa;
let dev: IssuedCertificate;

beforeAll(async () => {
  factoryCa = await createTestCa('Factory CA');
  otherCa = await createTestCa('Rogue Factory CA');
  dev = await factoryCa.issue('dev-1');
});

function evidence(over: Partial<Parameters<typeof buildEvidence>[0]> = {}, nonce = new Uint8Array(32).fill(7)) {
  return buildEvidence({ deviceId: 'dev-1', nonce, firmwareDigest: digest, suitSequence: 7, privateKey: dev.privateKey, factoryCertificate: dev.certificate, ...over });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(AttestationError); return (e as AttestationError).reason; }
  throw new Error('accepted');
}

const expected = { deviceId: 'dev-1', firmwareDigest: digest, suitSequence: 7 };

describe('evidence', () => {
  it('carries the EAT claims and verifies', async () => {
    const nonce = new Uint8Array(randomBytes(32));
    const ev = evidence({}, nonce);
    expect(certificateDeviceId(dev.certificate)).toBe('dev-1');
    const r = await verifyEvidence(ev, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected });
    expect(r).toEqual({ deviceId: 'dev-1', suitSequence: 7 });
    // the payload is a claims map with eat_nonce and ueid at their EAT keys
    const sign1 = (decodeCbor(ev, 'ev') as { value: unknown[] }).value;
    const claims = decodeCbor(sign1[2] as Uint8Array, 'claims') as Map<number, unknown>;
    expect(Buffer.from(claims.get(EvidenceClaim.nonce) as Uint8Array)).toEqual(Buffer.from(nonce));
    expect(Buffer.from(claims.get(EvidenceClaim.ueid) as Uint8Array)).toEqual(Buffer.from(ueidOf('dev-1')));
    expect(claims.get(EvidenceClaim.suitSequence)).toBe(7);
  });

  it('verifies through an intermediate factory CA carried in x5chain', async () => {
    const sub = await factoryCa.subordinate('Factory Line 2');
    const d = await sub.issue('dev-1');
    const nonce = new Uint8Array(16).fill(1);
    const ev = buildEvidence({ deviceId: 'dev-1', nonce, firmwareDigest: digest, suitSequence: 7, privateKey: d.privateKey, factoryCertificate: d.certificate, intermediates: [sub.certificate] });
    await expect(verifyEvidence(ev, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected })).resolves.toEqual({ deviceId: 'dev-1', suitSequence: 7 });
    const without = buildEvidence({ deviceId: 'dev-1', nonce, firmwareDigest: digest, suitSequence: 7, privateKey: d.privateKey, factoryCertificate: d.certificate });
    expect(await refusal(verifyEvidence(without, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('untrusted-certificate');
  });

  it('refuses the wrong nonce', async () => {
    const ev = evidence({}, new Uint8Array(32).fill(1));
    expect(await refusal(verifyEvidence(ev, { nonce: new Uint8Array(32).fill(2), factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('wrong-nonce');
  });

  it('refuses another firmware digest and another sequence number', async () => {
    const nonce = new Uint8Array(32).fill(3);
    const other = new Uint8Array(createHash('sha256').update('manifest v8').digest());
    expect(await refusal(verifyEvidence(evidence({ firmwareDigest: other }, nonce), { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('wrong-firmware');
    expect(await refusal(verifyEvidence(evidence({ suitSequence: 6 }, nonce), { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('wrong-sequence');
  });

  it('refuses a factory certificate from an unknown CA', async () => {
    const rogue = await otherCa.issue('dev-1');
    const nonce = new Uint8Array(32).fill(4);
    const ev = evidence({ privateKey: rogue.privateKey, factoryCertificate: rogue.certificate }, nonce);
    expect(await refusal(verifyEvidence(ev, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('untrusted-certificate');
  });

  it('refuses evidence signed with a key other than the certificate\'s', async () => {
    const other = await factoryCa.issue('dev-1');
    const nonce = new Uint8Array(32).fill(5);
    const ev = evidence({ privateKey: other.privateKey }, nonce);
    expect(await refusal(verifyEvidence(ev, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('bad-signature');
  });

  it('refuses evidence from another device, even with a valid certificate', async () => {
    const dev2 = await factoryCa.issue('dev-2');
    const nonce = new Uint8Array(32).fill(6);
    const ev = buildEvidence({ deviceId: 'dev-2', nonce, firmwareDigest: digest, suitSequence: 7, privateKey: dev2.privateKey, factoryCertificate: dev2.certificate });
    expect(await refusal(verifyEvidence(ev, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('wrong-device');
    // claims say dev-1 but the certificate is dev-2's
    const lying = buildEvidence({ deviceId: 'dev-1', nonce, firmwareDigest: digest, suitSequence: 7, privateKey: dev2.privateKey, factoryCertificate: dev2.certificate });
    expect(await refusal(verifyEvidence(lying, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('wrong-device');
  });

  it('refuses an expired factory certificate and garbage', async () => {
    const old = await factoryCa.issue('dev-1', { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    const nonce = new Uint8Array(32).fill(8);
    const ev = evidence({ privateKey: old.privateKey, factoryCertificate: old.certificate }, nonce);
    expect(await refusal(verifyEvidence(ev, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('untrusted-certificate');
    expect(await refusal(verifyEvidence(new Uint8Array([1, 2, 3]), { nonce, factoryTrustAnchors: [factoryCa.certificate], expected }))).toBe('malformed');
    const tampered = evidence({}, nonce);
    tampered[tampered.length - 40] ^= 0xff;
    expect(['bad-signature', 'malformed']).toContain(await refusal(verifyEvidence(tampered, { nonce, factoryTrustAnchors: [factoryCa.certificate], expected })));
  });

  it('refuses to build evidence from bad input', () => {
    expect(() => evidence({ firmwareDigest: new Uint8Array(5) })).toThrow(AttestationError);
    expect(() => evidence({}, new Uint8Array(2))).toThrow(AttestationError);
  });
});

describe('evidence with a factory CA from common/pki', () => {
  it('is refused once the factory certificate is revoked (factory CRL)', async () => {
    const ca = await CertificateAuthority.createRoot({ subject: 'CN=Factory Root' });
    const keys = generateKeyPair();
    const cert = await ca.issueFactoryCertificate({ deviceId: 'dev-1', publicKey: keys.publicKey });
    const nonce = new Uint8Array(32).fill(11);
    const ev = buildEvidence({ deviceId: 'dev-1', nonce, firmwareDigest: digest, suitSequence: 7, privateKey: keys.privateKey, factoryCertificate: cert });
    await expect(verifyEvidence(ev, { nonce, factoryTrustAnchors: [ca.certificate], crls: [await ca.crl()], expected })).resolves.toMatchObject({ deviceId: 'dev-1' });
    await ca.revoke(describeCertificate(cert).serialNumber, 'keyCompromise');
    expect(await refusal(verifyEvidence(ev, { nonce, factoryTrustAnchors: [ca.certificate], crls: [await ca.crl()], expected }))).toBe('untrusted-certificate');
  });
});
