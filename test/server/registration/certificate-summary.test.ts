/** Registration.certificate from a DER certificate: names, serial number and fingerprint forms. */
import { X509Certificate } from 'node:crypto';
import { describeCertificate } from '../../../common/pki/index';
import { CERTIFICATE_CACHE_MAX, certificateSummary, certificateSummaryCacheSize, distinguishedName, serialHex } from '../../../server/registration/certificate-summary';
import { TestPki } from '../../e2e/dtls-pki';

describe('certificateSummary', () => {
  const pki = new TestPki();
  afterAll(() => pki.remove());

  it('summarises a certificate made by openssl', () => {
    pki.ca('ca', 'Summary CA');
    const leaf = pki.leaf('dev', 'ca', { cn: 'dev-s' });
    const der = new X509Certificate(leaf.certPem).raw;
    const s = certificateSummary(der)!;
    expect(s.subject).toBe('CN=dev-s, serialNumber=dev-s');
    expect(s.issuer).toBe('CN=Summary CA');
    expect(s.serialNumber).toBe(serialHex(leaf.serial));
    expect(s.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(s.fingerprint256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.fingerprint256).toBe(new X509Certificate(der).fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('names, serial and fingerprint exactly as common/pki describes the certificate (escaped names too)', () => {
    pki.ca('ca-esc', 'Escaped CA, Inc');
    const leaf = pki.leaf('dev-esc', 'ca-esc', { cn: 'dev-esc' });
    const der = new X509Certificate(leaf.certPem).raw;
    const pkiInfo = describeCertificate(der);
    expect(certificateSummary(der)).toEqual({
      subject: pkiInfo.subject, issuer: pkiInfo.issuer, serialNumber: pkiInfo.serialNumber, fingerprint256: pkiInfo.fingerprint256,
    });
    expect(pkiInfo.issuer).toBe('CN=Escaped CA\\, Inc');
  });

  it('parses a certificate once: the same DER gives the same frozen summary, other DER its own, the cache bounded', () => {
    pki.ca('ca-cache', 'Cache CA');
    const one = new X509Certificate(pki.leaf('dev-c1', 'ca-cache', { cn: 'dev-c1' }).certPem).raw;
    const two = new X509Certificate(pki.leaf('dev-c2', 'ca-cache', { cn: 'dev-c2' }).certPem).raw;
    const s1 = certificateSummary(one)!;
    expect(certificateSummary(Buffer.from(one))).toBe(s1);
    expect(Object.isFrozen(s1)).toBe(true);
    expect(certificateSummary(two)!.subject).toBe('CN=dev-c2, serialNumber=dev-c2');
    expect(certificateSummary(two)).not.toBe(s1);
    // Bytes that are not a certificate are refused each time, and not cached.
    const size = certificateSummaryCacheSize();
    expect(certificateSummary(new Uint8Array([0x30, 0x00]))).toBeUndefined();
    expect(certificateSummaryCacheSize()).toBe(size);
    expect(size).toBeLessThanOrEqual(CERTIFICATE_CACHE_MAX);
  });

  it('returns undefined for bytes that are not a certificate', () => {
    expect(certificateSummary(new Uint8Array([0x30, 0x03, 1, 2, 3]))).toBeUndefined();
  });

  it('normalises serial numbers and names', () => {
    expect(serialHex('00A1B2')).toBe('a1b2');
    expect(serialHex('F')).toBe('0f');
    expect(serialHex('00')).toBe('00');
    expect(distinguishedName('C=SE\nO=Acme\nCN=x')).toBe('C=SE, O=Acme, CN=x');
  });
});
