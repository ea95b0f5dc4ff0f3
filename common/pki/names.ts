/**
 * Distinguished names as strings in the RFC 4514 style ("CN=dev-1, serialNumber=dev-1"), with
 * the X.520 serialNumber attribute (2.5.4.5) known by name, and certificate serial numbers as
 * normalised lowercase hex.
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors';
import { EXTRA_NAMES, x509 } from './x509';

/** Parse a subject string; an empty name, an unknown attribute type or an empty value is refused. */
export function parseSubject(subject: string): x509.Name {
  let name: x509.Name;
  try {
    name = new x509.Name(subject, EXTRA_NAMES);
  } catch (e) {
    throw new InvalidInputError(`invalid subject "${subject}": ${(e as Error).message}`, { cause: e });
  }
  const rdns = name.toJSON();
  if (rdns.length === 0) throw new InvalidInputError(`invalid subject "${subject}": no attributes`);
  for (const rdn of rdns) {
    for (const [type, values] of Object.entries(rdn)) {
      if (values.some((v) => typeof v !== 'string' || v.length === 0)) {
        throw new InvalidInputError(`invalid subject "${subject}": empty ${type}`);
      }
    }
  }
  return name;
}

/** The name of a device: CN and serialNumber both the device id (built without string escaping). */
export function deviceName(deviceId: string): x509.Name {
  // ub-serial-number is 64 (RFC 5280 Appendix A); control characters have no place in a name.
  if (deviceId.length === 0 || deviceId.length > 64 || /[\u0000-\u001f\u007f]/.test(deviceId)) {
    throw new InvalidInputError('a device id must be 1 to 64 printable characters');
  }
  return new x509.Name([{ CN: [deviceId] }, { serialNumber: [deviceId] }], EXTRA_NAMES);
}

/** A Name as a string, with serialNumber by name. */
export function nameString(name: x509.Name): string {
  return new x509.Name(name.toArrayBuffer(), EXTRA_NAMES).toString();
}

/** First value of an attribute in a name (by OID or short name), if present. */
export function nameField(name: x509.Name, type: string): string | undefined {
  return new x509.Name(name.toArrayBuffer(), EXTRA_NAMES).getField(type)[0];
}

/** Same DN? Compared on DER after a round trip, which is what issuer/subject chaining needs. */
export function sameName(a: x509.Name, b: x509.Name): boolean {
  return Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer()));
}

/** A random positive 16-byte serial (first octet 0x01..0x7f: no sign or padding byte). */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) || 0x01;
  return b.toString('hex');
}

/**
 * A serial number as lowercase hex without separators or leading zero octets
 * ("00:AB:01" → "ab01"); not hex is an InvalidInputError.
 */
export function normalizeSerial(serial: string): string {
  let hex = serial.trim().replace(/[:\s]/g, '').toLowerCase();
  if (hex.startsWith('0x')) hex = hex.slice(2);
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 80) throw new InvalidInputError(`not a hex serial number: "${serial}"`);
  if (hex.length % 2) hex = '0' + hex;
  while (hex.length > 2 && hex.startsWith('00')) hex = hex.slice(2);
  return hex;
}
