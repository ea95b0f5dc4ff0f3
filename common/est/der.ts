/**
 * The few DER facts EST payload parsing needs before handing bytes to an ASN.1 schema: the
 * outer element's tag and extent, so that truncated input and trailing garbage are refused with
 * a clear reason instead of whatever the schema parser makes of them.
 */
import { EstPayloadError } from './errors';

export interface DerHeader {
  /** The identifier octet (0x30 = SEQUENCE). */
  readonly tag: number;
  /** Bytes of identifier + length octets. */
  readonly headerLength: number;
  /** Bytes of content. */
  readonly length: number;
}

/** Reads the header of the element at `offset`; throws when it is cut short or not DER. */
export function readDerHeader(bytes: Uint8Array, offset = 0, what = 'DER'): DerHeader {
  if (bytes.length - offset < 2) throw new EstPayloadError(`${what}: truncated (no element header)`);
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new EstPayloadError(`${what}: multi-byte tags are not used by EST structures`);
  const first = bytes[offset + 1];
  let length: number;
  let headerLength = 2;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new EstPayloadError(`${what}: indefinite length is not DER`);
    if (n > 4) throw new EstPayloadError(`${what}: length of ${n} octets is too large`);
    if (bytes.length - offset < 2 + n) throw new EstPayloadError(`${what}: truncated (length octets)`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i];
    if (length < 0x80 || bytes[offset + 2] === 0) throw new EstPayloadError(`${what}: length not minimally encoded`);
    headerLength += n;
  }
  if (offset + headerLength + length > bytes.length) {
    throw new EstPayloadError(`${what}: truncated (element needs ${headerLength + length} bytes, ${bytes.length - offset} present)`);
  }
  return { tag, headerLength, length };
}

/** Checks that `bytes` is exactly one SEQUENCE, neither truncated nor followed by other bytes. */
export function assertSingleSequence(bytes: Uint8Array, what: string): void {
  const h = readDerHeader(bytes, 0, what);
  if (h.tag !== 0x30) throw new EstPayloadError(`${what}: expected a DER SEQUENCE, found tag 0x${h.tag.toString(16)}`);
  const end = h.headerLength + h.length;
  if (end !== bytes.length) throw new EstPayloadError(`${what}: ${bytes.length - end} bytes after the DER element`);
}

/** A view of `bytes` as an ArrayBuffer holding exactly those bytes (asn1-schema wants one). */
export function exactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** Encodes one DER element (definite length) around the given contents. */
export function derElement(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((n, c) => n + c.length, 0);
  let lengthOctets: number[];
  if (length < 0x80) lengthOctets = [length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    lengthOctets = [0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(1 + lengthOctets.length + length);
  out[0] = tag;
  out.set(lengthOctets, 1);
  let at = 1 + lengthOctets.length;
  for (const c of contents) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The elements inside a constructed element's content, as exact byte slices (tag + length + content). */
export function derChildren(bytes: Uint8Array, what: string): { tag: number; der: Uint8Array; content: Uint8Array }[] {
  const outer = readDerHeader(bytes, 0, what);
  const end = outer.headerLength + outer.length;
  const out: { tag: number; der: Uint8Array; content: Uint8Array }[] = [];
  for (let at = outer.headerLength; at < end;) {
    const h = readDerHeader(bytes.subarray(0, end), at, what);
    out.push({
      tag: h.tag,
      der: bytes.subarray(at, at + h.headerLength + h.length),
      content: bytes.subarray(at + h.headerLength, at + h.headerLength + h.length),
    });
    at += h.headerLength + h.length;
  }
  return out;
}
