/**
 * When SP2 counts a device as arrived (DESIGN.md step 6: "done when SP2 sees the device
 * registered with its CA2 certificate"). Pure: the registration came over DTLS with a
 * certificate issued by CA2. Distinguished names are compared after normalising separators
 * (node:crypto writes them one attribute per line, RFC 4514 with commas).
 */
import type { AdapterRegistration } from '../adapter/dm-adapter';

/** "CN=CA2\nO=SP2" and "CN=CA2, O=SP2" → "CN=CA2,O=SP2". */
export function normalDn(dn: string): string {
  return dn.split(/\n|,(?=\s*[A-Za-z0-9.]+=)/).map((p) => p.trim()).filter(Boolean).join(',');
}

/** A matcher for CA2's subject: one DN, several, or a predicate. */
export type IssuerMatcher = string | readonly string[] | ((issuer: string) => boolean);

export function issuerMatches(m: IssuerMatcher, issuer: string): boolean {
  if (typeof m === 'function') return m(issuer);
  const list = typeof m === 'string' ? [m] : m;
  return list.some((dn) => normalDn(dn) === normalDn(issuer));
}

/** The CA2 certificate serial of an arrival, or undefined when `reg` is not one. */
export function arrivalCertificate(reg: Pick<AdapterRegistration, 'secure' | 'certificate'>, ca2: IssuerMatcher): string | undefined {
  if (!reg.secure || !reg.certificate) return undefined;
  return issuerMatches(ca2, reg.certificate.issuer) ? reg.certificate.serialNumber.replace(/:/g, '').toLowerCase() : undefined;
}
