/**
 * The content-format registry: codecs are picked by number or by Leshan's name, never by an
 * if-chain. Link format (40) is not a node codec: see link-format.ts.
 */
import type { NodeCodec } from '../codec';
import { UnsupportedFormatError } from '../errors';
import { lwm2mCborCodec } from './lwm2m-cbor';
import { opaqueCodec } from './opaque';
import { senmlCborCodec } from './senml-cbor';
import { senmlJsonCodec } from './senml-json';
import { textCodec } from './text';
import { tlvCodec } from './tlv';

const CODECS: readonly NodeCodec[] = [textCodec, opaqueCodec, tlvCodec, senmlJsonCodec, senmlCborCodec, lwm2mCborCodec];
const BY_FORMAT = new Map(CODECS.map((c) => [c.format, c]));
const BY_NAME = new Map(CODECS.map((c) => [c.name, c]));

/** The codec for a content format; UnsupportedFormatError (→ 4.15) when there is none. */
export function codecFor(format: number): NodeCodec {
  const c = BY_FORMAT.get(format);
  if (!c) throw new UnsupportedFormatError(format);
  return c;
}

/** The codec for a Leshan REST format name (TLV, SENML_JSON, SENML_CBOR, TEXT, OPAQUE, CBOR). */
export function codecByName(name: string): NodeCodec | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** Content formats with a node codec. */
export function supportedFormats(): number[] {
  return CODECS.map((c) => c.format);
}

export { parseLinks, formatLinks } from './link-format';
