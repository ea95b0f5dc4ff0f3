/**
 * The CoAP Content-Formats of EST-coaps (RFC 9148 §9.1, IANA "CoAP Content-Formats") and of
 * multipart-core (RFC 8710). The numbers are the registered ones (node-coap registers the same).
 */

export const EstContentFormat = {
  /** application/pkcs7-mime; smime-type=server-generated-key (CMS-protected key, not produced here). */
  serverGeneratedKey: 280,
  /** application/pkcs7-mime; smime-type=certs-only: CMS SignedData with certificates only. */
  pkcs7CertsOnly: 281,
  /** application/pkcs8: an unencrypted PKCS#8 PrivateKeyInfo. */
  pkcs8: 284,
  /** application/csrattrs (RFC 7030 §4.5.2). */
  csrAttrs: 285,
  /** application/pkcs10: a PKCS#10 CertificationRequest. */
  pkcs10: 286,
  /** application/pkix-cert: one DER X.509 certificate. */
  pkixCert: 287,
  /** application/multipart-core (RFC 8710). */
  multipartCore: 62,
} as const;

export type EstContentFormatNumber = (typeof EstContentFormat)[keyof typeof EstContentFormat];

const NAMES: ReadonlyMap<number, string> = new Map([
  [280, 'application/pkcs7-mime; smime-type=server-generated-key'],
  [281, 'application/pkcs7-mime; smime-type=certs-only'],
  [284, 'application/pkcs8'],
  [285, 'application/csrattrs'],
  [286, 'application/pkcs10'],
  [287, 'application/pkix-cert'],
  [62, 'application/multipart-core'],
]);

/** The media type of an EST-coaps Content-Format, or undefined for any other number. */
export function estMediaType(contentFormat: number): string | undefined {
  return NAMES.get(contentFormat);
}
