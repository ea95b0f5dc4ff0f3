/**
 * Registration.certificate from the leaf certificate of a client's DTLS chain: subject and
 * issuer, serial number and SHA-256 fingerprint, in the forms server/registration.ts documents.
 * The chain itself was validated by the DTLS layer; this only reads it.
 *
 * Every Register and Update of a certificate client asks for it, so summaries are kept by
 * fingerprint in a bounded least-recently-used cache (hashing the DER costs a fraction of
 * parsing it); a summary is frozen, being shared by every registration of that certificate.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { BoundedCache } from '../../common/bounded-cache';
import type { RegistrationCertificate } from '../registration';

/** Summaries kept: one per certificate client seen lately. */
export const CERTIFICATE_CACHE_MAX = 4096;

const summaries = new BoundedCache<RegistrationCertificate>(CERTIFICATE_CACHE_MAX);

/** Summary of a DER certificate; undefined when it cannot be parsed. */
export function certificateSummary(der: Uint8Array): RegistrationCertificate | undefined {
  const key = createHash('sha256').update(der).digest('base64');
  try {
    return summaries.get(key, () => summarize(der)); // an unparseable certificate throws: nothing cached
  } catch {
    return undefined;
  }
}

function summarize(der: Uint8Array): RegistrationCertificate {
  const cert = new X509Certificate(Buffer.from(der));
  return Object.freeze({
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    serialNumber: serialHex(cert.serialNumber),
    fingerprint256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
  });
}

/** How many summaries are cached (for tests and diagnostics). */
export function certificateSummaryCacheSize(): number {
  return summaries.size;
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
