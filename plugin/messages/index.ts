/**
 * The trust-transfer protocol messages (docs/messages.md): UpdateInfoList (JWS), TransferMessage
 * and per-device transfer token (CWTs), and the attestation evidence (EAT). Public names only.
 */
export { TransferClaim, MessageKind, TRANSFER_CLAIM_NAMES, checkUri, checkWindow } from './claims';
export type { TransferClaimName } from './claims';
export { MessageInvalidError, TransferRefusedError, TransferReplayError } from './errors';
export type { TransferRefusal } from './errors';
export { buildTransferMessage, validateTransferMessage, checkInstructions, instructionClaims, readInstructions } from './transfer-message';
export type { TransferInstructions, TransferMessage, BuildTransferMessageOptions, ValidateTransferMessageOptions } from './transfer-message';
export { buildTransferToken, validateTransferToken, tokenDerivesFrom } from './transfer-token';
export type { TransferToken, TransferTokenDevice, BuildTransferTokenOptions, ValidateTransferTokenOptions } from './transfer-token';
export { encodeUpdateInfoList, decodeUpdateInfoList, signUpdateInfoList, verifyUpdateInfoList, UPDATE_INFO_LIST_TYP } from './update-info-list';
export type { DeviceUpdateInfo, SignUpdateInfoListOptions } from './update-info-list';
export { buildEvidence, verifyEvidence, peekEvidenceNonce, certificateDeviceId, ueidOf, AttestationError, EvidenceClaim } from './evidence';
export type { BuildEvidenceOptions, VerifyEvidenceOptions, ExpectedDeviceState, AttestationFailure } from './evidence';
