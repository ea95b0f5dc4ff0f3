/**
 * EstService: the EST-coaps protocol logic of the CA (RFC 9148 §5, RFC 7030 §4), without
 * sockets: one decoded request (resource, method, Content-Format, Accept, payload, and the
 * client's certificate chain as the secure channel authenticated it) in, one response out.
 *
 *   GET  crts  → 2.05 281 certs-only (this CA's chain) | 287 the root
 *   GET  att   → 2.05 285 CSR attributes
 *   POST sen   286 CSR, client = listed factory certificate → 2.04 281 | 287 operational cert
 *   POST sren  286 CSR, client = valid operational cert of this CA, same subject → 2.04 281 | 287
 *   POST skg   286 CSR (key and signature ignored), like sen (factory) or sren (operational)
 *              → 2.04 62 multipart-core [284 PKCS#8 key, 281 certs-only]; skc: [284, 287]
 *
 * Refusals: 4.00 malformed payload or CSR whose signature does not verify; 4.01 no client
 * certificate; 4.03 policy ("<reason>: <text>"); 4.04 unknown resource; 4.05 wrong method;
 * 4.06 unsupported Accept; 4.13 payload too large; 4.15 wrong Content-Format; 5.00 anything
 * unexpected (logged). Nothing is issued or recorded on a refusal.
 *
 * A /sen repeated by a device in the same transfer for the same key (its answer was lost, it
 * resent the identical CSR: RFC 9148 §5.7, RFC 7030 §4.2.3) is answered with the certificate
 * already issued for that key, if the CA has not revoked it; see enrollment-policy.ts.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { isHandoverError } from '../../common/errors';
import {
  CsrAttrOid, EnrollmentRefusedError, EstContentFormat, EstPayloadError, certificateSubject, csrSubject, deviceIdOf,
  encodeCertsOnly, encodeCsrAttributes, encodeMultipartCore, encodePrivateKey, parseCsrPayload, sameName, type CsrAttrOrOid,
} from '../../common/est/index';
import { createCsr, describeCertificate, generateKeyPair } from '../../common/pki/index';
import type { EnrollmentPolicy } from './enrollment-policy';
import { publicKeyId } from './public-key-id';

/** What the EST server needs of the CA (CertificateAuthority of common/pki satisfies it). */
export interface EstCertificateAuthority {
  readonly certificate: Uint8Array;
  readonly chain: Uint8Array[];
  readonly publicKey: KeyObject;
  issueFromCsr(csrDer: Uint8Array, opts?: { validityDays?: number; subject?: string; sanUri?: string }): Promise<Uint8Array>;
  revoke(serialNumberHex: string, reason?: 'keyCompromise' | 'superseded' | 'cessationOfOperation' | 'unspecified'): Promise<void>;
  isRevoked(serialNumberHex: string): boolean;
  issued(serialNumberHex: string): boolean;
}

export interface EstRequest {
  /** Path below the EST root: "crts", "sen", "sren", "skg", "skc", "att". */
  readonly resource: string;
  readonly method: string;
  readonly contentFormat?: number;
  readonly accept?: number;
  readonly payload: Uint8Array;
  /** The client's certificate chain (leaf first, DER) from the secure channel; empty when none. */
  readonly clientChain: readonly Uint8Array[];
}

export interface EstResponse {
  readonly code: string;
  /** Absent on errors: their payload is a UTF-8 diagnostic (RFC 7252 §5.5.2). */
  readonly contentFormat?: number;
  readonly payload: Uint8Array;
}

export interface EstServiceOptions {
  readonly ca: EstCertificateAuthority;
  readonly policy: EnrollmentPolicy;
  /** Served on /att. Default: ecdsa-with-SHA256, id-ecPublicKey on secp256r1, subject serialNumber. */
  readonly csrAttributes?: readonly CsrAttrOrOid[];
  /** Validity of operational certificates (default 365 days, the CA's default). */
  readonly validityDays?: number;
  /** Largest request payload accepted (default 16 KiB). */
  readonly maxPayloadBytes?: number;
  readonly log?: (line: string) => void;
}

const SECP256R1_PARAM = Uint8Array.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
export const DEFAULT_CSR_ATTRIBUTES: readonly CsrAttrOrOid[] = [
  { oid: CsrAttrOid.ecdsaWithSHA256 },
  { oid: CsrAttrOid.ecPublicKey, values: [SECP256R1_PARAM] },
  { oid: CsrAttrOid.serialNumber },
];

/** A refusal with its CoAP code, thrown inside the service and turned into a response once. */
class Refusal extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const RESOURCES = new Set(['crts', 'sen', 'sren', 'skg', 'skc', 'att']);

export class EstService {
  private readonly maxPayloadBytes: number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: EstServiceOptions) {
    this.maxPayloadBytes = opts.maxPayloadBytes ?? 16 * 1024;
    this.log = opts.log ?? (() => undefined);
  }

  async handle(req: EstRequest): Promise<EstResponse> {
    try {
      return await this.dispatch(req);
    } catch (e) {
      if (e instanceof Refusal) return { code: e.code, payload: text(e.message) };
      if (e instanceof EnrollmentRefusedError) {
        this.log(`est: /${req.resource} refused: ${e.reason}: ${e.message}`);
        return { code: e.reason === 'no-identity' ? '4.01' : '4.03', payload: text(`${e.reason}: ${e.message}`) };
      }
      if (e instanceof EstPayloadError || isHandoverError(e, 'ERR_CSR_INVALID') || isHandoverError(e, 'ERR_CERT_INVALID')) {
        this.log(`est: /${req.resource} bad request: ${(e as Error).message}`);
        return { code: '4.00', payload: text((e as Error).message) };
      }
      this.log(`est: /${req.resource} failed: ${(e as Error).stack ?? String(e)}`);
      return { code: '5.00', payload: text('internal error') };
    }
  }

  private async dispatch(req: EstRequest): Promise<EstResponse> {
    if (!RESOURCES.has(req.resource)) throw new Refusal('4.04', `no EST resource "${req.resource}"`);
    const get = req.resource === 'crts' || req.resource === 'att';
    if (req.method !== (get ? 'GET' : 'POST')) throw new Refusal('4.05', `/${req.resource} takes ${get ? 'GET' : 'POST'}`);
    if (req.payload.length > this.maxPayloadBytes) throw new Refusal('4.13', `payload over ${this.maxPayloadBytes} bytes`);
    switch (req.resource) {
      case 'crts': return this.crts(req);
      case 'att': {
        accept(req, [EstContentFormat.csrAttrs]);
        const attrs = encodeCsrAttributes(this.opts.csrAttributes ?? DEFAULT_CSR_ATTRIBUTES);
        return { code: '2.05', contentFormat: EstContentFormat.csrAttrs, payload: attrs };
      }
      case 'sen': return this.enroll(req, 'factory');
      case 'sren': return this.enroll(req, 'operational');
      default: return this.serverKeyGen(req);
    }
  }

  private crts(req: EstRequest): EstResponse {
    const chain = this.opts.ca.chain;
    const format = accept(req, [EstContentFormat.pkcs7CertsOnly, EstContentFormat.pkixCert]);
    if (format === EstContentFormat.pkixCert) return { code: '2.05', contentFormat: format, payload: chain[chain.length - 1] };
    return { code: '2.05', contentFormat: format, payload: encodeCertsOnly(chain) };
  }

  /** /sen (factory certificate + policy) and /sren (current operational certificate of this CA). */
  private async enroll(req: EstRequest, as: 'factory' | 'operational'): Promise<EstResponse> {
    const format = accept(req, [EstContentFormat.pkcs7CertsOnly, EstContentFormat.pkixCert]);
    const csr = await this.csrOf(req);
    if (!csr.signatureValid) throw new EstPayloadError('the CSR signature does not verify (no proof of possession)');
    const leaf = clientLeaf(req);
    const issued = as === 'factory'
      ? await this.issueForFactory(leaf, csr.csr, `/${req.resource}`, publicKeyId(csr.publicKey))
      : await this.issueForOperational(leaf, csr.csr, `/${req.resource}`);
    const payload = format === EstContentFormat.pkixCert ? issued : encodeCertsOnly([issued]);
    return { code: '2.04', contentFormat: format, payload };
  }

  /** /skg, /skc: the server makes the key pair; the CSR only names the subject. */
  private async serverKeyGen(req: EstRequest): Promise<EstResponse> {
    accept(req, [EstContentFormat.multipartCore]);
    const csr = await this.csrOf(req);
    const leaf = clientLeaf(req);
    const keys = generateKeyPair('P-256');
    const ownCsr = await createCsr({ subject: csr.subject, privateKey: keys.privateKey, publicKey: keys.publicKey });
    const op = this.isOwnCertificate(leaf);
    const where = `/${req.resource}`;
    const issued = op ? await this.issueForOperational(leaf, ownCsr, where) : await this.issueForFactory(leaf, ownCsr, where);
    const certPart = req.resource === 'skc'
      ? { contentFormat: EstContentFormat.pkixCert, payload: issued }
      : { contentFormat: EstContentFormat.pkcs7CertsOnly, payload: encodeCertsOnly([issued]) };
    const payload = encodeMultipartCore([{ contentFormat: EstContentFormat.pkcs8, payload: encodePrivateKey(keys.privateKey) }, certPart]);
    return { code: '2.04', contentFormat: EstContentFormat.multipartCore, payload };
  }

  private async csrOf(req: EstRequest) {
    if (req.contentFormat !== EstContentFormat.pkcs10) {
      throw new Refusal('4.15', `/${req.resource} takes Content-Format ${EstContentFormat.pkcs10} (application/pkcs10)`);
    }
    return parseCsrPayload(req.payload);
  }

  /**
   * /sen, /skg with a factory certificate. `keyId` (the CSR's key; /sen only): a repeat of an
   * enrollment of that key in the same transfer gets the certificate already issued.
   */
  private async issueForFactory(factoryCert: Uint8Array, csrDer: Uint8Array, where: string, keyId?: string): Promise<Uint8Array> {
    const { transferId, deviceId, issued } = await this.opts.policy.checkEnroll(factoryCert, keyId);
    const requested = deviceIdOf(csrSubject(csrDer));
    if (requested !== deviceId) {
      throw new EnrollmentRefusedError('subject-mismatch', `the CSR names device ${requested ?? '(none)'}, the factory certificate ${deviceId}`);
    }
    if (issued !== undefined) return this.issuedAgain(issued, deviceId, transferId, where);
    const cert = await this.opts.ca.issueFromCsr(csrDer, this.issueOptions());
    const serial = describeCertificate(cert).serialNumber;
    let first: Uint8Array | undefined;
    try {
      first = await this.opts.policy.recordEnrollment(transferId, deviceId, serial, keyId === undefined ? undefined : { keyId, certificate: cert });
    } catch (e) {
      // Lost a race with a concurrent enrollment of another key: withdraw what was just issued.
      await this.opts.ca.revoke(serial, 'cessationOfOperation').catch(() => undefined);
      throw e;
    }
    if (first !== undefined) {
      // A concurrent enrollment of the same key was recorded first: one certificate per key.
      await this.opts.ca.revoke(serial, 'cessationOfOperation').catch(() => undefined);
      return this.issuedAgain(first, deviceId, transferId, where);
    }
    this.log(`est: ${where} enrolled device ${deviceId} (transfer ${transferId}): operational certificate ${serial}`);
    return cert;
  }

  /** The certificate recorded for the same key, answered again unless the CA revoked it. */
  private issuedAgain(cert: Uint8Array, deviceId: string, transferId: string, where: string): Uint8Array {
    const serial = describeCertificate(cert).serialNumber;
    if (this.opts.ca.isRevoked(serial)) {
      throw new EnrollmentRefusedError('already-enrolled', `device ${deviceId} already enrolled in transfer ${transferId}; that certificate (${serial}) is revoked`);
    }
    this.log(`est: ${where} repeated by device ${deviceId} (transfer ${transferId}) for the same key: operational certificate ${serial} answered again`);
    return cert;
  }

  private async issueForOperational(current: Uint8Array, csrDer: Uint8Array, where: string): Promise<Uint8Array> {
    const info = describeCertificate(current);
    if (!this.isOwnCertificate(current) || !this.opts.ca.issued(info.serialNumber) || info.isCa) {
      throw new EnrollmentRefusedError('no-valid-certificate', 're-enrollment needs a current operational certificate of this CA');
    }
    if (this.opts.ca.isRevoked(info.serialNumber)) {
      throw new EnrollmentRefusedError('revoked', `operational certificate ${info.serialNumber} is revoked`);
    }
    const now = Date.now();
    if (info.notBefore.getTime() > now || info.notAfter.getTime() < now) {
      throw new EnrollmentRefusedError('no-valid-certificate', `operational certificate ${info.serialNumber} is outside its validity`);
    }
    if (!sameName(csrSubject(csrDer), certificateSubject(current))) {
      throw new EnrollmentRefusedError('subject-mismatch', 'the CSR subject differs from the current certificate subject');
    }
    const cert = await this.opts.ca.issueFromCsr(csrDer, this.issueOptions());
    this.log(`est: ${where} re-enrolled ${info.subject} (was ${info.serialNumber}): operational certificate ${describeCertificate(cert).serialNumber}`);
    return cert;
  }

  /** True when `der` was signed by this CA's key (whatever it says in its issuer field). */
  private isOwnCertificate(der: Uint8Array): boolean {
    try {
      const cert = new X509Certificate(der);
      return cert.checkIssued(new X509Certificate(this.opts.ca.certificate)) && cert.verify(this.opts.ca.publicKey);
    } catch {
      return false;
    }
  }

  private issueOptions(): { validityDays?: number } {
    return this.opts.validityDays === undefined ? {} : { validityDays: this.opts.validityDays };
  }
}

/** The client's leaf certificate from the channel; refused when the channel authenticated none. */
function clientLeaf(req: EstRequest): Uint8Array {
  const leaf = req.clientChain[0];
  if (leaf === undefined) throw new EnrollmentRefusedError('no-identity', 'no client certificate on this channel');
  return leaf;
}

/** The response format: the Accept option if it is one of `formats`, else the first (preferred) one. */
function accept(req: EstRequest, formats: readonly number[]): number {
  if (req.accept === undefined) return formats[0];
  if (!formats.includes(req.accept)) throw new Refusal('4.06', `/${req.resource} can answer in Content-Format ${formats.join(' or ')}, not ${req.accept}`);
  return req.accept;
}
