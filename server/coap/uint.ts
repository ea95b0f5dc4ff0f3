/** CoAP uint option values (RFC 7252 §3.2): minimal big-endian bytes, 0 as the empty string. */
export function uintBytes(n: number): Buffer {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from(out);
}

export function uintValue(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** A raw option of a node-coap parsed packet (`_packet.options`), by name. */
export function rawOptions(options: ReadonlyArray<{ name: string | number; value: unknown }> | undefined, name: string): Buffer[] {
  return (options ?? []).filter((o) => o.name === name && Buffer.isBuffer(o.value)).map((o) => o.value as Buffer);
}

/**
 * node-coap replaces Content-Format / Accept values by media-type strings for the formats it
 * knows (and numbers for the others): back to the content-format number; -1 for an unknown
 * media type; undefined when absent.
 */
const MEDIA_TYPES: Readonly<Record<string, number>> = {
  'text/plain': 0, 'application/link-format': 40, 'application/xml': 41, 'application/octet-stream': 42,
  'application/exi': 47, 'application/json': 50, 'application/cbor': 60, 'application/cwt': 61,
  'application/senml+json': 110, 'application/sensml+json': 111, 'application/senml+cbor': 112, 'application/sensml+cbor': 113,
  'application/vnd.oma.lwm2m+tlv': 11542, 'application/vnd.oma.lwm2m+json': 11543, 'application/vnd.oma.lwm2m+cbor': 11544,
};

export function formatOption(options: ReadonlyArray<{ name: string | number; value: unknown }> | undefined, name: 'Content-Format' | 'Accept'): number | undefined {
  const o = (options ?? []).find((x) => x.name === name);
  if (!o) return undefined;
  const v = o.value;
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v)) return uintValue(v);
  if (typeof v === 'string') return MEDIA_TYPES[v.split(';')[0].trim()] ?? MEDIA_TYPES[v] ?? -1;
  return -1;
}
