/**
 * COSE and CWT files as tools receive them: raw CBOR bytes, or the same bytes as hex text
 * (whitespace and an optional 0x prefix allowed). Raw COSE never looks like hex text, because
 * its first byte (a tag or an array head) is not an ASCII hex digit.
 */
import { CoseInvalidError } from './errors';

/** The message bytes of a file that holds raw CBOR or hex text. */
export function cborFromFile(content: Uint8Array): Uint8Array {
  const text = Buffer.from(content).toString('latin1').trim();
  const compact = text.replace(/^0x/i, '').replace(/\s+/g, '');
  if (compact.length > 0 && /^[0-9a-fA-F]+$/.test(compact)) {
    if (compact.length % 2 !== 0) throw new CoseInvalidError('the hex text has an odd number of digits');
    return new Uint8Array(Buffer.from(compact, 'hex'));
  }
  if (content.length === 0) throw new CoseInvalidError('the file is empty');
  return content;
}

/** Parse a hex option value (e.g. --aad, --kid). */
export function hexOption(value: string, what: string): Uint8Array {
  const compact = value.replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(compact)) throw new CoseInvalidError(`${what} must be hex, got "${value}"`);
  return new Uint8Array(Buffer.from(compact, 'hex'));
}
