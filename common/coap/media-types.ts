/**
 * node-coap replaces the values of Content-Format and Accept by media-type strings for the
 * formats it has registered ("application/vnd.oma.lwm2m+tlv"), and leaves the others as numbers
 * (or raw bytes for options it does not parse). The LwM2M server, the simulated devices and the
 * EST-coaps endpoints all speak content-format numbers: this is the one way back.
 */
const MEDIA_TYPES: Readonly<Record<string, number>> = {
  'text/plain': 0,
  'application/link-format': 40,
  'application/xml': 41,
  'application/octet-stream': 42,
  'application/exi': 47,
  'application/json': 50,
  'application/cbor': 60,
  'application/cwt': 61,
  'application/multipart-core': 62,
  'application/senml+json': 110,
  'application/sensml+json': 111,
  'application/senml+cbor': 112,
  'application/sensml+cbor': 113,
  'application/pkcs7-mime; smime-type=server-generated-key': 280,
  'application/pkcs7-mime; smime-type=certs-only': 281,
  'application/pkcs8': 284,
  'application/csrattrs': 285,
  'application/pkcs10': 286,
  'application/pkix-cert': 287,
  'application/senml-etch+json': 320,
  'application/senml-etch+cbor': 322,
  'application/vnd.oma.lwm2m+tlv': 11542,
  'application/vnd.oma.lwm2m+json': 11543,
  'application/vnd.oma.lwm2m+cbor': 11544,
};

/**
 * The number of a parsed uint option value (Content-Format, Accept, Block1/2, ...): undefined
 * when absent, -1 when unreadable or a media type this table does not know.
 */
export function optionNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return MEDIA_TYPES[value] ?? MEDIA_TYPES[value.split(';')[0].trim()] ?? -1;
  if (Buffer.isBuffer(value) && value.length <= 4) {
    let n = 0;
    for (const b of value) n = n * 256 + b;
    return n;
  }
  return -1;
}
