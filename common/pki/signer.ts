/**
 * What a CA signs with, whatever holds the key: a private key in memory (from a key file), or
 * a key inside a PKCS#11 token. Either way it hands @peculiar/x509 a signing key and the
 * WebCrypto object whose `subtle.sign` produces the signature.
 */
import { KeyObject, createPublicKey, webcrypto } from 'node:crypto';
import { type KeyAlgorithm, keyAlgorithmOf, signingAlgorithm, type SigningAlgorithm, toCryptoPrivateKey } from './algorithms';
import type { WebCrypto, WebCryptoKey } from './x509';

export interface CaSigner {
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: KeyObject;
  /** The key @peculiar/x509 passes back to `crypto.subtle.sign`. */
  readonly signingKey: WebCryptoKey;
  /** The WebCrypto provider to hand to @peculiar/x509 generators. */
  readonly crypto: WebCrypto;
  readonly signingAlgorithm: SigningAlgorithm;
  /** Release the key (PKCS#11 session); the signer cannot sign afterwards. */
  close(): Promise<void>;
}

/** A signer over a private key held in memory, signing with node:crypto. */
export class KeyObjectSigner implements CaSigner {
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: KeyObject;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly crypto: WebCrypto = webcrypto as unknown as WebCrypto;

  private constructor(readonly privateKey: KeyObject, readonly signingKey: WebCryptoKey) {
    this.algorithm = keyAlgorithmOf(privateKey);
    this.publicKey = createPublicKey(privateKey);
    this.signingAlgorithm = signingAlgorithm(this.algorithm);
  }

  static async create(privateKey: KeyObject): Promise<KeyObjectSigner> {
    return new KeyObjectSigner(privateKey, await toCryptoPrivateKey(privateKey));
  }

  async close(): Promise<void> {
    /* nothing held */
  }
}
