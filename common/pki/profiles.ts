/**
 * Certificate profiles: the extensions each kind of certificate gets.
 * - CA (root, subordinate): basicConstraints cA (critical, optional pathLen), keyUsage
 *   keyCertSign + cRLSign (critical).
 * - factory: the long-lived device identity of the paper §VI-B, "restricted in terms of
 *   operational capabilities": keyUsage digitalSignature only (critical), EKU clientAuth only,
 *   basicConstraints cA=FALSE (critical). It can authenticate the device (DTLS/EDHOC, EST
 *   enrollment, attestation) and nothing else.
 * - operational: keyUsage digitalSignature + keyAgreement (critical), EKU clientAuth, optional
 *   URI SAN.
 * - server: keyUsage digitalSignature (critical), EKU serverAuth, DNS/IP SANs.
 * All carry subjectKeyIdentifier and authorityKeyIdentifier (the issuer's SKI).
 */
import { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { InvalidInputError } from '../errors';
import { spkiOf } from './algorithms';
import { x509 } from './x509';

/** The kinds of certificate a CA issues. */
export type CertificateProfile = 'root' | 'subordinate' | 'factory' | 'operational' | 'server';

export interface ProfileOptions {
  subjectKey: KeyObject;
  /** The issuer's SKI (hex); undefined for a root (its own SKI is used). */
  issuerKeyId?: string;
  pathLength?: number;
  dnsNames?: string[];
  ipAddresses?: string[];
  sanUri?: string;
}

const DNS_NAME = /^(?=.{1,253}$)(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

function subjectAltNames(o: ProfileOptions): x509.JsonGeneralNames {
  const names: x509.JsonGeneralNames = [];
  for (const d of o.dnsNames ?? []) {
    if (!DNS_NAME.test(d)) throw new InvalidInputError(`not a DNS name: "${d}"`);
    names.push({ type: 'dns', value: d });
  }
  for (const ip of o.ipAddresses ?? []) {
    if (isIP(ip) === 0) throw new InvalidInputError(`not an IP address: "${ip}"`);
    names.push({ type: 'ip', value: ip });
  }
  if (o.sanUri !== undefined) {
    try {
      new URL(o.sanUri);
    } catch {
      throw new InvalidInputError(`not a URI: "${o.sanUri}"`);
    }
    names.push({ type: 'url', value: o.sanUri });
  }
  return names;
}

/** The SHA-1 key identifier (RFC 5280 §4.2.1.2 method 1) of a key, hex. */
export async function keyIdentifier(key: KeyObject): Promise<string> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(new x509.PublicKey(spkiOf(key)));
  return ski.keyId;
}

/** The SKI of a certificate, or its computed key identifier when it has none. */
export async function certificateKeyId(cert: x509.X509Certificate): Promise<string> {
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return ski.keyId;
  const id = await x509.SubjectKeyIdentifierExtension.create(cert.publicKey);
  return id.keyId;
}

/** The extensions of a certificate of `profile`. */
export async function profileExtensions(profile: CertificateProfile, o: ProfileOptions): Promise<x509.Extension[]> {
  const ski = await keyIdentifier(o.subjectKey);
  const ext: x509.Extension[] = [];
  const KU = x509.KeyUsageFlags;
  switch (profile) {
    case 'root':
    case 'subordinate':
      ext.push(new x509.BasicConstraintsExtension(true, o.pathLength, true));
      ext.push(new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true));
      break;
    case 'factory':
      ext.push(new x509.BasicConstraintsExtension(false, undefined, true));
      ext.push(new x509.KeyUsagesExtension(KU.digitalSignature, true));
      ext.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false));
      break;
    case 'operational':
      ext.push(new x509.BasicConstraintsExtension(false, undefined, true));
      ext.push(new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyAgreement, true));
      ext.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false));
      break;
    case 'server':
      ext.push(new x509.BasicConstraintsExtension(false, undefined, true));
      ext.push(new x509.KeyUsagesExtension(KU.digitalSignature, true));
      ext.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false));
      break;
    default: {
      const never: never = profile;
      throw new InvalidInputError(`unknown profile ${String(never)}`);
    }
  }
  const san = subjectAltNames(o);
  if (san.length > 0) ext.push(new x509.SubjectAlternativeNameExtension(san, false));
  ext.push(new x509.SubjectKeyIdentifierExtension(ski, false));
  ext.push(new x509.AuthorityKeyIdentifierExtension(o.issuerKeyId ?? ski, false));
  return ext;
}
