/**
 * DTLS credentials ⇄ Security object resources (client-sim/security-credentials.ts), and how
 * LwM2mClient takes its factory credentials: coaps:// accounts carry them, coap:// stays NoSec,
 * a coaps:// account without credentials is refused up front.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { LwM2mClient } from '../../client-sim/client';
import type { ClientSecurity } from '../../client-sim/client-options';
import { SecurityMode, type SecurityAccount } from '../../client-sim/objects/security';
import { checkClientSecurity, credentialsDigest, dtlsCredentials, enrolledCredentials, securityResources, splitDer } from '../../client-sim/security-credentials';
import { TestPki, type Issued } from '../e2e/dtls-pki';

describe('security credentials', () => {
  const pki = new TestPki();
  let ca: string;
  let ca2: string;
  let dev: Issued;
  let x509: ClientSecurity;

  beforeAll(() => {
    ca = pki.ca('ca', 'Unit CA').pem;
    ca2 = pki.ca('ca2', 'Unit CA 2').pem;
    dev = pki.leaf('dev', 'ca', { cn: 'dev-u' });
    x509 = { mode: 'x509', certChainPem: dev.certPem + ca, keyPem: dev.keyPem, caPem: ca + ca2 };
  });
  afterAll(() => pki.remove());

  const account = (r: ReturnType<typeof securityResources>, over: Partial<SecurityAccount> = {}): SecurityAccount =>
    ({ instanceId: 1, uri: 'coaps://127.0.0.1:5684', bootstrap: false, shortServerId: 1, ...r, ...over });

  it('stores PSK as mode 0 with the identity in UTF-8 and reads it back', () => {
    const r = securityResources({ mode: 'psk', identity: 'dév-1', key: Buffer.from('00ff10', 'hex') });
    expect(r.securityMode).toBe(SecurityMode.PSK);
    expect(Buffer.from(r.publicKeyOrIdentity).toString('utf8')).toBe('dév-1');
    expect(dtlsCredentials(account(r))).toEqual({ psk: { identity: 'dév-1', key: Buffer.from('00ff10', 'hex') } });
  });

  it('stores a certificate as mode 2: chain and CAs as concatenated DER, the key as PKCS#8 DER', () => {
    const r = securityResources(x509);
    expect(r.securityMode).toBe(SecurityMode.CERTIFICATE);
    const chain = splitDer(Buffer.from(r.publicKeyOrIdentity));
    expect(chain).toHaveLength(2);
    expect(new X509Certificate(chain[0]).subject).toContain('CN=dev-u');
    expect(splitDer(Buffer.from(r.serverPublicKey)).map((d) => new X509Certificate(d).subject)).toEqual(['CN=Unit CA', 'CN=Unit CA 2']);
    expect(createPrivateKey({ key: Buffer.from(r.secretKey), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ec');
    const back = dtlsCredentials(account(r)).certificate!;
    expect(new X509Certificate(back.certChainPem).fingerprint256).toBe(new X509Certificate(dev.certPem).fingerprint256);
    expect(back.caPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(createPrivateKey(back.keyPem).export({ format: 'jwk' })).toEqual(createPrivateKey(dev.keyPem).export({ format: 'jwk' }));
  });

  it('fills an empty mode 4 (certificate with EST) account from the factory x509 credentials only', () => {
    const empty = { securityMode: SecurityMode.CERTIFICATE_EST, publicKeyOrIdentity: new Uint8Array(), serverPublicKey: new Uint8Array(), secretKey: new Uint8Array() };
    expect(dtlsCredentials(account(empty), x509).certificate?.keyPem).toBe(dev.keyPem);
    expect(() => dtlsCredentials(account(empty))).toThrow(/unusable certificate credentials/);
    expect(() => dtlsCredentials(account({ ...empty, securityMode: SecurityMode.CERTIFICATE }), x509)).toThrow(/unusable/);
  });

  it('fills a mode 4 account from the certificate the device bootstrapped with, before the built credentials', () => {
    const enrolled = pki.leaf('enrolled', 'ca2', { cn: 'dev-u' });
    const enrolledX509: ClientSecurity = { mode: 'x509', certChainPem: enrolled.certPem, keyPem: enrolled.keyPem, caPem: ca2 };
    const bs = account(securityResources(enrolledX509), { instanceId: 0, bootstrap: true, shortServerId: undefined });
    const dm = account({ securityMode: SecurityMode.CERTIFICATE_EST, publicKeyOrIdentity: new Uint8Array(), serverPublicKey: securityResources(x509).serverPublicKey, secretKey: new Uint8Array() });
    const filler = enrolledCredentials([bs, dm], x509);
    const creds = dtlsCredentials(dm, filler).certificate!;
    expect(new X509Certificate(creds.certChainPem).fingerprint256).toBe(new X509Certificate(enrolled.certPem).fingerprint256);
    expect(createPrivateKey(creds.keyPem).export({ format: 'jwk' })).toEqual(createPrivateKey(enrolled.keyPem).export({ format: 'jwk' }));
    // The account's own server trust (resource 4) wins over the filler's.
    expect(creds.caPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    // No usable bootstrap account (PSK, or none): the built x509 credentials; nothing for PSK-built clients.
    const pskBs = account(securityResources({ mode: 'psk', identity: 'dev-u', key: Buffer.from('01', 'hex') }), { instanceId: 0, bootstrap: true });
    expect(enrolledCredentials([pskBs, dm], x509)).toBe(x509);
    expect(enrolledCredentials([dm], { mode: 'psk', identity: 'x', key: Buffer.from('01', 'hex') })).toBeUndefined();
  });

  it('refuses NoSec, RPK, empty PSK and malformed DER for a coaps:// account', () => {
    const none = { publicKeyOrIdentity: new Uint8Array(), serverPublicKey: new Uint8Array(), secretKey: new Uint8Array() };
    expect(() => dtlsCredentials(account({ ...none, securityMode: 3 }))).toThrow(/not NoSec/);
    expect(() => dtlsCredentials(account({ ...none, securityMode: 1 }))).toThrow(/mode 1 is not supported/);
    expect(() => dtlsCredentials(account({ ...none, securityMode: 0 }))).toThrow(/without identity or key/);
    const r = securityResources(x509);
    expect(() => dtlsCredentials(account({ ...r, publicKeyOrIdentity: r.publicKeyOrIdentity.subarray(0, 40) }))).toThrow(/truncated/);
    expect(() => dtlsCredentials(account({ ...r, secretKey: new Uint8Array([1, 2, 3]) }))).toThrow(/unusable/);
  });

  it('reads the same credentials alike every time (cached by DER digest) and still refuses bad DER after good', () => {
    const r = securityResources(x509);
    const first = dtlsCredentials(account(r)).certificate!;
    const again = dtlsCredentials(account({ ...r, publicKeyOrIdentity: new Uint8Array(r.publicKeyOrIdentity), secretKey: new Uint8Array(r.secretKey) })).certificate!;
    expect(again).toEqual(first);
    expect(credentialsDigest({ certificate: again })).toBe(credentialsDigest({ certificate: first }));
    expect(new X509Certificate(first.certChainPem).fingerprint256).toBe(new X509Certificate(dev.certPem).fingerprint256);
    // A changed key is a different entry, and a broken one is refused (failures are not cached).
    const other = pki.leaf('other', 'ca', { cn: 'dev-o' });
    const otherKey = securityResources({ mode: 'x509', certChainPem: dev.certPem, keyPem: other.keyPem, caPem: ca }).secretKey;
    expect(dtlsCredentials(account({ ...r, secretKey: otherKey })).certificate!.keyPem).toBe(createPrivateKey(other.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString());
    const broken = new Uint8Array(r.secretKey);
    broken[10] ^= 0xff;
    expect(() => dtlsCredentials(account({ ...r, secretKey: broken }))).toThrow(/unusable/);
    expect(() => dtlsCredentials(account({ ...r, secretKey: broken }))).toThrow(/unusable/);
  });

  it('checks credentials given by a caller', () => {
    expect(() => checkClientSecurity({ mode: 'psk', identity: '', key: Buffer.alloc(4) })).toThrow(/identity/);
    expect(() => checkClientSecurity({ mode: 'psk', identity: 'a', key: Buffer.alloc(0) })).toThrow(/key/);
    expect(() => checkClientSecurity({ ...x509, certChainPem: 'nothing' } as ClientSecurity)).toThrow(/no certificate/);
    expect(() => checkClientSecurity({ ...x509, keyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } as ClientSecurity)).toThrow(/unreadable/);
    expect(() => checkClientSecurity({ mode: 'rpk' } as unknown as ClientSecurity)).toThrow(/unknown mode/);
    expect(() => checkClientSecurity(x509)).not.toThrow();
  });

  it('gives different digests to different credentials', () => {
    const a = credentialsDigest({ psk: { identity: 'a', key: Buffer.alloc(4, 1) } });
    expect(credentialsDigest({ psk: { identity: 'a', key: Buffer.alloc(4, 2) } })).not.toBe(a);
    expect(credentialsDigest({ psk: { identity: 'a', key: Buffer.alloc(4, 1) } })).toBe(a);
  });

  it('puts the factory credentials into coaps:// Security instances only, and refuses coaps:// without any', () => {
    const c = new LwM2mClient({ endpoint: 'dev-u', serverUri: 'coaps://127.0.0.1:5684', bootstrapUri: 'coap://127.0.0.1:5683', security: x509 });
    const modes = [0, 1].map((i) => (c.getResource(`/0/${i}/2`) as { value: bigint }).value);
    expect(modes).toEqual([3n, 2n]); // bootstrap coap:// NoSec, DM coaps:// certificate
    expect(c.currentServerUri()).toBe('coaps://127.0.0.1:5684');
    expect(() => new LwM2mClient({ endpoint: 'dev-u', serverUri: 'coaps://127.0.0.1:5684' })).toThrow(/needs options.security/);
    expect(() => new LwM2mClient({ endpoint: 'dev-u', serverUri: 'coaps://127.0.0.1:5684', security: { mode: 'nosec' } })).toThrow(/needs options.security/);
    expect(() => new LwM2mClient({ endpoint: 'dev-u', serverUri: 'coap://127.0.0.1:5684', security: { mode: 'psk', identity: '', key: Buffer.alloc(1) } })).toThrow(/identity/);
  });

  it('refuses rejoin on a client that is not started', async () => {
    const c = new LwM2mClient({ endpoint: 'dev-u', serverUri: 'coap://127.0.0.1:5683' });
    await expect(c.rejoin({ uri: 'coap://127.0.0.1:5683', bootstrap: false, security: { mode: 'nosec' } })).rejects.toMatchObject({ code: 'ERR_REGISTRATION' });
  });
});
