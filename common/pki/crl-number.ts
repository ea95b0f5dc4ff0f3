/**
 * The cRLNumber extension (RFC 5280 §5.2.3, OID 2.5.29.20): a non-critical, monotonically
 * increasing INTEGER, which @peculiar/x509 has no class for.
 */
import { x509 } from './x509';

export const OID_CRL_NUMBER = '2.5.29.20';

/** DER INTEGER of a non-negative safe integer. */
function derInteger(n: number): Buffer {
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let body = Buffer.from(hex, 'hex');
  if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

export function crlNumberExtension(n: number): x509.Extension {
  return new x509.Extension(OID_CRL_NUMBER, false, derInteger(n));
}
