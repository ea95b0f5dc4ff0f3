/**
 * Reading node-coap's parsed options back into numbers. node-coap turns Content-Format and
 * Accept into media-type strings ("application/vnd.oma.lwm2m+tlv") for the formats it knows and
 * leaves unknown ones as numbers; the LwM2M layer speaks content-format numbers only.
 */
import { optionNumber } from '../common/coap/media-types';

/**
 * The content-format number of a parsed Content-Format / Accept header, undefined when absent,
 * -1 for a media type this table does not know (treated as unsupported).
 */
export function formatNumber(value: unknown): number | undefined {
  return optionNumber(value);
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
