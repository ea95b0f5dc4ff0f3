/**
 * publicKeyId: how the CA's enrollment policy names the key a certificate was issued for —
 * SHA-256 (lower-case hex) of the SubjectPublicKeyInfo DER. Two CSRs with the same id are for
 * the same key (a retransmitted enrollment); a CSR's signature proves its sender holds that key.
 */
import { createHash, type KeyObject } from 'node:crypto';

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}
