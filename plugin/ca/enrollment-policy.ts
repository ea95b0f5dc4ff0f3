/**
 * EnrollmentPolicy: the CA's rules for /sen and /skg with a factory certificate (paper §VII
 * step 2: SP2 forwards the factory certificates of a transfer to CA2). Which factory
 * certificates may enroll, and at most one enrollment per device per transfer. Re-enrollment
 * (/sren) needs no policy: it is allowed exactly to holders of a valid operational certificate
 * of this CA (checked by the EST server against the CA itself).
 */

export interface EnrollmentPolicy {
  /** SP2 forwards the factory certificates (DER) of a transfer; each names its device in the subject serialNumber. */
  allow(transferId: string, factoryCertificates: Uint8Array[]): Promise<void>;
  /**
   * For /sen and /skg: the transfer and device the authenticated factory certificate belongs to.
   * Throws EnrollmentRefusedError('not-listed' | 'already-enrolled').
   */
  checkEnroll(factoryCertificate: Uint8Array): Promise<{ transferId: string; deviceId: string }>;
  /** Records the enrollment (atomically): EnrollmentRefusedError('already-enrolled') when one was recorded first. */
  recordEnrollment(transferId: string, deviceId: string, operationalSerial: string): Promise<void>;
}
