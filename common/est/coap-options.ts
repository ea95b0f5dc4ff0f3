/**
 * Reading CoAP uint options (Content-Format, Accept) from node-coap's parsed options as numbers.
 * node-coap converts the values of options it knows in place: a Content-Format it has registered
 * becomes its media-type string ("application/pkcs10"), others stay numbers or raw bytes.
 */
import { optionNumber } from '../coap/media-types';

type ParsedOptions = ReadonlyArray<{ name: string | number; value: unknown }> | undefined;

/** The value of the first option called `name` as a number; undefined when absent, -1 when unreadable / unknown. */
export function uintOption(options: ParsedOptions, name: string): number | undefined {
  const option = (options ?? []).find((o) => String(o.name) === name);
  if (option === undefined) return undefined;
  return optionNumber(option.value) ?? -1;
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
