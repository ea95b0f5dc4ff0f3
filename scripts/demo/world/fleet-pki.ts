/**
 * The world's PKI and device credentials as plain JSON, for the fleet processes of a
 * multi-process world (fleet-world.ts): the parent writes them (a 0600 file: it holds keys), a
 * fleet process reads them back into the same WorldPki and DeviceCredentials that
 * createWorldDevice takes, so a device in a child is built exactly as in the in-process world.
 *
 * The CAs are loaded from the directories createWorldPki persisted them in (shape
 * separate-roots: permanent, ca1, ca2). A fleet process only reads their chains; it never issues
 * (a CA's state file belongs to one issuing process, the parent).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as path from 'node:path';
import { CertificateAuthority, certificatePem, type CaHierarchy } from '../../../common/pki/index';
import { keyPem, type DeviceCredentials, type ServerCredentials, type WorldPki } from './credentials';

interface ServerCredentialsData {
  readonly certificate: string;
  readonly keyPem: string;
  readonly certChainPem: string;
}

/** WorldPki without its CAs (those are loaded from `dir`). */
export interface WorldPkiData {
  /** The directory createWorldPki was given. */
  readonly dir: string;
  readonly sp1Server: ServerCredentialsData;
  readonly sp2Server: ServerCredentialsData;
  readonly ca1Est: ServerCredentialsData;
  readonly ca2Est: ServerCredentialsData;
  readonly sp1Signer: ServerCredentialsData;
  readonly sp2SignerKeyPem: string;
}

export interface DeviceCredentialsData {
  readonly deviceId: string;
  readonly factory: { readonly keyPem: string; readonly certificate: string };
  readonly operational: { readonly keyPem: string; readonly certificate: string };
  readonly operationalSerial: string;
}

const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');
const der = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function serverData(c: ServerCredentials): ServerCredentialsData {
  return { certificate: b64(c.certificate), keyPem: c.keyPem, certChainPem: c.certChainPem };
}

function serverCredentials(d: ServerCredentialsData): ServerCredentials {
  return { certificate: der(d.certificate), privateKey: createPrivateKey(d.keyPem), keyPem: d.keyPem, certChainPem: d.certChainPem };
}

export function worldPkiData(pki: WorldPki, dir: string): WorldPkiData {
  return {
    dir, sp1Server: serverData(pki.sp1Server), sp2Server: serverData(pki.sp2Server), ca1Est: serverData(pki.ca1Est),
    ca2Est: serverData(pki.ca2Est), sp1Signer: serverData(pki.sp1Signer), sp2SignerKeyPem: keyPem(pki.sp2Signer.privateKey),
  };
}

/** The WorldPki of `data`, its CAs loaded from disk. Close `hierarchy.all` when done. */
export async function loadWorldPki(data: WorldPkiData): Promise<WorldPki> {
  const [permanentCa, ca1, ca2] = await Promise.all(['permanent', 'ca1', 'ca2'].map((d) => CertificateAuthority.load(path.join(data.dir, d))));
  const root = (ca: CertificateAuthority) => ca.chain[ca.chain.length - 1];
  const initialTrustAnchors = [root(permanentCa), root(ca1)];
  const hierarchy: CaHierarchy = {
    shape: 'separate-roots', permanentCa, factoryCa: permanentCa, ca1, ca2, all: [permanentCa, ca1, ca2],
    initialTrustAnchors, transferTrustAnchors: [root(ca2)], deviceTrustAnchors: [...initialTrustAnchors, root(ca2)],
  };
  const sp2Key = createPrivateKey(data.sp2SignerKeyPem);
  return {
    hierarchy, sp1Server: serverCredentials(data.sp1Server), sp2Server: serverCredentials(data.sp2Server),
    ca1Est: serverCredentials(data.ca1Est), ca2Est: serverCredentials(data.ca2Est), sp1Signer: serverCredentials(data.sp1Signer),
    sp2Signer: { privateKey: sp2Key, publicKey: createPublicKey(sp2Key) },
    chainPem: (ca) => ca.chain.map((c) => certificatePem(c)).join(''),
  };
}

export function deviceCredentialsData(c: DeviceCredentials): DeviceCredentialsData {
  return {
    deviceId: c.deviceId,
    factory: { keyPem: keyPem(c.factory.privateKey), certificate: b64(c.factory.certificate) },
    operational: { keyPem: keyPem(c.operational.privateKey), certificate: b64(c.operational.certificate) },
    operationalSerial: c.operationalSerial,
  };
}

export function deviceCredentials(d: DeviceCredentialsData): DeviceCredentials {
  return {
    deviceId: d.deviceId,
    factory: { privateKey: createPrivateKey(d.factory.keyPem), certificate: der(d.factory.certificate) },
    operational: { privateKey: createPrivateKey(d.operational.keyPem), certificate: der(d.operational.certificate) },
    operationalSerial: d.operationalSerial,
  };
}
