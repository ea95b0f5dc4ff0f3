/**
 * The device half of the PKI trust transfer: the Transfer, Trust Store and Enrollment objects
 * and the agent running the device's steps (paper §VII-D). See transfer-agent.ts for the use.
 */
export { TransferAgent, createTransferAgent } from './transfer-agent';
export type { TransferAgentOptions } from './transfer-options';
export type { TransferSteps, AttestRequest, UpdateRequest, EnrollRequest, EstCredentials, FactoryCredentials } from './transfer-steps';
export { defaultEnroll } from './enroll-step';
export { TransferStep, TransferResult, AnchorPurpose, EnrollmentStatus, DEFAULT_OBJECT_IDS } from './transfer-codes';
export { TransferStepError } from './errors';
export { TransferObjectEnabler, MAX_TOKEN_BYTES } from './transfer-object';
export { TrustStoreEnabler } from './trust-store-object';
export type { TrustAnchor, TrustAnchorInit } from './trust-store-object';
export { EnrollmentObjectEnabler } from './enrollment-object';
