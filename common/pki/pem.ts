/**
 * PEM armour (RFC 7468) for certificates, CRLs and requests: DER to PEM and every block of a
 * PEM text back to DER. Base64 is checked strictly; a broken block is a CertificateInvalidError.
 */
import { CertificateInvalidError } from './errors';

/** The PEM text of `der` under `label` (64-column base64 lines). */
export function pemBlock(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A certificate as PEM. */
export function certificatePem(der: Uint8Array): string {
  return pemBlock('CERTIFICATE', der);
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The DER of every PEM block in `pem`, in order; with `label` only blocks of that label
 * (e.g. "CERTIFICATE"). No block at all gives an empty array.
 */
export function pemToDer(pem: string, label?: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(BLOCK)) {
    if (label !== undefined && m[1] !== label) continue;
    const body = m[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0 || body.length === 0) {
      throw new CertificateInvalidError(`PEM block "${m[1]}" is not valid base64`);
    }
    out.push(Buffer.from(body, 'base64'));
  }
  return out;
}

/** True when the bytes look like PEM text rather than DER. */
export function isPem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN ');
}
