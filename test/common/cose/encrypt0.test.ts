/** COSE_Encrypt0 with AES-CCM-16-64-128: RFC 9052 Appendix C.4 vectors, round trips and refusals. */
import { createSecretKey, randomBytes } from 'node:crypto';
import { decryptEncrypt0, encryptEncrypt0 } from '../../../common/cose/encrypt0';
import { decodeCbor, encodeCbor, Tag } from '../../../common/cose/cbor';

import { figureHex } from './rfc-text';

// RFC 8392 Appendix A.5 (encrypted CWT) with the 128-bit key of A.2.1, read from the draft text.
const CWT = 'draft-ietf-ace-cbor-web-token-15.txt';
const CEK = Buffer.from('231f4c4d4d3051fdc2ec0a3851d5b383', 'hex');
const A5 = figureHex(CWT, 14);
const CLAIMS = figureHex(CWT, 2);
const A5_IV = Buffer.from('99a0d7846e762c49ffe8a63e0b', 'hex');

describe('COSE_Encrypt0', () => {
  it('decrypts RFC 8392 A.5 to the A.1 claims set', () => {
    const r = decryptEncrypt0(A5, CEK);
    expect(Buffer.from(r.plaintext).equals(CLAIMS)).toBe(true);
    expect(r.alg).toBe('AES-CCM-16-64-128');
    expect(Buffer.from(r.kid!).toString()).toBe('Symmetric128');
    expect(r.tagged).toBe(true);
  });

  it('reproduces A.5 byte for byte from its IV and kid', () => {
    const out = encryptEncrypt0({ plaintext: CLAIMS, key: CEK, alg: 'AES-CCM-16-64-128', iv: A5_IV, unprotectedHeader: new Map([[4, Buffer.from('Symmetric128')]]) });
    expect(Buffer.from(out).equals(A5)).toBe(true);
  });

  it('decrypts a Partial IV message with the shared base IV', () => {
    const base = Buffer.from('89f52f65a1c580933b52', 'hex');
    const partial = Buffer.from('61a7', 'hex');
    const nonce = Buffer.alloc(13);
    partial.copy(nonce, 13 - partial.length);
    for (let i = 0; i < base.length; i++) nonce[i] ^= base[i];
    const full = decodeCbor(encryptEncrypt0({ plaintext: Buffer.from('hello'), key: CEK, alg: 'AES-CCM-16-64-128', iv: nonce }), 't') as Tag;
    const [p, , c] = full.value as unknown[];
    const withPartial = encodeCbor(new Tag([p, new Map([[6, partial]]), c], 16));
    expect(Buffer.from(decryptEncrypt0(withPartial, CEK, { baseIv: base }).plaintext).toString()).toBe('hello');
    expect(() => decryptEncrypt0(withPartial, CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
  });

  it('round-trips untagged with external AAD and a KeyObject', () => {
    const key = createSecretKey(randomBytes(16));
    const aad = Buffer.from('context');
    const msg = encryptEncrypt0({ plaintext: Buffer.from('token'), key, alg: 'AES-CCM-16-64-128', externalAad: aad, tagged: false });
    const r = decryptEncrypt0(msg, key, { externalAad: aad });
    expect(Buffer.from(r.plaintext).toString()).toBe('token');
    expect(r.tagged).toBe(false);
    expect(() => decryptEncrypt0(msg, key)).toThrow(expect.objectContaining({ code: 'ERR_COSE_DECRYPT' }));
  });

  it('refuses a wrong key, a flipped ciphertext bit and a short key', () => {
    expect(() => decryptEncrypt0(A5, randomBytes(16))).toThrow(expect.objectContaining({ code: 'ERR_COSE_DECRYPT' }));
    const bad = Buffer.from(A5);
    bad[bad.length - 12] ^= 1;
    expect(() => decryptEncrypt0(bad, CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_DECRYPT' }));
    expect(() => decryptEncrypt0(A5, randomBytes(15))).toThrow(expect.objectContaining({ code: 'ERR_COSE_ALG' }));
  });

  it('refuses a wrong-length IV and an unknown alg', () => {
    const [p, , c] = (decodeCbor(A5, 't') as Tag).value as unknown[];
    const shortIv = encodeCbor(new Tag([p, new Map([[5, new Uint8Array(12)]]), c], 16));
    expect(() => decryptEncrypt0(shortIv, CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
    const gcm = encodeCbor(new Tag([encodeCbor(new Map([[1, 1]])), new Map([[5, new Uint8Array(13)]]), c], 16));
    expect(() => decryptEncrypt0(gcm, CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_ALG' }));
  });

  it('refuses truncated and garbage input', () => {
    expect(() => decryptEncrypt0(A5.subarray(0, 20), CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
    expect(() => decryptEncrypt0(Buffer.from('ffff00', 'hex'), CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
    expect(() => decryptEncrypt0(Buffer.from('d2840000', 'hex'), CEK)).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
  });
});
