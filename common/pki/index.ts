/**
 * The PKI of Handover: keys and key files, PKCS#10 requests, certificate authorities (file or
 * PKCS#11 keys) with factory / operational / server profiles, revocation and CRLs, chain
 * validation, and the CA hierarchies of the trust-transfer paper's Fig. 1.
 */
export type { KeyAlgorithm } from './algorithms';
export { keyAlgorithmOf } from './algorithms';
export { generateKeyPair, writeKeyFile, readKeyFile } from './keys';
export { certificatePem, pemToDer, pemBlock } from './pem';
export type { CertificateInfo } from './describe';
export { normalizeSerial } from './names';
export { describeCertificate } from './describe';
export { createCsr, verifyCsr } from './csr';
export type { CaKeyRef } from './certificate-authority';
export { CertificateAuthority } from './certificate-authority';
export type { CaState, CaWarning, IssuedRecord, RevocationReason, RevokedRecord } from './ca-directory';
export { readCaRecords } from './ca-directory';
export type { Pkcs11KeyOptions, Pkcs11KeyRef } from './pkcs11-signer';
export { Pkcs11Signer } from './pkcs11-signer';
export { ecdsaRawToDer, ecdsaDerToRaw } from './ecdsa-signature';
export { validateChain } from './validate-chain';
export type { CaHierarchy, HierarchyOptions, HierarchyShape } from './hierarchies';
export { createHierarchies, HIERARCHY_SHAPES } from './hierarchies';
export type { ChainInvalidReason } from './errors';
export { CertificateInvalidError, CsrInvalidError, ChainInvalidError, KeyFileError, Pkcs11Error, PkiError } from './errors';
