/**
 * What a certificate says, as plain data: subject, issuer, serial, validity, the device id of a
 * factory certificate (subject serialNumber attribute), whether it is a CA, its SHA-256
 * fingerprint. Also the strict DER parse every other PKI module uses for certificates.
 */
import { createHash } from 'node:crypto';
import { isSingleTlv } from './der';
import { CertificateInvalidError } from './errors';
import { nameField, nameString, normalizeSerial } from './names';
import { OID_SERIAL_NUMBER, x509 } from './x509';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** lowercase hex, no leading zero octets */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** The subject serialNumber attribute (2.5.4.5): the device id of a factory certificate. */
  deviceId?: string;
  commonName?: string;
  isCa: boolean;
  /** SHA-256 of the DER, lowercase hex, no colons. */
  fingerprint256: string;
}

/** Parse DER (exactly one certificate, no trailing bytes); CertificateInvalidError otherwise. */
export function parseCertificate(der: Uint8Array): x509.X509Certificate {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(Buffer.from(der));
  } catch (e) {
    throw new CertificateInvalidError(`not a DER X.509 certificate: ${(e as Error).message}`, { cause: e });
  }
  if (!isSingleTlv(der)) throw new CertificateInvalidError('trailing bytes after the certificate');
  return cert;
}

/** True when the certificate has basicConstraints cA=TRUE. */
export function isCaCertificate(cert: x509.X509Certificate): boolean {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return Boolean(bc?.ca);
}

/** Describe a DER certificate. */
export function describeCertificate(der: Uint8Array): CertificateInfo {
  const cert = parseCertificate(der);
  const info: CertificateInfo = {
    subject: nameString(cert.subjectName),
    issuer: nameString(cert.issuerName),
    serialNumber: normalizeSerial(cert.serialNumber),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCa: isCaCertificate(cert),
    fingerprint256: createHash('sha256').update(der).digest('hex'),
  };
  const deviceId = nameField(cert.subjectName, OID_SERIAL_NUMBER);
  if (deviceId !== undefined) info.deviceId = deviceId;
  const cn = nameField(cert.subjectName, 'CN');
  if (cn !== undefined) info.commonName = cn;
  return info;
}
