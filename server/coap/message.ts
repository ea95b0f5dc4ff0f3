/**
 * The RFC 7252 §3 message format, as much as the transport needs to route, deduplicate, log and
 * reject datagrams before node-coap sees them: header, token, options (delta/length extensions),
 * payload. Pure; malformed input is a CoapFormatError carrying whatever header could be read,
 * so that the caller can still answer it (RST, or 4.00 to a request).
 */
import { HandoverError } from '../../common/errors';

export type MessageType = 'CON' | 'NON' | 'ACK' | 'RST';
const TYPES: readonly MessageType[] = ['CON', 'NON', 'ACK', 'RST'];

export interface CoapHeader {
  readonly type: MessageType;
  /** Code as "c.dd" (0.01 GET … 2.05 Content). */
  readonly code: string;
  readonly codeClass: number;
  readonly messageId: number;
  readonly token: Buffer;
}

export interface CoapOption {
  readonly number: number;
  readonly value: Buffer;
}

export interface CoapMessage extends CoapHeader {
  readonly options: readonly CoapOption[];
  readonly payload: Buffer;
}

/** A datagram that is not a well-formed CoAP message. `header` is set when the first bytes were. */
export class CoapFormatError extends HandoverError {
  constructor(message: string, readonly header?: CoapHeader) {
    super('ERR_PAYLOAD', `Malformed CoAP message: ${message}`);
  }
}

export const OptionNumber = {
  IF_MATCH: 1, URI_HOST: 3, ETAG: 4, IF_NONE_MATCH: 5, OBSERVE: 6, URI_PORT: 7, LOCATION_PATH: 8,
  URI_PATH: 11, CONTENT_FORMAT: 12, MAX_AGE: 14, URI_QUERY: 15, ACCEPT: 17, LOCATION_QUERY: 20,
  BLOCK2: 23, BLOCK1: 27, SIZE2: 28, PROXY_URI: 35, PROXY_SCHEME: 39, SIZE1: 60, NO_RESPONSE: 258,
} as const;

const OPTION_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(OptionNumber).map(([k, v]) => [v, k.split('_').map((w) => w[0] + w.slice(1).toLowerCase()).join('-')]),
);

export function codeString(byte: number): string {
  return `${byte >> 5}.${String(byte & 0x1f).padStart(2, '0')}`;
}

/** The fixed header and token; undefined when even those are unreadable. */
export function parseHeader(buf: Uint8Array): CoapHeader | undefined {
  if (buf.length < 4) return undefined;
  const version = buf[0] >> 6;
  const tkl = buf[0] & 0x0f;
  if (version !== 1 || tkl > 8 || buf.length < 4 + tkl) return undefined;
  return {
    type: TYPES[(buf[0] >> 4) & 0x03],
    code: codeString(buf[1]),
    codeClass: buf[1] >> 5,
    messageId: (buf[2] << 8) | buf[3],
    token: Buffer.from(buf.subarray(4, 4 + tkl)),
  };
}

/** Parse a whole message. Throws CoapFormatError. */
export function parseMessage(buf: Uint8Array): CoapMessage {
  const header = parseHeader(buf);
  if (!header) throw new CoapFormatError(buf.length < 4 ? 'shorter than the 4-byte header' : 'bad version or token length');
  if (header.code === '0.00' && (buf.length > 4 || header.token.length > 0)) {
    throw new CoapFormatError('empty message with token, options or payload', header);
  }
  const options: CoapOption[] = [];
  let i = 4 + header.token.length;
  let number = 0;
  const ext = (nibble: number): number => {
    if (nibble < 13) return nibble;
    if (nibble === 13) {
      if (i + 1 > buf.length) throw new CoapFormatError('truncated option', header);
      return buf[i++] + 13;
    }
    if (nibble === 14) {
      if (i + 2 > buf.length) throw new CoapFormatError('truncated option', header);
      const v = ((buf[i] << 8) | buf[i + 1]) + 269;
      i += 2;
      return v;
    }
    throw new CoapFormatError('reserved option nibble 15', header);
  };
  while (i < buf.length && buf[i] !== 0xff) {
    const byte = buf[i++];
    number += ext(byte >> 4);
    const length = ext(byte & 0x0f);
    if (i + length > buf.length) throw new CoapFormatError('option value past the end', header);
    options.push({ number, value: Buffer.from(buf.subarray(i, i + length)) });
    i += length;
  }
  let payload = Buffer.alloc(0);
  if (i < buf.length) {
    if (i + 1 === buf.length) throw new CoapFormatError('payload marker without payload', header);
    payload = Buffer.from(buf.subarray(i + 1));
  }
  return { ...header, options, payload };
}

/** An empty ACK or RST for a message id (RFC 7252 §4.2, §4.3). */
export function emptyMessage(type: 'ACK' | 'RST', messageId: number): Buffer {
  return Buffer.of(0x40 | (TYPES.indexOf(type) << 4), 0, messageId >> 8, messageId & 0xff);
}

/**
 * A response without options: piggybacked in an ACK to a CON, else NON. Used to answer requests
 * node-coap never sees (malformed ones). `code` is "4.00" etc.
 */
export function encodeBareResponse(request: CoapHeader, code: string, diagnostic: string, messageId: number): Buffer {
  const [c, d] = code.split('.').map(Number);
  const ack = request.type === 'CON';
  const head = Buffer.of(0x40 | ((ack ? 2 : 1) << 4) | request.token.length, (c << 5) | d,
    (ack ? request.messageId : messageId) >> 8, (ack ? request.messageId : messageId) & 0xff);
  const payload = Buffer.from(diagnostic, 'utf8');
  return Buffer.concat([head, request.token, ...(payload.length ? [Buffer.of(0xff), payload] : [])]);
}

/** An unsigned option value (Content-Format, Observe, Accept…). */
export function uintOption(options: readonly CoapOption[], number: number): number | undefined {
  const o = options.find((x) => x.number === number);
  if (!o) return undefined;
  let v = 0;
  for (const b of o.value) v = v * 256 + b;
  return v;
}

/** Options in the form Leshan's COAPLOG shows them: "Uri-Path: rd, Content-Format: 40". */
export function describeOptions(options: readonly CoapOption[]): string {
  return options.map((o) => {
    const name = OPTION_NAMES[o.number] ?? `Option-${o.number}`;
    const textual = o.number === OptionNumber.URI_PATH || o.number === OptionNumber.URI_QUERY || o.number === OptionNumber.LOCATION_PATH
      || o.number === OptionNumber.URI_HOST || o.number === OptionNumber.PROXY_URI;
    const value = textual ? o.value.toString('utf8') : o.value.length <= 4 ? String(uintValue(o.value)) : `0x${o.value.toString('hex')}`;
    return `${name}: ${value}`;
  }).join(', ');
}

function uintValue(b: Buffer): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}
