/**
 * Which content format a downlink request uses: the one asked for, checked against what the
 * client can take (its LwM2M version and the ct= of its root link), else the default —
 * LwM2M 1.0 → TLV; 1.1+ → SenML-CBOR when the client announced it, else TLV. Composite
 * operations (1.1+) default to SenML-CBOR, or SenML-JSON when only that was announced.
 */
import { codecFor } from '../../objects/codecs/index';
import type { NodeCodec } from '../../objects/codec';
import { ContentFormat } from '../../objects/content-format';
import { InvalidRequestError } from '../errors/invalid-request-error';

/** What the server knows of a client's formats. */
export interface ClientFormats {
  readonly lwM2mVersion: string;
  readonly supportedContentFormats?: readonly number[];
}

/** Formats every client reads whatever it announces (LwM2M 1.1 Core §7.4). */
const ALWAYS = new Set<number>([ContentFormat.TEXT, ContentFormat.OPAQUE, ContentFormat.LINK]);
/** The formats each version defines for nodes. */
const BY_VERSION: Readonly<Record<string, readonly number[]>> = {
  '1.0': [ContentFormat.TLV, ContentFormat.JSON],
  '1.1': [ContentFormat.TLV, ContentFormat.JSON, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.CBOR],
  '1.2': [ContentFormat.TLV, ContentFormat.JSON, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.CBOR, ContentFormat.LWM2M_CBOR],
};

/** The codec of a format, InvalidRequestError when none exists. */
export function requireCodec(format: number): NodeCodec {
  let codec: NodeCodec | undefined;
  try {
    codec = codecFor(format);
  } catch {
    codec = undefined;
  }
  if (!codec) throw new InvalidRequestError(`Content format ${format} is not supported by this server`);
  return codec;
}

/** Throws InvalidRequestError unless the client can take `format`. */
export function checkClientFormat(client: ClientFormats, format: number): void {
  if (ALWAYS.has(format)) return;
  const announced = client.supportedContentFormats;
  if (announced && announced.length > 0) {
    if (!announced.includes(format) && !(client.lwM2mVersion === '1.0' && format === ContentFormat.TLV)) {
      throw new InvalidRequestError(`Client does not support content format ${format} (announced: ${announced.join(', ')})`);
    }
    return;
  }
  if (!(BY_VERSION[client.lwM2mVersion] ?? BY_VERSION['1.0']).includes(format)) {
    throw new InvalidRequestError(`Content format ${format} is not defined for LwM2M ${client.lwM2mVersion}`);
  }
}

/** The format of a single-path request (Read, Write, Create, Observe, notifications). */
export function nodeFormat(client: ClientFormats, asked?: number): number {
  const format = asked ?? defaultNodeFormat(client);
  checkClientFormat(client, format);
  return format;
}

export function defaultNodeFormat(client: ClientFormats): number {
  if (client.lwM2mVersion === '1.0') return ContentFormat.TLV;
  return client.supportedContentFormats?.includes(ContentFormat.SENML_CBOR) ? ContentFormat.SENML_CBOR : ContentFormat.TLV;
}

/** The format of a composite request or response (Read/Write/Observe-Composite, 1.1+). */
export function compositeFormat(client: ClientFormats, asked?: number): number {
  if (client.lwM2mVersion === '1.0') throw new InvalidRequestError('Composite operations need LwM2M 1.1 or later');
  const announced = client.supportedContentFormats;
  const format = asked ?? (announced && !announced.includes(ContentFormat.SENML_CBOR) && announced.includes(ContentFormat.SENML_JSON)
    ? ContentFormat.SENML_JSON : ContentFormat.SENML_CBOR);
  checkClientFormat(client, format);
  return format;
}
