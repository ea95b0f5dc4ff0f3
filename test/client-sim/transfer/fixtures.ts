/**
 * Real PKI for the transfer tests: a factory CA with device certificates, SP1's provider-signer
 * certificate (and a stranger's), CA2 (the new operational CA) with a DTLS server certificate,
 * and SP1's per-device transfer tokens signed with node:crypto keys.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CertificateAuthority } from '../../../common/pki/index';
import { buildTransferToken } from '../../../plugin/messages/transfer-token';
import type { TransferInstructions } from '../../../plugin/messages/transfer-message';

export interface Signer { readonly privateKey: KeyObject; readonly certificate: Uint8Array }

export interface Pki {
  readonly factoryCa: CertificateAuthority;
  readonly sp1Ca: CertificateAuthority;
  readonly ca2: CertificateAuthority;
  readonly sp1Signer: Signer;
  readonly stranger: Signer;
  readonly updateSigner: Signer;
  /** CA2's EST server DTLS certificate and key. */
  readonly estServer: Signer;
  device(id: string): Promise<Signer>;
}

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

export async function createPki(): Promise<Pki> {
  const factoryCa = await CertificateAuthority.createRoot({ subject: 'CN=Factory CA' });
  const sp1Ca = await CertificateAuthority.createRoot({ subject: 'CN=SP1 Root' });
  const strangerCa = await CertificateAuthority.createRoot({ subject: 'CN=Stranger Root' });
  const ca2 = await CertificateAuthority.createRoot({ subject: 'CN=CA2' });
  const signer = async (ca: CertificateAuthority, subject: string): Promise<Signer> => {
    const k = p256();
    return { privateKey: k.privateKey, certificate: await ca.issueServerCertificate({ subject, publicKey: k.publicKey }) };
  };
  const estKey = p256();
  return {
    factoryCa, sp1Ca, ca2,
    sp1Signer: await signer(sp1Ca, 'CN=SP1 transfer signer'),
    stranger: await signer(strangerCa, 'CN=Stranger signer'),
    updateSigner: await signer(ca2, 'CN=SP2 update signer'),
    estServer: { privateKey: estKey.privateKey, certificate: await ca2.issueServerCertificate({ subject: 'CN=ca2-est', publicKey: estKey.publicKey, ipAddresses: ['127.0.0.1'] }) },
    async device(id) {
      const k = p256();
      return { privateKey: k.privateKey, certificate: await factoryCa.issueFactoryCertificate({ deviceId: id, publicKey: k.publicKey }) };
    },
  };
}

export const now = () => Math.floor(Date.now() / 1000);

/** Instructions as SP2 would send them, with every URI overridable. */
export function instructions(over: Partial<TransferInstructions> = {}): TransferInstructions {
  return {
    resetTimeNotBefore: now() - 60, resetTimeNotAfter: now() + 3600, raUri: null,
    updateUri: 'coap://127.0.0.1:9/update.suit', updateFirst: false,
    enrollUri: 'coaps://127.0.0.1:9/.well-known/est', fallbackUri: 'coap://127.0.0.1:9', bootstrapUri: 'coap://127.0.0.1:9',
    ...over,
  };
}

/** SP1's token for one device. */
export function token(signer: Signer, device: { id: string; certificate?: Uint8Array; counter: number }, instr: TransferInstructions, opts: { kid?: boolean; cti?: Uint8Array } = {}): Uint8Array {
  return buildTransferToken(instr, { deviceId: device.id, transferCounter: device.counter, ...(device.certificate ? { factoryCertificate: device.certificate } : {}) }, {
    issuer: 'sp1', fallbackUri: instr.fallbackUri, key: signer.privateKey, alg: 'ES256',
    ...(opts.kid ? { kid: new Uint8Array(createHash('sha256').update(signer.certificate).digest()) } : {}),
    ...(opts.cti ? { cti: opts.cti } : {}),
  });
}
