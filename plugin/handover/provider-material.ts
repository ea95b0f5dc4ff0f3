/**
 * Reading the files a provider configuration names: private keys and bearer tokens only when
 * owner-only (mode 0600, the rule of common/pki key files), certificates and public keys as
 * PEM. Each failure is one ConfigError (or KeyFileError) naming the file and the field.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pemToDer, readKeyFile } from '../../common/pki/index';
import { ConfigError } from './errors';
import { checkOwnerOnly, type ProviderConfig } from './provider-config';

/** Shortest bearer token accepted (the provider API's rule). */
export const MIN_TOKEN_LENGTH = 16;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

/** A bearer token from an owner-only file (surrounding white space dropped). */
export function readTokenFile(file: string, what: string): string {
  checkOwnerOnly(file, what);
  const token = readText(file, what).trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) throw new ConfigError(`${what} ${file} must hold one token of at least ${MIN_TOKEN_LENGTH} characters without spaces`);
  return token;
}

/** DER of every certificate in a PEM file (at least one, each parsable). */
export function readCertificates(file: string, what: string): Uint8Array[] {
  const text = readText(file, what);
  const ders = pemToDer(text, 'CERTIFICATE').map((d) => new Uint8Array(d));
  if (ders.length === 0) throw new ConfigError(`${what} ${file} holds no PEM certificate`);
  ders.forEach((d, i) => {
    try { new X509Certificate(d); } catch (e) { throw new ConfigError(`${what} ${file}: certificate ${i + 1} is not valid X.509: ${(e as Error).message}`, { cause: e }); }
  });
  return ders;
}

/** The PEM text of a certificate file, checked (what a DTLS endpoint takes). */
export function readCertificatesPem(file: string, what: string): string {
  readCertificates(file, what);
  return readText(file, what);
}

/** The PEM text of an owner-only private key file, checked to be a private key. */
export function readPrivateKeyPem(file: string, what: string): string {
  checkOwnerOnly(file, what);
  const pem = readText(file, what);
  try { createPrivateKey(pem); } catch (e) { throw new ConfigError(`${what} ${file} holds no PEM private key: ${(e as Error).message}`, { cause: e }); }
  return pem;
}

/** A public key from a PEM public key or the first certificate of a PEM file. */
export function readPublicKey(file: string, what: string): KeyObject {
  const text = readText(file, what);
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(pemToDer(text, 'CERTIFICATE')[0]).publicKey;
    return createPublicKey(text);
  } catch (e) {
    throw new ConfigError(`${what} ${file} holds no PEM public key or certificate: ${(e as Error).message}`, { cause: e });
  }
}

/** Every public key of a PEM file: its certificates' keys and its PUBLIC KEY blocks (at least one). */
export function readPublicKeys(file: string, what: string): KeyObject[] {
  const text = readText(file, what);
  const blocks = [...text.matchAll(/-----BEGIN (CERTIFICATE|PUBLIC KEY)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.length === 0) throw new ConfigError(`${what} ${file} holds no PEM certificate or public key`);
  return blocks.map((m, i) => {
    try {
      return m[1] === 'CERTIFICATE' ? new X509Certificate(m[0]).publicKey : createPublicKey(m[0]);
    } catch (e) {
      throw new ConfigError(`${what} ${file}: PEM block ${i + 1} is not a valid ${m[1] === 'CERTIFICATE' ? 'certificate' : 'public key'}: ${(e as Error).message}`, { cause: e });
    }
  });
}

export interface ProviderKeys {
  /** This provider's signing key (UpdateInfoList / TransferMessage / device tokens). */
  readonly signingKey: KeyObject;
  /** DER of the signer's certificate (SP1: the devices' provider-signer anchor). */
  readonly signerCertificate?: Uint8Array;
  /** The peer provider's verification key. */
  readonly peerPublicKey: KeyObject;
}

/** The signer key (owner-only), its certificate (must match the key) and the peer's key. */
export async function readProviderKeys(c: ProviderConfig): Promise<ProviderKeys> {
  const signingKey = await readKeyFile(c.signer.keyFile);
  let signerCertificate: Uint8Array | undefined;
  if (c.signer.certificateFile) {
    [signerCertificate] = readCertificates(c.signer.certificateFile, 'signer.certificate');
    const certKey = new X509Certificate(signerCertificate).publicKey;
    const mine = createPublicKey(signingKey);
    if (!certKey.equals(mine)) throw new ConfigError(`signer.certificate ${c.signer.certificateFile} does not certify the key in ${c.signer.keyFile}`);
  }
  const peerPublicKey = readPublicKey(c.peer.publicKeyFile, 'peer.publicKey');
  if (createPublicKey(signingKey).equals(peerPublicKey)) throw new ConfigError('peer.publicKey is this provider\'s own signing key');
  return { signingKey, ...(signerCertificate ? { signerCertificate } : {}), peerPublicKey };
}
