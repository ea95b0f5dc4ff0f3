/**
 * The one DER check the ASN.1 parsers leave to us: that the input is exactly one TLV (they
 * keep trailing bytes in `rawData` without complaint).
 */

/** Length of the outer TLV at the start of `der` (header + content), or -1 when truncated. */
export function outerTlvLength(der: Uint8Array): number {
  if (der.length < 2) return -1;
  const first = der[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return 2 + n + len;
}

/** True when `der` is exactly one complete TLV. */
export function isSingleTlv(der: Uint8Array): boolean {
  return outerTlvLength(der) === der.length;
}
