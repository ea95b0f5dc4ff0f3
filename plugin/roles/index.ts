/** The provider roles of the PKI trust transfer: SP1 (OldProvider) and SP2 (NewProvider), and their pure rules. */
export { OldProvider } from './old-provider';
export type { OldProviderOptions, AcceptedTransfer, IssuedToken, DeliveryOutcome, Arrival } from './old-provider';
export type { FleetDevice, DeviceTransferRecord, DeviceTransferState } from './old-provider-store';
export { NewProvider } from './new-provider';
export type { NewProviderOptions, EnrollmentPolicyLike, ImportedTransfer } from './new-provider';
export type { ImportedDevice, ArrivalRecord } from './new-provider-store';
export { Sp2Bootstrap, sp2BootstrapConfig, SECURITY_MODE_CERTIFICATE_EST } from './sp2-bootstrap';
export type { Sp2BootstrapOptions, Sp2BootstrapConfig, Sp2SecurityInstance, Sp2ServerInstance, BootstrapConfigWriter } from './sp2-bootstrap';
export { planTrustStore, checkTrustAnchor, anchorToJson, anchorsFromJson } from './trust-anchors';
export type { TrustAnchor, TrustStorePlan, TrustAnchorJson } from './trust-anchors';
export { fallbackVerdict, isFactoryCertificate } from './fallback';
export type { FallbackVerdict } from './fallback';
export { arrivalCertificate, issuerMatches, normalDn } from './arrival';
export type { IssuerMatcher } from './arrival';
export { DEFAULT_OBJECT_IDS, objectIdsFromEnv, TransferResource, TrustStoreResource, TransferState, TrustPurpose, isTrustPurpose } from './transfer-objects';
export type { TransferObjectIds, TrustPurposeName } from './transfer-objects';
export { UnknownTransferError, UnknownDeviceError, TransferConflictError } from './errors';
