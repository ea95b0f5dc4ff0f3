/** Test helper: real self-signed P-256 factory certificates (DER) made with @peculiar/x509. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export async function factoryCertificate(deviceId: string): Promise<Uint8Array> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: `CN=${deviceId}, O=SP1 factory`, keys, signingAlgorithm: alg,
    notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2044-01-01T00:00:00Z'),
  });
  return new Uint8Array(cert.rawData);
}
