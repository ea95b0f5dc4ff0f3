/**
 * The PKI of a handover world: the CA hierarchy of the paper's Fig. 1 (default: separate roots),
 * the certificates every server presents (SP1 and SP2 LwM2M servers, CA1 and CA2 EST servers),
 * the providers' signing certificates (devices hold SP1's as a provider-signer anchor), and one
 * device's factory identity and CA1 operational certificate (what manufacturing and onboarding
 * with SP1 left on the device).
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import {
  certificatePem, createCsr, createHierarchies, generateKeyPair, type CaHierarchy, type CertificateAuthority,
} from '../../../common/pki/index';

export interface ServerCredentials {
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
  /** PEM: the certificate, then its CA chain below the root. */
  readonly certChainPem: string;
  readonly keyPem: string;
}

export interface DeviceCredentials {
  readonly deviceId: string;
  readonly factory: { readonly privateKey: KeyObject; readonly certificate: Uint8Array };
  readonly operational: { readonly privateKey: KeyObject; readonly certificate: Uint8Array };
  readonly operationalSerial: string;
}

export interface WorldPki {
  readonly hierarchy: CaHierarchy;
  readonly sp1Server: ServerCredentials;
  readonly sp2Server: ServerCredentials;
  readonly ca1Est: ServerCredentials;
  readonly ca2Est: ServerCredentials;
  /** SP1's token signer (its certificate is the devices' provider-signer anchor). */
  readonly sp1Signer: ServerCredentials;
  readonly sp2Signer: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  /** PEM of every certificate of a CA's chain (the CA itself up to its root). */
  chainPem(ca: CertificateAuthority): string;
}

function keyPem(k: KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The CA's chain without its root (what a server sends after its own certificate). */
export function intermediatesPem(ca: CertificateAuthority): string {
  return ca.chain.slice(0, -1).map((c) => certificatePem(c)).join('');
}

async function serverCredentials(ca: CertificateAuthority, subject: string): Promise<ServerCredentials> {
  const { privateKey, publicKey } = generateKeyPair('P-256');
  const certificate = await ca.issueServerCertificate({ subject, publicKey, ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  return { certificate, privateKey, certChainPem: certificatePem(certificate) + intermediatesPem(ca), keyPem: keyPem(privateKey) };
}

export async function createWorldPki(dir: string): Promise<WorldPki> {
  const hierarchy = await createHierarchies('separate-roots', { dir, organization: 'Handover demo' });
  const [sp1Server, sp2Server, ca1Est, ca2Est, sp1Signer] = await Promise.all([
    serverCredentials(hierarchy.ca1, 'CN=sp1.lwm2m.example, O=SP1'),
    serverCredentials(hierarchy.ca2, 'CN=sp2.lwm2m.example, O=SP2'),
    serverCredentials(hierarchy.ca1, 'CN=est.ca1.example, O=SP1'),
    serverCredentials(hierarchy.ca2, 'CN=est.ca2.example, O=SP2'),
    serverCredentials(hierarchy.ca1, 'CN=transfer-signer.sp1.example, O=SP1'),
  ]);
  const sp2Signer = generateKeyPair('P-256');
  return {
    hierarchy, sp1Server, sp2Server, ca1Est, ca2Est, sp1Signer, sp2Signer,
    chainPem: (ca) => ca.chain.map((c) => certificatePem(c)).join(''),
  };
}

/** Manufacturing (factory certificate) and onboarding with SP1 (a CA1 certificate from a CSR). */
export async function createDeviceCredentials(pki: WorldPki, deviceId: string): Promise<DeviceCredentials> {
  const factoryKeys = generateKeyPair('P-256');
  const factoryCertificate = await pki.hierarchy.factoryCa.issueFactoryCertificate({ deviceId, publicKey: factoryKeys.publicKey });
  const op = generateKeyPair('P-256');
  const csr = await createCsr({ subject: `CN=${deviceId}, serialNumber=${deviceId}`, privateKey: op.privateKey, publicKey: op.publicKey });
  const operational = await pki.hierarchy.ca1.issueFromCsr(csr);
  const serial = new X509Certificate(operational).serialNumber.toLowerCase();
  return {
    deviceId,
    factory: { privateKey: factoryKeys.privateKey, certificate: factoryCertificate },
    operational: { privateKey: op.privateKey, certificate: operational },
    operationalSerial: serial,
  };
}

export { keyPem };
