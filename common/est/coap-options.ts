/**
 * Reading CoAP uint options (Content-Format, Accept) from node-coap's parsed options as numbers.
 * node-coap converts the values of options it knows in place: a Content-Format it has registered
 * becomes its media-type string ("application/pkcs10"), others stay numbers or raw bytes.
 */

/** Media types node-coap reports for the formats EST-coaps (and its errors) use. */
const MEDIA_TYPES: Readonly<Record<string, number>> = {
  'text/plain': 0,
  'application/link-format': 40,
  'application/octet-stream': 42,
  'application/json': 50,
  'application/cbor': 60,
  'application/multipart-core': 62,
  'application/pkcs7-mime; smime-type=server-generated-key': 280,
  'application/pkcs7-mime; smime-type=certs-only': 281,
  'application/pkcs8': 284,
  'application/csrattrs': 285,
  'application/pkcs10': 286,
  'application/pkix-cert': 287,
};

type ParsedOptions = ReadonlyArray<{ name: string | number; value: unknown }> | undefined;

/** The value of the first option called `name` as a number; undefined when absent, -1 when unreadable / unknown. */
export function uintOption(options: ParsedOptions, name: string): number | undefined {
  const option = (options ?? []).find((o) => String(o.name) === name);
  if (option === undefined) return undefined;
  const v = option.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return MEDIA_TYPES[v] ?? -1;
  if (Buffer.isBuffer(v) && v.length <= 4) {
    let n = 0;
    for (const b of v) n = n * 256 + b;
    return n;
  }
  return -1;
}

/** The raw bytes of the first option with this name / number, undefined when absent. */
export function bytesOption(options: ParsedOptions, name: string): Buffer | undefined {
  const option = (options ?? []).find((o) => String(o.name) === name);
  return option !== undefined && Buffer.isBuffer(option.value) ? option.value : undefined;
}

/**
 * Option number of the development identity (allowInsecure only): the client's certificate as
 * DER, in plain CoAP. 65001 is in the experimental range (RFC 7252 §12.2) and critical (odd),
 * so a server that does not know it refuses the request rather than ignoring the claim.
 */
export const DEV_IDENTITY_OPTION = 65001;

/** node-coap's parsed options of an IncomingMessage (set at runtime, missing from its typings). */
export function parsedOptions(message: object): ParsedOptions {
  return (message as { options?: ParsedOptions }).options;
}
