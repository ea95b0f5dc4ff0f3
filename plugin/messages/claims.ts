/**
 * Private CWT claim keys of the trust-transfer messages, in the private-use range of the CWT
 * claims registry (keys below -65536, RFC 8392 §9.1), and the checks shared by the messages.
 * Keys are never reused or renumbered; docs/messages.cddl is the normative description.
 */
import { MessageInvalidError } from './errors';

export const TransferClaim = {
  /** Remote attestation server URI, or null when no attestation is asked. */
  raUri: -65537,
  /** [update server URI, update-first flag]. */
  updateUri: -65538,
  /** CA2 EST-coaps enrollment URI. */
  enrollUri: -65539,
  /** Where the device goes when a step fails permanently (SP1 in device tokens). */
  fallbackUri: -65540,
  /** SP2's LwM2M bootstrap server URI: where the device joins SP2. */
  bootstrapUri: -65541,
  /** Monotonic per-device transfer counter (uint). */
  transferCounter: -65542,
  /** COSE_CertHash [hash alg, thumbprint] of the device's factory certificate. */
  factoryCertificate: -65543,
  /** SHA-256 of SP2's signed TransferMessage that a device token was derived from. */
  transferMessageHash: -65544,
  /** SHA-256 of the UpdateInfoList CBOR (the fleet this TransferMessage answers). */
  updateInfoHash: -65545,
  /** Message kind: 1 TransferMessage, 2 device transfer token. */
  kind: -65546,
} as const;

export type TransferClaimName = keyof typeof TransferClaim;

/** Values of the `kind` claim. */
export const MessageKind = { transferMessage: 1, transferToken: 2 } as const;

/** Claim names for display (CLI `cwt show`). */
export const TRANSFER_CLAIM_NAMES: ReadonlyMap<number, string> = new Map(
  (Object.entries(TransferClaim) as [string, number][]).map(([name, key]) => [key, name]),
);

const URI_SCHEMES = ['coap:', 'coaps:', 'coap+tcp:', 'coaps+tcp:', 'http:', 'https:'];

/** Check that `value` is an absolute URI of a scheme a device can use. */
export function checkUri(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new MessageInvalidError(`${what} must be a URI string`);
  let url: URL;
  try { url = new URL(value); } catch { throw new MessageInvalidError(`${what} is not a valid URI: "${value}"`); }
  if (!URI_SCHEMES.includes(url.protocol)) throw new MessageInvalidError(`${what} has an unsupported scheme ${url.protocol}`);
  return value;
}

/** Check a NumericDate window: integers, not-before strictly before not-after. */
export function checkWindow(notBefore: unknown, notAfter: unknown, what: string): { notBefore: number; notAfter: number } {
  if (!Number.isSafeInteger(notBefore) || !Number.isSafeInteger(notAfter) || (notBefore as number) < 0) {
    throw new MessageInvalidError(`${what} bounds must be non-negative integer NumericDates`);
  }
  if ((notBefore as number) >= (notAfter as number)) throw new MessageInvalidError(`${what} is empty: not-before must precede not-after`);
  return { notBefore: notBefore as number, notAfter: notAfter as number };
}
