/** The provider roles of the PKI trust transfer: SP1 (OldProvider) and SP2 (NewProvider), and their pure rules. */
export { OldProvider } from './old-provider';
export type { OldProviderOptions, AcceptedTransfer, IssuedToken, DeliveryOutcome, Arrival } from './old-provider';
export type { FleetDevice, DeviceTransferRecord, DeviceTransferState } from './old-provider-store';
export { NewProvider } from './new-provider';
export type { NewProviderOptions, EnrollmentPolicyLike, ImportedTransfer } from './new-provider';
export type { ImportedDevice, ArrivalRecord } from './new-provider-store';
export { planTrustStore, checkTrustAnchor, anchorToJson, anchorsFromJson } from './trust-anchors';
export type { TrustAnchor, TrustStorePlan, TrustAnchorJson } from './trust-anchors';
export { fallbackVerdict, isFactoryCertificate } from './fallback';
export type { FallbackVerdict } from './fallback';
export { arrivalCertificate, issuerMatches, normalDn } from './arrival';
export type { IssuerMatcher } from './arrival';
export { DEFAULT_OBJECT_IDS, objectIdsFromEnv, TransferResource, TrustStoreResource, TransferState, TrustPurpose, isTrustPurpose } from './transfer-objects';
export type { TransferObjectIds, TrustPurposeName } from './transfer-objects';
export { UnknownTransferError, UnknownDeviceError, TransferConflictError } from './errors';
