/**
 * ECDSA signature encodings: the raw r||s that PKCS#11 CKM_ECDSA (and WebCrypto) produce, and
 * the DER Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER } that X.509, CMS and OpenSSL use.
 */
import { InvalidInputError } from '../errors';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derPositiveInteger(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let v = Buffer.from(magnitude.subarray(i));
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
}

/** DER Ecdsa-Sig-Value from raw r||s (both halves the curve size). */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new InvalidInputError('raw ECDSA signature must be r||s of equal halves');
  const half = raw.length / 2;
  const body = Buffer.concat([derPositiveInteger(raw.subarray(0, half)), derPositiveInteger(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function readLength(der: Uint8Array, at: number): [number, number] {
  const first = der[at];
  if (first === undefined) throw new InvalidInputError('truncated DER ECDSA signature');
  if (first < 0x80) return [first, at + 1];
  const n = first & 0x7f;
  if (n === 0 || n > 3 || at + 1 + n > der.length) throw new InvalidInputError('bad DER length in ECDSA signature');
  let len = 0;
  for (let i = 0; i < n; i++) len = (len << 8) | der[at + 1 + i];
  return [len, at + 1 + n];
}

/** Raw r||s (each `size` bytes) from a DER Ecdsa-Sig-Value. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Buffer {
  if (der[0] !== 0x30) throw new InvalidInputError('DER ECDSA signature must be a SEQUENCE');
  const [seqLen, seqStart] = readLength(der, 1);
  if (seqStart + seqLen !== der.length) throw new InvalidInputError('DER ECDSA signature length mismatch');
  const out = Buffer.alloc(size * 2);
  let at = seqStart;
  for (let k = 0; k < 2; k++) {
    if (der[at] !== 0x02) throw new InvalidInputError('DER ECDSA signature must hold two INTEGERs');
    const [len, start] = readLength(der, at + 1);
    if (start + len > der.length) throw new InvalidInputError('truncated DER ECDSA signature');
    let v = der.subarray(start, start + len);
    while (v.length > 1 && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new InvalidInputError('ECDSA signature integer too large for the curve');
    out.set(v, k * size + (size - v.length));
    at = start + len;
  }
  if (at !== der.length) throw new InvalidInputError('trailing bytes in DER ECDSA signature');
  return out;
}
