/**
 * PKCS#10 certificate signing requests (RFC 2986): built by a device (or SP1 for its devices'
 * factory keys) and verified by a CA before anything is issued. A request that does not parse,
 * has trailing bytes or an unsupported key is a CsrInvalidError; a bad signature is reported
 * (`signatureValid: false`) so that a parser can show it, and refused by the CA.
 */
import { KeyObject } from 'node:crypto';
import { keyAlgorithmOf, publicKeyFromSpki, samePublicKey, signingAlgorithm, toCryptoPrivateKey, toCryptoPublicKey } from './algorithms';
import { isSingleTlv } from './der';
import { CsrInvalidError } from './errors';
import { nameString, parseSubject } from './names';
import { x509 } from './x509';

const OID_CHALLENGE_PASSWORD = '1.2.840.113549.1.9.7';

/** Build a DER PKCS#10 request for `subject`, signed with `privateKey`. */
export async function createCsr(opts: {
  subject: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  challengePassword?: string;
}): Promise<Uint8Array> {
  const alg = keyAlgorithmOf(opts.privateKey);
  if (!samePublicKey(opts.privateKey, opts.publicKey)) throw new CsrInvalidError('publicKey is not the public half of privateKey');
  const attributes = opts.challengePassword !== undefined ? [new x509.ChallengePasswordAttribute(opts.challengePassword)] : [];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: parseSubject(opts.subject),
    keys: { privateKey: await toCryptoPrivateKey(opts.privateKey), publicKey: await toCryptoPublicKey(opts.publicKey) },
    signingAlgorithm: signingAlgorithm(alg),
    attributes,
  });
  return new Uint8Array(csr.rawData);
}

/** Parse a DER request strictly (no trailing bytes); CsrInvalidError when malformed. */
export function parseCsr(der: Uint8Array): x509.Pkcs10CertificateRequest {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(Buffer.from(der));
  } catch (e) {
    throw new CsrInvalidError(`not a DER PKCS#10 request: ${(e as Error).message}`, { cause: e });
  }
  if (!isSingleTlv(der)) throw new CsrInvalidError('trailing bytes after the PKCS#10 request');
  return csr;
}

/** What a request says, and whether its self-signature verifies. */
export async function verifyCsr(der: Uint8Array): Promise<{
  subject: string;
  publicKey: KeyObject;
  signatureValid: boolean;
  challengePassword?: string;
}> {
  const csr = parseCsr(der);
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromSpki(new Uint8Array(csr.publicKey.rawData));
    keyAlgorithmOf(publicKey);
  } catch (e) {
    throw new CsrInvalidError(`unsupported public key in the request: ${(e as Error).message}`, { cause: e });
  }
  let signatureValid: boolean;
  try {
    signatureValid = await csr.verify();
  } catch {
    signatureValid = false;
  }
  const result: { subject: string; publicKey: KeyObject; signatureValid: boolean; challengePassword?: string } = {
    subject: nameString(csr.subjectName),
    publicKey,
    signatureValid,
  };
  const cp = csr.getAttribute(OID_CHALLENGE_PASSWORD);
  if (cp instanceof x509.ChallengePasswordAttribute) result.challengePassword = cp.password;
  return result;
}
