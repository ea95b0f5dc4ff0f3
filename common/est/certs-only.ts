/**
 * application/pkcs7-mime; smime-type=certs-only (Content-Format 281, RFC 7030 §4.1.3, RFC 5751
 * §3.8): a CMS ContentInfo holding a degenerate SignedData — no signers, no content, only the
 * certificates. EST uses it for /crts and the /sen, /sren, /skg answers.
 *
 * The structure is checked with the @peculiar/asn1-cms schema; the certificates are then cut
 * out of the input as the exact bytes received (never re-serialized, so signatures stay intact).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData, id_signedData } from '@peculiar/asn1-cms';
import { Certificate } from '@peculiar/asn1-x509';
import { assertSingleSequence, derChildren, derElement, exactArrayBuffer } from './der';
import { EstPayloadError } from './errors';

/** DER of OBJECT IDENTIFIER 1.2.840.113549.1.7.2 (signedData) and 1.2.840.113549.1.7.1 (data). */
const OID_SIGNED_DATA = Uint8Array.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
const OID_DATA = Uint8Array.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);

/** Checks that `der` is one X.509 Certificate. */
export function assertCertificate(der: Uint8Array, what = 'certificate'): void {
  assertSingleSequence(der, what);
  try {
    AsnConvert.parse(exactArrayBuffer(der), Certificate);
  } catch (cause) {
    throw new EstPayloadError(`${what}: not an X.509 certificate (${(cause as Error).message})`, { cause });
  }
}

/** Builds a certs-only PKCS#7 from DER certificates (order kept). */
export function encodeCertsOnly(certs: Uint8Array[]): Uint8Array {
  certs.forEach((der, i) => assertCertificate(der, `certificate ${i}`));
  const signedData = derElement(0x30,
    Uint8Array.from([0x02, 0x01, 0x01]),      // version 1
    Uint8Array.from([0x31, 0x00]),            // digestAlgorithms: none
    derElement(0x30, OID_DATA),               // encapContentInfo: id-data, no eContent
    derElement(0xa0, ...certs),               // certificates [0] IMPLICIT
    Uint8Array.from([0x31, 0x00]));           // signerInfos: none
  return derElement(0x30, OID_SIGNED_DATA, derElement(0xa0, signedData));
}

/** The DER certificates of a certs-only PKCS#7, in their order; EstPayloadError when it is anything else. */
export function decodeCertsOnly(der: Uint8Array): Uint8Array[] {
  const what = 'certs-only PKCS#7';
  assertSingleSequence(der, what);
  let signedData: SignedData;
  try {
    const contentInfo = AsnConvert.parse(exactArrayBuffer(der), ContentInfo);
    if (contentInfo.contentType !== id_signedData) {
      throw new EstPayloadError(`${what}: content type ${contentInfo.contentType} is not signedData`);
    }
    signedData = AsnConvert.parse(contentInfo.content, SignedData);
  } catch (cause) {
    if (cause instanceof EstPayloadError) throw cause;
    throw new EstPayloadError(`${what}: not a CMS ContentInfo/SignedData (${(cause as Error).message})`, { cause });
  }
  if (signedData.signerInfos.length !== 0) throw new EstPayloadError(`${what}: has signers (not certs-only)`);
  // ContentInfo → [0] EXPLICIT → SignedData → certificates [0] IMPLICIT (tag 0xa0)
  const explicit = derChildren(der, what)[1];
  const signed = derChildren(explicit.der, what)[0];
  const certificates = derChildren(signed.der, what).find((c) => c.tag === 0xa0);
  if (certificates === undefined) return [];
  return derChildren(certificates.der, what).map((c, i) => {
    if (c.tag !== 0x30) throw new EstPayloadError(`${what}: certificate ${i} is not an X.509 certificate`);
    assertCertificate(c.der, `${what}: certificate ${i}`);
    return Uint8Array.from(c.der);
  });
}
