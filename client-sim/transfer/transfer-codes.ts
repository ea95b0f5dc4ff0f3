/**
 * The numbers the device shows a server in the Transfer, Trust Store and Enrollment objects
 * (objects/ddf/33001..33003, docs/objects.md): transfer states, result codes, anchor purposes,
 * enrollment status. One table each, so that the DDF descriptions and the code agree.
 */

/** Transfer/State (33001/0/2). */
export const TransferStep = {
  idle: 0, received: 1, verified: 2, resetting: 3, attesting: 4, updating: 5, enrolling: 6, joining: 7,
  done: 8, failed: 9, fallback: 10,
} as const;
export type TransferStep = typeof TransferStep[keyof typeof TransferStep];

/** Transfer/Result Code (33001/0/3). */
export const TransferResult = {
  none: 0, success: 1, badSignature: 2, notForThisDevice: 3, replayed: 4, outsideWindow: 5, unknownSigner: 6,
  malformed: 7, attestationFailed: 8, updateFailed: 9, enrollmentFailed: 10, joinFailed: 11, internalError: 12,
} as const;
export type TransferResult = typeof TransferResult[keyof typeof TransferResult];

/** Trust Store/Purpose (33002/x/2). */
export const AnchorPurpose = {
  enrollmentCa: 0, updateServer: 1, attestationVerifier: 2, lwm2mServer: 3, providerSigner: 4, factoryCa: 5,
} as const;
export type AnchorPurpose = typeof AnchorPurpose[keyof typeof AnchorPurpose];

/** Enrollment/Status (33003/0/7). */
export const EnrollmentStatus = { notEnrolled: 0, enrolling: 1, enrolled: 2, failed: 3 } as const;
export type EnrollmentStatus = typeof EnrollmentStatus[keyof typeof EnrollmentStatus];

/** Default object ids (private range); a deployment may remap them (TransferAgentOptions.objectIds). */
export const DEFAULT_OBJECT_IDS = { transfer: 33001, trustStore: 33002, enrollment: 33003 } as const;

/** The states in which a transfer runs (after a valid token, before an outcome). */
export function isRunning(step: TransferStep): boolean {
  return step >= TransferStep.verified && step <= TransferStep.joining;
}
