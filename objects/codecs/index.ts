/**
 * The codec registry: content format number or Leshan format name → NodeCodec. Callers pick a
 * codec here, never from an if-chain; an unknown format is UnsupportedFormatError (→ 4.15).
 * CoRE link format (40) is not a node codec: see link-format.ts. Leshan's name CBOR is LwM2M-CBOR
 * (11544); plain CBOR (60) has no Leshan name and is reached by number only.
 */
import type { NodeCodec } from '../codec';
import { FORMAT_BY_NAME } from '../content-format';
import { UnsupportedFormatError } from '../errors';
import { cborCodec } from './cbor';
import { lwm2mCborCodec } from './lwm2m-cbor';
import { omaJsonCodec } from './oma-json';
import { opaqueCodec } from './opaque';
import { senmlCborCodec } from './senml-cbor';
import { senmlJsonCodec } from './senml-json';
import { textCodec } from './text';
import { tlvCodec } from './tlv';

const CODECS: ReadonlyMap<number, NodeCodec> = new Map(
  [textCodec, opaqueCodec, cborCodec, tlvCodec, senmlJsonCodec, senmlCborCodec, omaJsonCodec, lwm2mCborCodec].map((c) => [c.format, c]),
);

/** The codec for a CoAP content format; UnsupportedFormatError when there is none. */
export function codecFor(format: number): NodeCodec {
  const codec = CODECS.get(format);
  if (!codec) throw new UnsupportedFormatError(format);
  return codec;
}

/** The codec for a Leshan REST format name (TLV, JSON, SENML_JSON, SENML_CBOR, TEXT, OPAQUE, CBOR). */
export function codecByName(name: string): NodeCodec {
  const format = Object.hasOwn(FORMAT_BY_NAME, name.toUpperCase()) ? FORMAT_BY_NAME[name.toUpperCase()] : undefined;
  if (format === undefined) throw new UnsupportedFormatError(-1, `format name "${name}":`);
  return codecFor(format);
}

/** Content formats that have a node codec, ascending. */
export function supportedFormats(): number[] {
  return [...CODECS.keys()].sort((a, b) => a - b);
}
