/**
 * Test helper: real P-256 CAs and device certificates made with @peculiar/x509 (node webcrypto),
 * keys handed out as node:crypto KeyObjects. A factory CA issues "CN=<id>, serialNumber=<id>".
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface IssuedCertificate {
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface TestCa {
  readonly name: string;
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
  /** A device certificate: CN and serialNumber = deviceId. */
  issue(deviceId: string, opts?: { notBefore?: Date; notAfter?: Date }): Promise<IssuedCertificate>;
  /** A subordinate CA. */
  subordinate(name: string): Promise<TestCa>;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function serial(): string {
  return `01${randomBytes(8).toString('hex')}`;
}

function wrap(name: string, cert: x509.X509Certificate, keys: CryptoKeyPair): TestCa {
  return {
    name,
    certificate: new Uint8Array(cert.rawData),
    privateKey: KeyObject.from(keys.privateKey as unknown as webcrypto.CryptoKey),
    async issue(deviceId, opts = {}) {
      const k = await keyPair();
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(), subject: `CN=${deviceId}, 2.5.4.5=${deviceId}`, issuer: cert.subject,
        notBefore: opts.notBefore ?? new Date(Date.now() - 3600_000), notAfter: opts.notAfter ?? new Date(Date.now() + 365 * 86400_000),
        signingAlgorithm: ALG, publicKey: k.publicKey, signingKey: keys.privateKey,
        extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
      });
      return {
        certificate: new Uint8Array(leaf.rawData),
        privateKey: KeyObject.from(k.privateKey as unknown as webcrypto.CryptoKey),
        publicKey: KeyObject.from(k.publicKey as unknown as webcrypto.CryptoKey),
      };
    },
    async subordinate(subName) {
      const k = await keyPair();
      const sub = await x509.X509CertificateGenerator.create({
        serialNumber: serial(), subject: `CN=${subName}`, issuer: cert.subject,
        notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 3650 * 86400_000),
        signingAlgorithm: ALG, publicKey: k.publicKey, signingKey: keys.privateKey,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
      });
      return wrap(subName, sub, k);
    },
  };
}

/** A self-signed root CA named CN=<name>. */
export async function createTestCa(name: string): Promise<TestCa> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: `CN=${name}`, keys, signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 3650 * 86400_000),
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return wrap(name, cert, keys);
}
