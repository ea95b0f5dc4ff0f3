/**
 * Reading node-coap's parsed options back into numbers. node-coap turns Content-Format and
 * Accept into media-type strings ("application/vnd.oma.lwm2m+tlv") for the formats it knows and
 * leaves unknown ones as numbers; the LwM2M layer speaks content-format numbers only.
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
 * The content-format number of a parsed Content-Format / Accept header, undefined when absent,
 * -1 for a media type this table does not know (treated as unsupported).
 */
export function formatNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return MEDIA_TYPES[value] ?? -1;
  return -1;
}

/** The raw string values of every option called `name` in a parsed packet's options. */
export function optionStrings(options: ReadonlyArray<{ name: string | number; value: unknown }> | undefined, name: string): string[] {
  return (options ?? [])
    .filter((o) => o.name === name)
    .map((o) => (Buffer.isBuffer(o.value) ? o.value.toString('utf8') : String(o.value)));
}

/** Split a request URL "/3/0?pmin=1&pmax" into its path and query pairs (null value = no "="). */
export function splitUrl(url: string): { path: string; query: Array<[string, string | null]> } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query: Array<[string, string | null]> = [];
  if (q >= 0) {
    for (const part of url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      query.push(eq < 0 ? [part, null] : [part.slice(0, eq), part.slice(eq + 1)]);
    }
  }
  return { path, query };
}
