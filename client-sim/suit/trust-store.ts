/**
 * The device's SUIT trust store: the public keys that may sign manifests, from PEM public keys
 * (SPKI) or X.509 certificates (their subject public key; validity and chain are the PKI
 * module's business, the manifest signature only needs the key).
 */
import { type KeyObject, X509Certificate, createPublicKey } from 'node:crypto';
import { InvalidInputError } from '../../common/errors';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** Every key of a PEM text (several blocks allowed). */
export function loadSuitTrustStore(pem: string | readonly string[]): KeyObject[] {
  const texts = typeof pem === 'string' ? [pem] : pem;
  const keys: KeyObject[] = [];
  for (const text of texts) {
    for (const m of text.matchAll(BLOCK)) {
      const [block, label] = m;
      try {
        if (label === 'CERTIFICATE') keys.push(new X509Certificate(block).publicKey);
        else if (label === 'PUBLIC KEY') keys.push(createPublicKey(block));
        else throw new InvalidInputError(`a trust store holds public keys or certificates, not ${label}`);
      } catch (e) {
        if (e instanceof InvalidInputError) throw e;
        throw new InvalidInputError(`unreadable ${label} in the trust store: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  if (keys.length === 0) throw new InvalidInputError('no PEM public key or certificate found');
  return keys;
}
