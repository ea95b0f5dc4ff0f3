/** CoAP content-format numbers used by LwM2M (LwM2M 1.1 Transport §6.4 / IANA CoAP registry). */
export const ContentFormat = {
  TEXT: 0,
  LINK: 40,
  OPAQUE: 42,
  CBOR: 60,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  TLV: 11542,
  JSON: 11543,
  LWM2M_CBOR: 11544,
} as const;

export type ContentFormatCode = (typeof ContentFormat)[keyof typeof ContentFormat];

/** Leshan REST `format` names → content format. `CBOR` is LwM2M-CBOR (11544) for nodes. */
export const FORMAT_BY_NAME: Readonly<Record<string, number>> = {
  TEXT: ContentFormat.TEXT,
  LINK: ContentFormat.LINK,
  OPAQUE: ContentFormat.OPAQUE,
  SENML_JSON: ContentFormat.SENML_JSON,
  SENML_CBOR: ContentFormat.SENML_CBOR,
  TLV: ContentFormat.TLV,
  JSON: ContentFormat.JSON,
  CBOR: ContentFormat.LWM2M_CBOR,
};
