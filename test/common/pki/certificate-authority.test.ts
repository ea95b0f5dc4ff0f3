/** CertificateAuthority: roots, sub-CAs, factory / operational / server certificates, revocation, CRLs, persistence; openssl agrees. */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  CertificateAuthority, PkiError, certificatePem, createCsr, describeCertificate, generateKeyPair, pemBlock, pemToDer, readCaRecords,
} from '../../../common/pki/index';
import { InvalidInputError } from '../../../common/errors';
import { openssl, put, tempDir } from './openssl';

let dir: string;
let root: CertificateAuthority;
let sub: CertificateAuthority;
let rootPem: string;
let subPem: string;

beforeAll(async () => {
  dir = tempDir('ca');
  root = await CertificateAuthority.createRoot({ subject: 'CN=Permanent CA, O=Acme', dir: path.join(dir, 'root') });
  sub = await root.createSubordinate({ subject: 'CN=CA1, O=SP1', dir: path.join(dir, 'sub'), pathLength: 0 });
  rootPem = put(dir, 'root.pem', root.certificatePem());
  subPem = put(dir, 'sub.pem', sub.certificatePem());
});
afterAll(async () => {
  await root.close();
  await sub.close();
  rmSync(dir, { recursive: true, force: true });
});

const verify = (leaf: Uint8Array, ...extra: string[]) =>
  openssl('verify', '-CAfile', rootPem, '-untrusted', subPem, ...extra, put(dir, `leaf-${Math.random()}.pem`, certificatePem(leaf)));

describe('CA certificates', () => {
  it('makes a self-signed root and a sub-CA that openssl accepts, with the chain leaf-first', () => {
    expect(openssl('verify', '-CAfile', rootPem, rootPem).status).toBe(0);
    expect(openssl('verify', '-CAfile', rootPem, subPem).status).toBe(0);
    expect(sub.chain.map((c) => Buffer.from(c))).toEqual([Buffer.from(sub.certificate), Buffer.from(root.certificate)]);
    expect(sub.chainPem()).toBe(sub.certificatePem() + root.certificatePem());
    expect(describeCertificate(root.certificate)).toMatchObject({ isCa: true, subject: 'CN=Permanent CA, O=Acme', issuer: 'CN=Permanent CA, O=Acme' });
    expect(describeCertificate(sub.certificate)).toMatchObject({ isCa: true, subject: 'CN=CA1, O=SP1', issuer: 'CN=Permanent CA, O=Acme' });
    const text = openssl('x509', '-in', subPem, '-noout', '-text').stdout;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(root.issued(describeCertificate(sub.certificate).serialNumber)).toBe(true);
  });

  it('refuses a sub-CA under a pathLength 0 CA, and bad subjects', async () => {
    await expect(sub.createSubordinate({ subject: 'CN=too deep' })).rejects.toBeInstanceOf(PkiError);
    await expect(CertificateAuthority.createRoot({ subject: 'nonsense' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('refuses to create a CA in a directory that already holds one', async () => {
    await expect(CertificateAuthority.createRoot({ subject: 'CN=again', dir: path.join(dir, 'root') })).rejects.toThrow(/already holds a CA/);
  });
});

describe('factory certificates', () => {
  it('carry the device id in subject serialNumber, digitalSignature only (critical), clientAuth, 20 years', async () => {
    const { publicKey } = generateKeyPair();
    const der = await sub.issueFactoryCertificate({ deviceId: 'urn:dev:ops:0004A30B-1', publicKey });
    const v = verify(der, '-purpose', 'sslclient');
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    const info = describeCertificate(der);
    expect(info).toMatchObject({ deviceId: 'urn:dev:ops:0004A30B-1', commonName: 'urn:dev:ops:0004A30B-1', isCa: false, issuer: 'CN=CA1, O=SP1' });
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBeGreaterThan(19.9 * 365 * 86_400_000);
    expect(info.fingerprint256).toMatch(/^[0-9a-f]{64}$/);
    const text = openssl('x509', '-in', put(dir, 'factory.pem', certificatePem(der)), '-noout', '-text', '-nameopt', 'multiline,show_type').stdout;
    expect(text).toMatch(/serialNumber\s+=\s+\w+:urn:dev:ops:0004A30B-1/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication\n/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' })).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
    expect(sub.issued(info.serialNumber)).toBe(true);
    // random positive 16-byte serials
    expect(info.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/);
    // not for servers
    expect(verify(der, '-purpose', 'sslserver').status).not.toBe(0);
  });

  it('never outlive the issuing CA', async () => {
    const shortCa = await CertificateAuthority.createRoot({ subject: 'CN=short', validityDays: 30 });
    const der = await shortCa.issueFactoryCertificate({ deviceId: 'd', publicKey: generateKeyPair().publicKey });
    expect(describeCertificate(der).notAfter.getTime()).toBeLessThanOrEqual(describeCertificate(shortCa.certificate).notAfter.getTime());
  });

  it('refuse empty or overlong device ids', async () => {
    const { publicKey } = generateKeyPair();
    await expect(sub.issueFactoryCertificate({ deviceId: '', publicKey })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(sub.issueFactoryCertificate({ deviceId: 'x'.repeat(65), publicKey })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('operational and server certificates', () => {
  it('issues from a CSR: subject from the request, digitalSignature + keyAgreement, clientAuth, URI SAN', async () => {
    const keys = generateKeyPair();
    const csr = await createCsr({ subject: 'CN=dev-7, serialNumber=dev-7', ...keys });
    const der = await sub.issueFromCsr(csr, { validityDays: 30, sanUri: 'urn:dev:dev-7' });
    expect(verify(der, '-purpose', 'sslclient').status).toBe(0);
    const info = describeCertificate(der);
    expect(info).toMatchObject({ subject: 'CN=dev-7, serialNumber=dev-7', deviceId: 'dev-7' });
    expect(Math.round((info.notAfter.getTime() - Date.now()) / 86_400_000)).toBe(30);
    const text = openssl('x509', '-in', put(dir, 'op.pem', certificatePem(der)), '-noout', '-text').stdout;
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Agreement/);
    expect(text).toMatch(/URI:urn:dev:dev-7/);
    const other = await sub.issueFromCsr(csr, { subject: 'CN=renamed' });
    expect(describeCertificate(other).subject).toBe('CN=renamed');
  });

  it('issues server certificates with DNS and IP SANs for serverAuth, and refuses bad names', async () => {
    const { publicKey } = generateKeyPair('P-384');
    const der = await sub.issueServerCertificate({ subject: 'CN=est.example', publicKey, dnsNames: ['est.example', 'localhost'], ipAddresses: ['127.0.0.1', '::1'] });
    const leaf = put(dir, 'server.pem', certificatePem(der));
    expect(openssl('verify', '-CAfile', rootPem, '-untrusted', subPem, '-purpose', 'sslserver', leaf).status).toBe(0);
    expect(openssl('verify', '-CAfile', rootPem, '-untrusted', subPem, '-verify_ip', '127.0.0.1', leaf).status).toBe(0);
    expect(openssl('verify', '-CAfile', rootPem, '-untrusted', subPem, '-verify_hostname', 'est.example', leaf).status).toBe(0);
    expect(openssl('verify', '-CAfile', rootPem, '-untrusted', subPem, '-verify_hostname', 'other.example', leaf).status).not.toBe(0);
    await expect(sub.issueServerCertificate({ subject: 'CN=x', publicKey, ipAddresses: ['999.1.1.1'] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(sub.issueServerCertificate({ subject: 'CN=x', publicKey, dnsNames: ['bad name'] })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('Ed25519 and P-384 CAs issue certificates openssl verifies', async () => {
    for (const alg of ['Ed25519', 'P-384'] as const) {
      const ca = await CertificateAuthority.createRoot({ subject: `CN=${alg} root`, key: alg });
      const der = await ca.issueFactoryCertificate({ deviceId: 'd1', publicKey: generateKeyPair().publicKey });
      expect(openssl('verify', '-CAfile', put(dir, `${alg}-root.pem`, ca.certificatePem()), put(dir, `${alg}-leaf.pem`, certificatePem(der))).status).toBe(0);
    }
  });
});

describe('revocation and CRLs', () => {
  it('revokes, publishes CRLs with increasing numbers that openssl verifies, and openssl then refuses the certificate', async () => {
    const der = await sub.issueFactoryCertificate({ deviceId: 'dev-revoked', publicKey: generateKeyPair().publicKey });
    const serial = describeCertificate(der).serialNumber;
    const keep = await sub.issueFactoryCertificate({ deviceId: 'dev-kept', publicKey: generateKeyPair().publicKey });
    expect(sub.isRevoked(serial)).toBe(false);
    const crl0 = await sub.crl();
    await sub.revoke(serial, 'keyCompromise');
    expect(sub.isRevoked(serial)).toBe(true);
    expect(sub.isRevoked(serial.toUpperCase().match(/../g)!.join(':'))).toBe(true);
    const crl1 = await sub.crl({ nextUpdateDays: 1 });
    const crlFile = put(dir, 'crl1.der', crl1);
    const r = openssl('crl', '-in', crlFile, '-inform', 'DER', '-CAfile', subPem, '-noout');
    expect(r.stdout + r.stderr).toMatch(/verify OK/);
    const text = openssl('crl', '-in', crlFile, '-inform', 'DER', '-noout', '-text').stdout;
    expect(text).toContain(`Serial Number: ${serial.toUpperCase()}`);
    expect(text).toContain('Key Compromise');
    const number = (d: Uint8Array) => Number(/X509v3 CRL Number:\s+(\d+)/.exec(openssl('crl', '-in', put(dir, 'n.der', d), '-inform', 'DER', '-noout', '-text').stdout)![1]);
    expect(number(crl1)).toBe(number(crl0) + 1);
    // openssl verify with CRL checking: revoked refused, the other still fine
    const crlPem = put(dir, 'crl1.pem', pemBlock('X509 CRL', crl1));
    const rootCrl = put(dir, 'rootcrl.pem', pemBlock('X509 CRL', await root.crl()));
    const check = (leaf: Uint8Array) => openssl('verify', '-crl_check_all', '-CRLfile', crlPem, '-CRLfile', rootCrl, '-CAfile', rootPem, '-untrusted', subPem, put(dir, `c-${Math.random()}.pem`, certificatePem(leaf)));
    const refused = check(der);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/certificate revoked/);
    expect(check(keep).status).toBe(0);
  });

  it('refuses to revoke a serial the CA did not issue, and a malformed serial', async () => {
    await expect(sub.revoke('0123456789abcdef')).rejects.toBeInstanceOf(PkiError);
    await expect(sub.revoke('xyz')).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('persistence', () => {
  it('keeps ca.pem, chain.pem, key.pem (0600), state.json and state.journal (0600), and a loaded CA continues where it stopped', async () => {
    const d = path.join(dir, 'sub');
    expect(statSync(path.join(d, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(d, 'state.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(d, 'state.journal')).mode & 0o777).toBe(0o600);
    expect(pemToDer(readFileSync(path.join(d, 'chain.pem'), 'utf8')).length).toBe(2);
    const state = await readCaRecords(d);
    expect(Object.keys(state.issued).length).toBeGreaterThan(3);
    const revokedSerial = Object.keys(state.revoked)[0];
    const loaded = await CertificateAuthority.load(d);
    try {
      expect(loaded.subject).toBe('CN=CA1, O=SP1');
      expect(Buffer.from(loaded.certificate)).toEqual(Buffer.from(sub.certificate));
      expect(loaded.isRevoked(revokedSerial)).toBe(true);
      const der = await loaded.issueFactoryCertificate({ deviceId: 'after-load', publicKey: generateKeyPair().publicKey });
      expect(verify(der).status).toBe(0);
      const crlNumber = state.crlNumber;
      await loaded.crl();
      expect((await readCaRecords(d)).crlNumber).toBe(crlNumber + 1);
      expect((await readCaRecords(d)).issued[describeCertificate(der).serialNumber]).toMatchObject({ profile: 'factory', subject: 'CN=after-load, serialNumber=after-load' });
    } finally {
      await loaded.close();
    }
  });

  it('refuses a missing directory and a key that does not match ca.pem', async () => {
    await expect(CertificateAuthority.load(path.join(dir, 'none'))).rejects.toBeInstanceOf(PkiError);
    const other = path.join(dir, 'other');
    const o = await CertificateAuthority.createRoot({ subject: 'CN=other', dir: other });
    await o.close();
    copyFileSync(path.join(dir, 'root', 'key.pem'), path.join(other, 'key.pem'));
    await expect(CertificateAuthority.load(other)).rejects.toThrow(/does not match/);
  });

  it('serialises concurrent issuance within a process: every serial recorded', async () => {
    const ders = await Promise.all(Array.from({ length: 20 }, (_, i) => sub.issueFactoryCertificate({ deviceId: `c-${i}`, publicKey: generateKeyPair().publicKey })));
    const state = await readCaRecords(path.join(dir, 'sub'));
    for (const der of ders) expect(state.issued[describeCertificate(der).serialNumber]).toBeDefined();
  });
});
