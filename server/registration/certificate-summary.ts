/**
 * Registration.certificate from the leaf certificate of a client's DTLS chain: subject and
 * issuer, serial number and SHA-256 fingerprint, in the forms server/registration.ts documents.
 * The chain itself was validated by the DTLS layer; this only reads it.
 */
import { X509Certificate } from 'node:crypto';
import type { RegistrationCertificate } from '../registration';

/** Summary of a DER certificate; undefined when it cannot be parsed. */
export function certificateSummary(der: Uint8Array): RegistrationCertificate | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(der));
  } catch {
    return undefined;
  }
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    serialNumber: serialHex(cert.serialNumber),
    fingerprint256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/** Node prints one "KEY=value" per line, in encoding order; we join them with ", ". */
export function distinguishedName(nodeForm: string): string {
  return nodeForm.split('\n').filter((l) => l !== '').join(', ');
}

/** Lowercase hex without leading zero bytes (at least "00"). */
export function serialHex(hex: string): string {
  let s = hex.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (s.length % 2 === 1) s = `0${s}`;
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s === '' ? '00' : s;
}
