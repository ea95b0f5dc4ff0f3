/**
 * application/pkcs8 (Content-Format 284): an unencrypted PKCS#8 PrivateKeyInfo (RFC 5958), the
 * key half of a server-side key generation answer. Parsed and produced by node:crypto.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { assertSingleSequence } from './der';
import { EstPayloadError } from './errors';

export function encodePrivateKey(key: KeyObject): Uint8Array {
  if (key.type !== 'private') throw new EstPayloadError('PKCS#8: not a private key');
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}

export function decodePrivateKey(der: Uint8Array): KeyObject {
  assertSingleSequence(der, 'PKCS#8 private key');
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new EstPayloadError(`PKCS#8 private key: ${(cause as Error).message}`, { cause });
  }
}
