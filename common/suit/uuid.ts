/**
 * RFC 9562 UUIDs as SUIT uses them (manifest §8.4.8.2): 16 raw bytes in the manifest, the
 * hyphenated text form in descriptions, and name-based version 5 UUIDs for the recommended
 * Vendor ID = UUID5(DNS namespace, vendor domain) and Class ID = UUID5(Vendor ID, model info).
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';

/** The IANA UUID namespace for DNS names. */
export const UUID_NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** 16 bytes from "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (or 32 hex digits). */
export function parseUuid(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || (text.includes('-') && !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text))) {
    throw new InvalidInputError(`"${text}" is not a UUID`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The hyphenated lower-case form of 16 bytes. */
export function formatUuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  if (h.length !== 32) return h;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Name-based UUID version 5 (SHA-1) of `name` (UTF-8) in `namespace`. */
export function uuid5(namespace: Uint8Array | string, name: string): Uint8Array {
  const ns = typeof namespace === 'string' ? parseUuid(namespace) : namespace;
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const out = new Uint8Array(h.subarray(0, 16));
  out[6] = (out[6] & 0x0f) | 0x50;
  out[8] = (out[8] & 0x3f) | 0x80;
  return out;
}
