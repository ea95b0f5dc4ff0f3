/**
 * PEM text of the device's keys and certificates, as the DTLS and EST clients take them.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/** PKCS#8 PEM of a private key. */
export function keyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The private key of a PKCS#8 PEM text. */
export function keyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** Certificates (DER) as one PEM text, in order. */
export function certificatesPem(ders: readonly Uint8Array[]): string {
  return ders.map((d) => new X509Certificate(d).toString()).join('');
}

/** The first certificate of a PEM text, DER. */
export function firstCertificate(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}
