/**
 * Object 33003 Enrollment on the device (single instance 0): the EST-coaps URI, the formats this
 * device supports (PKCS#10, device-generated keys: other values are refused with 4.00), the
 * operational certificate with its Not After and Issuer, Status and Last Error, the factory
 * certificate, and Enroll / Re-enroll. Servers may not change it while a transfer runs.
 */
import { X509Certificate } from 'node:crypto';
import type { ObjectModel } from '../../objects/model';
import { OperationError } from '../errors';
import type { Caller } from '../object-enabler';
import { AgentObjectEnabler, type AgentObjectOwner } from './agent-object';
import { EnrollmentStatus } from './transfer-codes';

const RES = {
  estUri: 0, csrFormat: 1, keyGeneration: 2, certificate: 3, notAfter: 4, enroll: 5, reenroll: 6, status: 7, lastError: 8, issuer: 9, factoryCertificate: 10,
} as const;

export interface EnrollmentObjectActions {
  /** Enroll (`reenroll` false: /sen with the factory certificate) or re-enroll (/sren with the operational one). */
  enroll(reenroll: boolean, caller: Caller): Promise<void>;
}

export class EnrollmentObjectEnabler extends AgentObjectEnabler {
  constructor(model: ObjectModel, owner: AgentObjectOwner, factoryCertificate: Uint8Array, actions: EnrollmentObjectActions) {
    const guard = (caller: Caller) => owner.guardServerChange(caller, model.id);
    const only = (what: string) => (_i: number, node: { kind: string; value?: unknown }, caller: Caller) => {
      guard(caller);
      if (node.kind === 'singleResource' && node.value !== 0n) throw OperationError.badRequest(`${what}: only 0 is supported by this device`);
    };
    super(model, {
      instances: [{ id: 0, values: { [RES.csrFormat]: 0, [RES.keyGeneration]: 0, [RES.status]: EnrollmentStatus.notEnrolled, [RES.factoryCertificate]: factoryCertificate } }],
      resources: {
        [RES.estUri]: { write: (_i, _n, caller) => guard(caller) },
        [RES.csrFormat]: { write: only('CSR Format (PKCS#10)') },
        [RES.keyGeneration]: { write: only('Key Generation (on the device)') },
        [RES.enroll]: { execute: (_i, _a, caller) => { guard(caller); return actions.enroll(false, caller); } },
        [RES.reenroll]: { execute: (_i, _a, caller) => { guard(caller); return actions.enroll(true, caller); } },
      },
      deletable: false,
    }, owner);
  }

  estUri(): string | undefined {
    const v = this.get(0, RES.estUri);
    return typeof v === 'string' && v ? v : undefined;
  }

  /** The operational certificate (DER), when enrolled. */
  certificate(): Uint8Array | undefined {
    const v = this.get(0, RES.certificate);
    return v instanceof Uint8Array && v.length > 0 ? v : undefined;
  }

  status(): EnrollmentStatus {
    const v = this.get(0, RES.status);
    return (typeof v === 'bigint' ? Number(v) : 0) as EnrollmentStatus;
  }

  /** Show a new operational certificate (and the EST URI it came from). */
  enrolled(certificate: Uint8Array, estUri?: string): void {
    const x = new X509Certificate(certificate);
    this.set(0, RES.certificate, certificate);
    this.set(0, RES.notAfter, new Date(x.validTo));
    this.set(0, RES.issuer, x.issuer.replace(/\n/g, ', '));
    this.set(0, RES.status, EnrollmentStatus.enrolled);
    if (estUri) this.set(0, RES.estUri, estUri);
    this.unset(0, RES.lastError);
  }

  /** Enrollment started. */
  enrolling(estUri: string): void {
    this.set(0, RES.estUri, estUri);
    this.set(0, RES.status, EnrollmentStatus.enrolling);
  }

  /** Enrollment failed. */
  failed(reason: string): void {
    this.set(0, RES.status, EnrollmentStatus.failed);
    this.set(0, RES.lastError, reason.slice(0, 255));
  }

  /** The transfer reset: no operational certificate any more. */
  dropCertificate(): void {
    for (const rid of [RES.certificate, RES.notAfter, RES.issuer, RES.lastError]) this.unset(0, rid);
    this.set(0, RES.status, EnrollmentStatus.notEnrolled);
  }
}
