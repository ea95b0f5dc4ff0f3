/**
 * The device's DTLS credentials, both ways between the two forms it holds them in:
 *
 * - ClientSecurity (client-options.ts), what a caller gives: PSK identity + key, or PEM
 *   certificate chain, private key and trusted CA(s);
 * - the LwM2M Security object instance (object 0), what a bootstrap server writes and the state
 *   file keeps: resource 2 Security Mode, 3 Public Key or Identity, 4 Server Public Key,
 *   5 Secret Key.
 *
 * Encoding in the Security object (LwM2M 1.1 Core §E.1):
 *   mode 0 PSK          3 = identity (UTF-8 bytes), 5 = key
 *   mode 2 certificate  3 = own certificate DER, followed by any intermediates (concatenated
 *                           DER, leaf first), 4 = trusted CA certificate(s) DER (concatenated),
 *                       5 = private key, PKCS#8 DER
 *   mode 3 NoSec        nothing
 *   mode 4 cert + EST   as mode 2; empty resources are taken from the certificate the device
 *                       holds from its enrollment (enrolledCredentials): the one it
 *                       authenticated to its bootstrap server with, else the x509 credentials
 *                       the client was built with. A bootstrap server never holds the device's
 *                       private key, so it writes a mode 4 account with resources 3 and 5 empty.
 * Mode 1 (raw public key) is refused: the DTLS transport has no RPK support.
 *
 * A device reads its credentials out of the Security object before every uplink request, so the
 * DER → PEM conversions (a certificate and key parse each) are cached by digest of the DER,
 * in bounded least-recently-used caches shared by the devices of the process.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../common/errors';
import type { DtlsClientOptions } from '../common/dtls/index';
import { BoundedCache } from '../common/bounded-cache';
import type { ClientSecurity } from './client-options';
import { RegistrationError } from './errors';
import { SecurityMode, type SecurityAccount } from './objects/security';

/** Resources 2–5 of a Security instance for these credentials. */
export interface SecurityResources {
  readonly securityMode: number;
  readonly publicKeyOrIdentity: Uint8Array;
  readonly serverPublicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** What a DtlsClient needs: exactly one of psk / certificate. */
export type DtlsCredentials = Pick<DtlsClientOptions, 'psk' | 'certificate'>;

const EMPTY = new Uint8Array();

/** PEM conversions kept per kind: a few per device in flight is plenty. */
const PEM_CACHE_MAX = 512;
const certificatePems = new BoundedCache<string>(PEM_CACHE_MAX);
const keyPems = new BoundedCache<string>(PEM_CACHE_MAX);

const derDigest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

/** Check a ClientSecurity given by a caller; InvalidInputError naming what is wrong. */
export function checkClientSecurity(s: ClientSecurity, what = 'security'): void {
  if (typeof s !== 'object' || s === null) throw new InvalidInputError(`${what} must be an object`);
  switch (s.mode) {
    case 'nosec':
      return;
    case 'psk':
      if (typeof s.identity !== 'string' || s.identity === '') throw new InvalidInputError(`${what}: PSK identity must be a non-empty string`);
      if (!(s.key instanceof Uint8Array) || s.key.length === 0) throw new InvalidInputError(`${what}: PSK key must be a non-empty Buffer`);
      return;
    case 'x509': {
      const chain = pemBlocks(s.certChainPem, 'CERTIFICATE');
      if (chain.length === 0) throw new InvalidInputError(`${what}: certChainPem holds no certificate`);
      if (pemBlocks(s.caPem, 'CERTIFICATE').length === 0) throw new InvalidInputError(`${what}: caPem holds no certificate`);
      try {
        for (const der of chain) new X509Certificate(der);
        createPrivateKey(s.keyPem);
      } catch (e) {
        throw new InvalidInputError(`${what}: unreadable certificate or key (${(e as Error).message})`, { cause: e });
      }
      return;
    }
    default:
      throw new InvalidInputError(`${what}: unknown mode ${JSON.stringify((s as { mode: unknown }).mode)} (nosec, psk or x509)`);
  }
}

/** The Security object resources holding `s`. */
export function securityResources(s: ClientSecurity): SecurityResources {
  switch (s.mode) {
    case 'nosec':
      return { securityMode: SecurityMode.NO_SEC, publicKeyOrIdentity: EMPTY, serverPublicKey: EMPTY, secretKey: EMPTY };
    case 'psk':
      return { securityMode: SecurityMode.PSK, publicKeyOrIdentity: new Uint8Array(Buffer.from(s.identity, 'utf8')), serverPublicKey: EMPTY, secretKey: new Uint8Array(s.key) };
    case 'x509':
      return {
        securityMode: SecurityMode.CERTIFICATE,
        publicKeyOrIdentity: new Uint8Array(Buffer.concat(pemBlocks(s.certChainPem, 'CERTIFICATE'))),
        serverPublicKey: new Uint8Array(Buffer.concat(pemBlocks(s.caPem, 'CERTIFICATE'))),
        secretKey: new Uint8Array(createPrivateKey(s.keyPem).export({ type: 'pkcs8', format: 'der' })),
      };
  }
}

/**
 * The certificate credentials a mode 4 account's empty resources are filled with: those of the
 * Bootstrap-Server account when it holds a certificate and key (the device bootstrapped with the
 * certificate it enrolled), else `built` (the client's own option) when it is x509.
 */
export function enrolledCredentials(accounts: readonly SecurityAccount[], built?: ClientSecurity): ClientSecurity | undefined {
  const bs = accounts.find((a) => a.bootstrap && (a.securityMode === SecurityMode.CERTIFICATE || a.securityMode === SecurityMode.CERTIFICATE_EST)
    && a.publicKeyOrIdentity.length > 0 && a.secretKey.length > 0 && a.serverPublicKey.length > 0);
  if (bs) {
    try {
      return {
        mode: 'x509', certChainPem: derListToPem(bs.publicKeyOrIdentity), caPem: derListToPem(bs.serverPublicKey),
        keyPem: privateKeyPem(bs.secretKey),
      };
    } catch {
      // An unreadable bootstrap account fills nothing; the built credentials are next.
    }
  }
  return built?.mode === 'x509' ? built : undefined;
}

/**
 * The DTLS credentials of a coaps:// account, from its Security instance; `factory` (see
 * enrolledCredentials) fills the empty resources of a mode 4 account. RegistrationError when the account cannot be used.
 */
export function dtlsCredentials(account: SecurityAccount, factory?: ClientSecurity): DtlsCredentials {
  const where = `Security instance /0/${account.instanceId} (${account.uri})`;
  switch (account.securityMode) {
    case SecurityMode.PSK: {
      if (account.publicKeyOrIdentity.length === 0 || account.secretKey.length === 0) throw new RegistrationError(`${where}: PSK mode without identity or key`);
      return { psk: { identity: Buffer.from(account.publicKeyOrIdentity).toString('utf8'), key: Buffer.from(account.secretKey) } };
    }
    case SecurityMode.CERTIFICATE:
    case SecurityMode.CERTIFICATE_EST: {
      const fallback = account.securityMode === SecurityMode.CERTIFICATE_EST && factory?.mode === 'x509' ? factory : undefined;
      try {
        const certChainPem = account.publicKeyOrIdentity.length > 0 ? derListToPem(account.publicKeyOrIdentity) : fallback?.certChainPem;
        const caPem = account.serverPublicKey.length > 0 ? derListToPem(account.serverPublicKey) : fallback?.caPem;
        const keyPem = account.secretKey.length > 0 ? privateKeyPem(account.secretKey) : fallback?.keyPem;
        if (!certChainPem || !caPem || !keyPem) throw new Error('certificate, private key or server CA missing');
        return { certificate: { certChainPem, keyPem, caPem } };
      } catch (e) {
        throw new RegistrationError(`${where}: unusable certificate credentials (${(e as Error).message})`, { cause: e });
      }
    }
    case SecurityMode.NO_SEC:
      throw new RegistrationError(`${where}: a coaps:// server needs PSK or certificate mode, not NoSec`);
    default:
      throw new RegistrationError(`${where}: security mode ${account.securityMode} is not supported (0 PSK, 2 certificate, 3 NoSec, 4 certificate with EST)`);
  }
}

/** A short digest of credentials: a session is reused only while its credentials are unchanged. */
export function credentialsDigest(c: DtlsCredentials): string {
  const h = createHash('sha256');
  if (c.psk) h.update('psk\0').update(c.psk.identity).update('\0').update(c.psk.key);
  if (c.certificate) h.update('x509\0').update(c.certificate.certChainPem).update('\0').update(c.certificate.keyPem).update('\0').update(c.certificate.caPem);
  return h.digest('hex');
}

/** The DER bodies of every PEM block labelled `label`. */
function pemBlocks(pem: unknown, label: string): Buffer[] {
  if (typeof pem !== 'string') return [];
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** Concatenated DER certificates → PEM, each checked to be a certificate (cached). */
function derListToPem(bytes: Uint8Array): string {
  return certificatePems.get(derDigest(bytes), () => splitDer(Buffer.from(bytes)).map((der) => new X509Certificate(der).toString()).join(''));
}

/** A PKCS#8 DER private key → PEM, checked to be a key (cached). */
function privateKeyPem(bytes: Uint8Array): string {
  return keyPems.get(derDigest(bytes), () => createPrivateKey({ key: Buffer.from(bytes), format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** Split concatenated DER SEQUENCEs (definite lengths). */
export function splitDer(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf[at] !== 0x30 || at + 2 > buf.length) throw new Error('not a DER certificate list');
    let len = buf[at + 1];
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || at + 2 + n > buf.length) throw new Error('bad DER length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i];
      header += n;
    }
    const end = at + header + len;
    if (end > buf.length) throw new Error('truncated DER certificate');
    out.push(buf.subarray(at, end));
    at = end;
  }
  return out;
}
