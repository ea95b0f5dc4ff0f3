/**
 * application/multipart-core (Content-Format 62, RFC 8710): a CBOR array alternating a
 * Content-Format number (uint, at most 2 bytes: 0..65535) and that representation as a byte
 * string. EST-coaps uses it for the /skg and /skc answers (RFC 9148 §5.8): key + certificate.
 * RFC 8710 also allows null for an absent representation; EST never sends one, so it is refused.
 */
import { decodeCborRaw, encodeCbor } from '../cbor';
import { EstPayloadError } from './errors';

export interface MultipartPart {
  readonly contentFormat: number;
  readonly payload: Uint8Array;
}

export function encodeMultipartCore(parts: readonly MultipartPart[]): Uint8Array {
  const items: unknown[] = [];
  for (const p of parts) {
    if (!Number.isInteger(p.contentFormat) || p.contentFormat < 0 || p.contentFormat > 0xffff) {
      throw new EstPayloadError(`multipart-core: content format ${p.contentFormat} is not 0..65535`);
    }
    items.push(p.contentFormat, Buffer.from(p.payload.buffer, p.payload.byteOffset, p.payload.byteLength));
  }
  return encodeCbor(items);
}

export function decodeMultipartCore(bytes: Uint8Array): MultipartPart[] {
  if (bytes.length === 0 || bytes[0] >> 5 !== 4) throw new EstPayloadError('multipart-core: not a CBOR array');
  let items: unknown;
  try {
    items = decodeCborRaw(bytes);
  } catch (cause) {
    throw new EstPayloadError(`multipart-core: malformed CBOR (${(cause as Error).message})`, { cause });
  }
  if (!Array.isArray(items)) throw new EstPayloadError('multipart-core: not a CBOR array');
  if (items.length % 2 !== 0) throw new EstPayloadError('multipart-core: odd number of items (format/representation pairs)');
  const parts: MultipartPart[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const cf = items[i];
    const payload = items[i + 1];
    if (typeof cf !== 'number' || !Number.isInteger(cf) || cf < 0 || cf > 0xffff) {
      throw new EstPayloadError(`multipart-core: part ${i / 2} has no valid content format`);
    }
    if (!(payload instanceof Uint8Array)) throw new EstPayloadError(`multipart-core: part ${i / 2} is not a byte string`);
    parts.push({ contentFormat: cf, payload: Uint8Array.from(payload) });
  }
  return parts;
}
