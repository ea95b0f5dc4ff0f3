/**
 * Subject names of CSRs and certificates as lists of (attribute OID, string value), read with
 * the @peculiar ASN.1 schemas. The EST server compares them structurally (never as formatted
 * strings): the device id is the subject serialNumber attribute (2.5.4.5).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { Certificate, type Name } from '@peculiar/asn1-x509';
import { assertSingleSequence, exactArrayBuffer } from './der';
import { EstPayloadError } from './errors';

export interface NameAttribute {
  readonly oid: string;
  readonly value: string;
}

const SERIAL_NUMBER = '2.5.4.5';

function attributes(name: Name): NameAttribute[] {
  return name.flatMap((rdn) => rdn.map((atv) => ({ oid: atv.type, value: atv.value.toString() })));
}

export function csrSubject(der: Uint8Array): NameAttribute[] {
  assertSingleSequence(der, 'PKCS#10 CSR');
  try {
    return attributes(AsnConvert.parse(exactArrayBuffer(der), CertificationRequest).certificationRequestInfo.subject);
  } catch (cause) {
    throw new EstPayloadError(`PKCS#10 CSR: ${(cause as Error).message}`, { cause });
  }
}

export function certificateSubject(der: Uint8Array): NameAttribute[] {
  assertSingleSequence(der, 'certificate');
  try {
    return attributes(AsnConvert.parse(exactArrayBuffer(der), Certificate).tbsCertificate.subject);
  } catch (cause) {
    throw new EstPayloadError(`certificate: ${(cause as Error).message}`, { cause });
  }
}

/** The subject serialNumber attribute (the device id), if exactly one is present. */
export function deviceIdOf(name: readonly NameAttribute[]): string | undefined {
  const ids = name.filter((a) => a.oid === SERIAL_NUMBER);
  return ids.length === 1 ? ids[0].value : undefined;
}

/** Same attributes with the same values, order of attributes ignored. */
export function sameName(a: readonly NameAttribute[], b: readonly NameAttribute[]): boolean {
  const key = (n: readonly NameAttribute[]) => n.map((x) => `${x.oid}=${JSON.stringify(x.value)}`).sort().join(',');
  return key(a) === key(b);
}
