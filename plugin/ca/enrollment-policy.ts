/**
 * EnrollmentPolicy: the CA's rules for /sen and /skg with a factory certificate (paper §VII
 * step 2: SP2 forwards the factory certificates of a transfer to CA2). Which factory
 * certificates may enroll, and at most one enrollment per device per transfer. Re-enrollment
 * (/sren) needs no policy: it is allowed exactly to holders of a valid operational certificate
 * of this CA (checked by the EST server against the CA itself).
 *
 * Retransmission (RFC 7030 §4.2.3: "the server is responsible for maintaining all state
 * necessary to recognize and handle retry operations"; RFC 9148 §5.7: the client "SHOULD resend
 * the identical CSR"): an enrollment repeated by the same device in the same transfer for the
 * SAME public key — a device whose answer was lost — is answered with the certificate already
 * issued for that key; nothing new is issued. Another key is still refused (`already-enrolled`).
 */

/** Who may enroll, and what was already issued to the same key in this transfer. */
export interface EnrollmentCheck {
  readonly transferId: string;
  readonly deviceId: string;
  /** The certificate (DER) recorded for this device and the same key: answer it again. */
  readonly issued?: Uint8Array;
}

/** A certificate just issued, with the key it certifies (for answering a retransmission). */
export interface IssuedEnrollment {
  /** SHA-256 (hex) of the SubjectPublicKeyInfo DER (publicKeyId). */
  readonly keyId: string;
  readonly certificate: Uint8Array;
}

export interface EnrollmentPolicy {
  /** SP2 forwards the factory certificates (DER) of a transfer; each names its device in the subject serialNumber. */
  allow(transferId: string, factoryCertificates: Uint8Array[]): Promise<void>;
  /**
   * For /sen and /skg: the transfer and device the authenticated factory certificate belongs to,
   * and the certificate already issued to it for `keyId` (when given) in this transfer.
   * Throws EnrollmentRefusedError('not-listed' | 'already-enrolled' (another key, or no keyId)).
   */
  checkEnroll(factoryCertificate: Uint8Array, keyId?: string): Promise<EnrollmentCheck>;
  /**
   * Records the enrollment atomically. Resolves undefined when this certificate is now the
   * device's enrollment; resolves with the certificate recorded first when a concurrent
   * enrollment of the same key won (the caller answers that one and withdraws its own);
   * EnrollmentRefusedError('already-enrolled') when an enrollment of another key was recorded first.
   */
  recordEnrollment(transferId: string, deviceId: string, operationalSerial: string, issued?: IssuedEnrollment): Promise<Uint8Array | undefined>;
}
