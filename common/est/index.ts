/**
 * EST-coaps payloads (RFC 9148 over RFC 7030): Content-Formats, the codecs of each payload
 * (certs-only PKCS#7, PKCS#8, CSR attributes, multipart-core) and parseEstPayload, which turns
 * any of them into a tagged EstPayload. Pure: no I/O. The server lives in plugin/ca, the client
 * in client-sim/est.
 */
export { EstContentFormat, estMediaType } from './content-format';
export type { EstContentFormatNumber } from './content-format';
export { encodeCertsOnly, decodeCertsOnly, assertCertificate } from './certs-only';
export { encodeMultipartCore, decodeMultipartCore } from './multipart-core';
export type { MultipartPart } from './multipart-core';
export { encodeCsrAttributes, decodeCsrAttributes, CsrAttrOid } from './csr-attributes';
export type { CsrAttrOrOid } from './csr-attributes';
export { encodePrivateKey, decodePrivateKey } from './private-key';
export { parseEstPayload, parseCsrPayload } from './payload';
export type { EstPayload } from './payload';
export { EstError, EstPayloadError, EnrollmentRefusedError, isEnrollmentRefusalReason } from './errors';
export type { EnrollmentRefusalReason } from './errors';
export { csrSubject, certificateSubject, deviceIdOf, sameName } from './subject-name';
export type { NameAttribute } from './subject-name';
export { uintOption, bytesOption, parsedOptions, DEV_IDENTITY_OPTION } from './coap-options';
