/**
 * Errors of the COSE layer. Callers switch on `code`: ERR_COSE_INVALID (malformed structure,
 * bad header, unknown critical header), ERR_COSE_SIGNATURE (signature or MAC does not verify,
 * or the key cannot verify this algorithm), ERR_COSE_ALG (unknown, unsupported or disallowed
 * algorithm), ERR_COSE_DECRYPT (authenticated decryption failed).
 */
import { HandoverError } from '../errors';

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

/** The message is not a well-formed COSE structure of the expected kind, or a header is refused. */
export class CoseInvalidError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_COSE_INVALID', message, options);
  }
}

/** The signature or MAC does not verify with the given key. */
export class CoseSignatureError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_COSE_SIGNATURE', message, options);
  }
}

/** The algorithm is unknown, not implemented here, or not in the caller's allowed list. */
export class CoseAlgorithmError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_COSE_ALG', message, options);
  }
}

/** AEAD decryption failed: wrong key, wrong AAD or a modified ciphertext. */
export class CoseDecryptError extends HandoverError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_COSE_DECRYPT', message, options);
  }
}
