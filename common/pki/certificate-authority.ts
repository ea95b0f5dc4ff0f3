/**
 * A certificate authority: a root or subordinate CA certificate, its signing key (in memory,
 * in a 0600 key file, or in a PKCS#11 token) and its records of issued and revoked
 * certificates. It issues the certificates of the trust-transfer paper: sub-CAs, long-lived
 * factory certificates, operational certificates from verified CSRs (what EST enrollment
 * issues), server certificates for DTLS/EST servers, and CRLs. With a directory the CA
 * persists there (see ca-directory.ts), and only one process may issue from it at a time;
 * within a process, issuance is serialised.
 */
import { KeyObject } from 'node:crypto';
import { type KeyAlgorithm, isKeyAlgorithm, samePublicKey, spkiOf } from './algorithms';
import { CaDirectory, type CaState, type CaWarning, emptyState, type RevocationReason } from './ca-directory';
import { crlNumberExtension } from './crl-number';
import { verifyCsr } from './csr';
import { isCaCertificate, parseCertificate } from './describe';
import { CsrInvalidError, PkiError } from './errors';
import { generateKeyPair, readKeyFile, writeKeyFile } from './keys';
import { deviceName, nameString, normalizeSerial, parseSubject, randomSerial } from './names';
import { certificatePem } from './pem';
import { type Pkcs11KeyOptions, type Pkcs11KeyRef, Pkcs11Signer } from './pkcs11-signer';
import { type CertificateProfile, certificateKeyId, profileExtensions } from './profiles';
import { type CaSigner, KeyObjectSigner } from './signer';
import { x509 } from './x509';

/** Where a CA key lives. */
export type CaKeyRef = { kind: 'file'; path: string } | Pkcs11KeyRef;

const DAY = 86_400_000;
/** Certificates start 5 minutes in the past so that a device clock slightly behind accepts them. */
const BACKDATE_MS = 5 * 60_000;
const DEFAULT_ROOT_DAYS = 30 * 365;
const DEFAULT_SUB_DAYS = 25 * 365;

interface IssueParams {
  subject: x509.Name;
  publicKey: KeyObject;
  profile: CertificateProfile;
  validityMs: number;
  pathLength?: number;
  dnsNames?: string[];
  ipAddresses?: string[];
  sanUri?: string;
}

function positiveInt(v: number | undefined, name: string, def: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v <= 0) throw new PkiError(`${name} must be a positive integer`);
  return v;
}

async function makeSigner(key: KeyAlgorithm | Pkcs11KeyOptions | undefined): Promise<{ signer: CaSigner; privateKey?: KeyObject }> {
  if (key !== undefined && typeof key === 'object') return { signer: await Pkcs11Signer.open(key, { generate: true }) };
  if (key !== undefined && !isKeyAlgorithm(key)) throw new PkiError(`unsupported key algorithm ${String(key)}`);
  const { privateKey } = generateKeyPair(key ?? 'P-256');
  return { signer: await KeyObjectSigner.create(privateKey), privateKey };
}

/** A new CA: its subject, validity, path length, directory (default in memory) and key. */
export interface NewCaOptions {
  readonly subject: string;
  readonly validityDays?: number;
  readonly pathLength?: number;
  readonly dir?: string;
  readonly key?: KeyAlgorithm | Pkcs11KeyOptions;
}

export class CertificateAuthority {
  readonly subject: string;
  readonly publicKey: KeyObject;
  private readonly cert: x509.X509Certificate;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly certificate: Uint8Array,
    readonly chain: Uint8Array[],
    private readonly signer: CaSigner,
    private readonly state: CaState,
    private readonly store?: CaDirectory,
  ) {
    this.cert = parseCertificate(certificate);
    this.subject = nameString(this.cert.subjectName);
    this.publicKey = signer.publicKey;
  }

  /** A new self-signed root CA (key generated in memory / key.pem, or in a PKCS#11 token). */
  static async createRoot(opts: NewCaOptions): Promise<CertificateAuthority> {
    const name = parseSubject(opts.subject);
    const days = positiveInt(opts.validityDays, 'validityDays', DEFAULT_ROOT_DAYS);
    const store = opts.dir !== undefined ? new CaDirectory(opts.dir) : undefined;
    await store?.prepare();
    const { signer, privateKey } = await makeSigner(opts.key);
    try {
      const der = await CertificateAuthority.sign(signer, {
        serialNumber: randomSerial(),
        subject: name,
        issuer: name,
        publicKey: signer.publicKey,
        notAfter: new Date(Date.now() + days * DAY),
        extensions: await profileExtensions('root', { subjectKey: signer.publicKey, pathLength: opts.pathLength }),
      });
      const ca = new CertificateAuthority(der, [der], signer, emptyState(), store);
      await ca.persistNew(privateKey, signer);
      return ca;
    } catch (e) {
      await signer.close();
      throw e;
    }
  }

  /**
   * A CA saved in `dir`; `pin` is needed when its key is in a PKCS#11 token. `warn` hears of
   * what the load repaired (a torn last journal record; default: process.emitWarning).
   */
  static async load(dir: string, opts: { pin?: string; warn?: CaWarning } = {}): Promise<CertificateAuthority> {
    const store = new CaDirectory(dir);
    const { certificate, chain } = await store.readCertificates();
    const state = await store.readState(opts.warn);
    const ref = await store.readPkcs11Ref();
    let signer: CaSigner;
    if (ref) {
      if (opts.pin === undefined) throw new PkiError(`the CA key in ${dir} is in a PKCS#11 token: a PIN is required`);
      signer = await Pkcs11Signer.open({ ...ref, pin: opts.pin });
    } else {
      signer = await KeyObjectSigner.create(await readKeyFile(store.file('key')));
    }
    const ca = new CertificateAuthority(certificate, chain, signer, state, store);
    if (!samePublicKey(signer.publicKey, KeyObject.from(await ca.cert.publicKey.export()))) {
      await signer.close();
      throw new PkiError(`${dir}: the CA key does not match ca.pem`);
    }
    return ca;
  }

  /** Where the key lives (file path, or token reference without the PIN for a PKCS#11 CA). */
  get keyRef(): CaKeyRef | Omit<Pkcs11KeyRef, 'pin'> {
    if (this.signer instanceof Pkcs11Signer) return this.signer.ref;
    return { kind: 'file', path: this.store ? this.store.file('key') : '' };
  }

  /** The directory the CA persists in, if any. */
  get dir(): string | undefined {
    return this.store?.dir;
  }

  certificatePem(): string {
    return certificatePem(this.certificate);
  }

  chainPem(): string {
    return this.chain.map(certificatePem).join('');
  }

  /** A subordinate CA signed by this one (its key: generated in memory / key.pem, or in a token). */
  async createSubordinate(opts: NewCaOptions): Promise<CertificateAuthority> {
    const bc = this.cert.getExtension(x509.BasicConstraintsExtension);
    if (bc?.pathLength === 0) throw new PkiError(`${this.subject} has pathLength 0: it cannot sign a sub-CA`);
    const name = parseSubject(opts.subject);
    const days = positiveInt(opts.validityDays, 'validityDays', DEFAULT_SUB_DAYS);
    const store = opts.dir !== undefined ? new CaDirectory(opts.dir) : undefined;
    await store?.prepare();
    const { signer, privateKey } = await makeSigner(opts.key ?? this.signer.algorithm);
    try {
      const der = await this.issue({ subject: name, publicKey: signer.publicKey, profile: 'subordinate', validityMs: days * DAY, pathLength: opts.pathLength });
      const ca = new CertificateAuthority(der, [der, ...this.chain], signer, emptyState(), store);
      await ca.persistNew(privateKey, signer);
      return ca;
    } catch (e) {
      await signer.close();
      throw e;
    }
  }

  /**
   * A factory certificate: subject "CN=<deviceId>, serialNumber=<deviceId>", keyUsage
   * digitalSignature only (critical), EKU clientAuth, not a CA, long-lived (default 20 years,
   * never beyond this CA's own notAfter).
   */
  async issueFactoryCertificate(opts: { deviceId: string; publicKey: KeyObject; validityYears?: number }): Promise<Uint8Array> {
    const years = positiveInt(opts.validityYears, 'validityYears', 20);
    return this.issue({ subject: deviceName(opts.deviceId), publicKey: opts.publicKey, profile: 'factory', validityMs: years * 365.25 * DAY });
  }

  /** An operational certificate for a PKCS#10 request, whose signature is checked first. */
  async issueFromCsr(csrDer: Uint8Array, opts: { validityDays?: number; subject?: string; sanUri?: string } = {}): Promise<Uint8Array> {
    const csr = await verifyCsr(csrDer);
    if (!csr.signatureValid) throw new CsrInvalidError('the CSR signature does not verify');
    const days = positiveInt(opts.validityDays, 'validityDays', 365);
    const subject = parseSubject(opts.subject ?? csr.subject);
    return this.issue({ subject, publicKey: csr.publicKey, profile: 'operational', validityMs: days * DAY, sanUri: opts.sanUri });
  }

  /** A server certificate (EKU serverAuth) with DNS / IP subject alternative names. */
  async issueServerCertificate(opts: {
    subject: string;
    publicKey: KeyObject;
    dnsNames?: string[];
    ipAddresses?: string[];
    validityDays?: number;
  }): Promise<Uint8Array> {
    const days = positiveInt(opts.validityDays, 'validityDays', 365);
    return this.issue({
      subject: parseSubject(opts.subject), publicKey: opts.publicKey, profile: 'server', validityMs: days * DAY,
      dnsNames: opts.dnsNames, ipAddresses: opts.ipAddresses,
    });
  }

  /** Whether this CA issued the certificate with this serial. */
  issued(serialNumberHex: string): boolean {
    return Object.hasOwn(this.state.issued, normalizeSerial(serialNumberHex));
  }

  isRevoked(serialNumberHex: string): boolean {
    return Object.hasOwn(this.state.revoked, normalizeSerial(serialNumberHex));
  }

  /**
   * Revoke a certificate this CA issued (a serial it did not issue is a PkiError). Revoking
   * again keeps the first date and reason. Takes effect in the next crl().
   */
  async revoke(serialNumberHex: string, reason: RevocationReason = 'unspecified'): Promise<void> {
    const serial = normalizeSerial(serialNumberHex);
    if (!(reason in x509.X509CrlReason)) throw new PkiError(`unknown revocation reason ${String(reason)}`);
    await this.exclusive(async () => {
      if (!Object.hasOwn(this.state.issued, serial)) throw new PkiError(`${this.subject} did not issue serial ${serial}`);
      if (Object.hasOwn(this.state.revoked, serial)) return;
      const record = { date: new Date().toISOString(), reason };
      this.state.revoked[serial] = record;
      await this.store?.record({ op: 'revoke', serial, record }, this.state);
    });
  }

  /** A DER CRL of every revocation, signed by the CA key; each call takes the next CRL number. */
  async crl(opts: { nextUpdateDays?: number } = {}): Promise<Uint8Array> {
    const days = positiveInt(opts.nextUpdateDays, 'nextUpdateDays', 7);
    return this.exclusive(async () => {
      const number = this.state.crlNumber + 1;
      const now = new Date();
      const crl = await x509.X509CrlGenerator.create({
        issuer: this.cert.subjectName,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + days * DAY),
        entries: Object.entries(this.state.revoked).map(([serialNumber, r]) => ({
          serialNumber,
          revocationDate: new Date(r.date),
          reason: x509.X509CrlReason[r.reason],
        })),
        extensions: [
          new x509.AuthorityKeyIdentifierExtension(await certificateKeyId(this.cert), false),
          crlNumberExtension(number),
        ],
        signingKey: this.signer.signingKey,
        signingAlgorithm: this.signer.signingAlgorithm,
      }, this.signer.crypto);
      this.state.crlNumber = number;
      await this.store?.record({ op: 'crl', number }, this.state);
      return new Uint8Array(crl.rawData);
    });
  }

  /** Release the key (closes the PKCS#11 session); the CA cannot sign afterwards. */
  async close(): Promise<void> {
    await this.signer.close();
  }

  private async persistNew(privateKey: KeyObject | undefined, signer: CaSigner): Promise<void> {
    if (!this.store) return;
    if (privateKey) await writeKeyFile(this.store.file('key'), privateKey);
    else if (signer instanceof Pkcs11Signer) await this.store.writePkcs11Ref(signer.ref);
    await this.store.writeCertificates(this.certificate, this.chain);
    await this.store.saveState(this.state);
  }

  /** Run `f` after every earlier state-changing operation of this CA (in-process serialisation). */
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private issue(p: IssueParams): Promise<Uint8Array> {
    if (!isCaCertificate(this.cert)) throw new PkiError(`${this.subject} is not a CA certificate`);
    return this.exclusive(async () => {
      let serialNumber = randomSerial();
      while (Object.hasOwn(this.state.issued, serialNumber)) serialNumber = randomSerial();
      const now = Date.now();
      const notAfter = new Date(Math.min(now + p.validityMs, this.cert.notAfter.getTime()));
      const extensions = await profileExtensions(p.profile, {
        subjectKey: p.publicKey, issuerKeyId: await certificateKeyId(this.cert), pathLength: p.pathLength,
        dnsNames: p.dnsNames, ipAddresses: p.ipAddresses, sanUri: p.sanUri,
      });
      const der = await CertificateAuthority.sign(this.signer, {
        serialNumber, subject: p.subject, issuer: this.cert.subjectName, publicKey: p.publicKey, notAfter, extensions,
      });
      const record = {
        subject: nameString(p.subject), profile: p.profile, issuedAt: new Date(now).toISOString(), notAfter: notAfter.toISOString(),
      };
      this.state.issued[serialNumber] = record;
      await this.store?.record({ op: 'issue', serial: serialNumber, record }, this.state);
      return der;
    });
  }

  private static async sign(signer: CaSigner, c: {
    serialNumber: string; subject: x509.Name; issuer: x509.Name; publicKey: KeyObject; notAfter: Date; extensions: x509.Extension[];
  }): Promise<Uint8Array> {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: c.serialNumber,
      subject: c.subject,
      issuer: c.issuer,
      notBefore: new Date(Date.now() - BACKDATE_MS),
      notAfter: c.notAfter,
      publicKey: new x509.PublicKey(spkiOf(c.publicKey)),
      signingKey: signer.signingKey,
      signingAlgorithm: signer.signingAlgorithm,
      extensions: c.extensions,
    }, signer.crypto);
    return new Uint8Array(cert.rawData);
  }
}
