/**
 * SP1's intake of a device that fell back (paper §VII-D: "the IoT device will use the fallback
 * URI to once more contact the SP1"). Pure: does this registration at SP1 show a device of a
 * running transfer back with its factory credentials? With DTLS, the registration's certificate
 * must be the device's factory certificate (SHA-256 fingerprint, or issuer + serial). Without a
 * certificate (NoSec development setups) only when allowed, and then the device's own Transfer
 * State must say fallback (10).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { AdapterRegistration } from '../adapter/dm-adapter';
import type { DeviceTransferState } from './old-provider-store';

export type FallbackVerdict =
  | { readonly fellBack: true }
  | { readonly fellBack: false; readonly reason: 'not-delivered' | 'transferred' | 'other-certificate' | 'no-certificate' | 'needs-state' };

function normalHex(s: string): string {
  return s.replace(/[:\s]/g, '').toLowerCase().replace(/^0+/, '');
}

/** Whether `cert` (as the DM server reports it) is the factory certificate `der`. */
export function isFactoryCertificate(cert: NonNullable<AdapterRegistration['certificate']>, der: Uint8Array): boolean {
  if (cert.fingerprint256) return normalHex(cert.fingerprint256) === normalHex(createHash('sha256').update(der).digest('hex'));
  const x = new X509Certificate(der);
  return normalHex(cert.serialNumber) === normalHex(x.serialNumber) && cert.issuer.replace(/\s*,\s*|\n/g, ',') === x.issuer.replace(/\n/g, ',');
}

/**
 * `transferState` is the device's Transfer/State when the caller read it (NoSec case only).
 */
export function fallbackVerdict(
  state: DeviceTransferState | undefined,
  factoryCertificate: Uint8Array,
  reg: Pick<AdapterRegistration, 'certificate'>,
  opts: { allowWithoutCertificate: boolean; transferState?: number },
): FallbackVerdict {
  if (state === 'transferred') return { fellBack: false, reason: 'transferred' };
  if (state !== 'delivered' && state !== 'delivering' && state !== 'fellBack') return { fellBack: false, reason: 'not-delivered' };
  if (reg.certificate) return isFactoryCertificate(reg.certificate, factoryCertificate) ? { fellBack: true } : { fellBack: false, reason: 'other-certificate' };
  if (!opts.allowWithoutCertificate) return { fellBack: false, reason: 'no-certificate' };
  return opts.transferState === 10 ? { fellBack: true } : { fellBack: false, reason: 'needs-state' };
}
