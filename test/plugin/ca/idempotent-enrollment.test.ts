/**
 * A retransmitted simple enroll (the device lost CA2's answer and resends the identical CSR,
 * RFC 9148 §5.7 / RFC 7030 §4.2.3): the same key in the same transfer gets the certificate
 * already issued, another key is still refused, and two concurrent enrollments of one device
 * never yield two certificates. On the real Redis policy and over real DTLS.
 */
import { X509Certificate } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InvalidInputError } from '../../../common/errors';
import { EnrollmentRefusedError } from '../../../common/est/index';
import { CertificateAuthority, describeCertificate, generateKeyPair } from '../../../common/pki/index';
import { RedisEnrollmentPolicy, publicKeyId } from '../../../plugin/ca/index';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';
import { EstFixture } from './est-fixture';

async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  return e instanceof EnrollmentRefusedError ? e.reason : `not refused: ${String(e)}`;
}

describe('RedisEnrollmentPolicy: the same key again', () => {
  let redis: Redis;
  let prefix: string;
  let factoryCa: CertificateAuthority;
  beforeAll(async () => {
    redis = testRedis();
    prefix = randomPrefix('idem');
    factoryCa = await CertificateAuthority.createRoot({ subject: 'CN=Factory CA' });
  });
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });
  const policy = () => new RedisEnrollmentPolicy({ redis, keyPrefix: prefix });
  const factoryCert = (deviceId: string) => factoryCa.issueFactoryCertificate({ deviceId, publicKey: generateKeyPair().publicKey });
  const keyId = () => publicKeyId(generateKeyPair().publicKey);

  test('checkEnroll returns the certificate recorded for the same key; another key or none is refused', async () => {
    const cert = await factoryCert('i-1');
    const p = policy();
    await p.allow('t-1', [cert]);
    const key = keyId();
    const issued = Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x07]);
    expect(await p.checkEnroll(cert, key)).toEqual({ transferId: 't-1', deviceId: 'i-1' });
    expect(await p.recordEnrollment('t-1', 'i-1', 'aa01', { keyId: key, certificate: issued })).toBeUndefined();
    const again = await policy().checkEnroll(cert, key);
    expect(again.issued).toEqual(issued);
    expect(await refusal(p.checkEnroll(cert, keyId()))).toBe('already-enrolled');
    expect(await refusal(p.checkEnroll(cert))).toBe('already-enrolled');
    // A later recording of the same key hands back the first certificate and records nothing.
    expect(await p.recordEnrollment('t-1', 'i-1', 'bb02', { keyId: key, certificate: Uint8Array.of(1) })).toEqual(issued);
    expect(await refusal(p.recordEnrollment('t-1', 'i-1', 'cc03', { keyId: keyId(), certificate: Uint8Array.of(2) }))).toBe('already-enrolled');
    expect(await p.enrollments('t-1')).toEqual({ 'i-1': 'aa01' });
  });

  test('two concurrent recordings of one key: one is recorded, the other gets its certificate', async () => {
    const cert = await factoryCert('i-2');
    const p = policy();
    await p.allow('t-2', [cert]);
    const key = keyId();
    const certs = [Uint8Array.of(0xa1), Uint8Array.of(0xb2)];
    const r = await Promise.all([
      p.recordEnrollment('t-2', 'i-2', '01', { keyId: key, certificate: certs[0] }),
      p.recordEnrollment('t-2', 'i-2', '02', { keyId: key, certificate: certs[1] }),
    ]);
    const winner = r[0] === undefined ? 0 : 1;
    expect(r[winner]).toBeUndefined();
    expect(r[1 - winner]).toEqual(certs[winner]);
    expect(await p.enrollments('t-2')).toEqual({ 'i-2': winner === 0 ? '01' : '02' });
  });

  test('a malformed key id changes nothing; withdraw forgets the kept certificates', async () => {
    const cert = await factoryCert('i-3');
    const p = policy();
    await p.allow('t-3', [cert]);
    await expect(p.checkEnroll(cert, 'not-hex')).rejects.toThrow(InvalidInputError);
    await expect(p.recordEnrollment('t-3', 'i-3', '01', { keyId: 'ABC', certificate: Uint8Array.of(1) })).rejects.toThrow(InvalidInputError);
    expect(await p.enrollments('t-3')).toEqual({});
    const key = keyId();
    await p.recordEnrollment('t-3', 'i-3', '01', { keyId: key, certificate: Uint8Array.of(1) });
    await p.withdraw('t-3');
    expect(await redis.exists(`${prefix}:est:transfer:t-3:issued`)).toBe(0);
    expect(await p.enrollments('t-3')).toEqual({ 'i-3': '01' });
    await p.allow('t-3', [cert]);
    expect(await refusal(p.checkEnroll(cert, key))).toBe('already-enrolled');
  });
});

describe('EstServer: /sen repeated over a new DTLS session', () => {
  const f = new EstFixture();
  beforeAll(() => f.start());
  afterAll(() => f.stop());

  test('the same CSR again gets the same certificate; a CSR for another key is refused', async () => {
    const dev = await f.device('rep-1');
    await f.policy.allow('transfer-rep-1', [dev.certificate]);
    const { csr, publicKey } = await f.csr('CN=rep-1, serialNumber=rep-1');
    const first = await f.client(dev.certificate, dev.privateKey).simpleEnroll(csr);
    // The device lost that answer: a new EST client (new DTLS session, new port) resends it.
    const second = await f.client(dev.certificate, dev.privateKey).simpleEnroll(csr);
    expect(Buffer.from(second)).toEqual(Buffer.from(first));
    expect(await refusal(f.client(dev.certificate, dev.privateKey).simpleEnroll((await f.csr('CN=rep-1, serialNumber=rep-1')).csr))).toBe('already-enrolled');
    const serial = describeCertificate(first).serialNumber;
    expect(await f.policy.enrollments('transfer-rep-1')).toEqual({ 'rep-1': serial });
    expect(new X509Certificate(first).publicKey.equals(publicKey)).toBe(true);
    expect(f.logs.some((l) => l.includes('repeated by device rep-1') && l.includes(serial))).toBe(true);
  });

  test('a new CSR signed with the same key is answered with the same certificate', async () => {
    const dev = await f.device('rep-2');
    await f.policy.allow('transfer-rep-2', [dev.certificate]);
    const keys = generateKeyPair('P-256');
    const first = await f.client(dev.certificate, dev.privateKey).simpleEnroll((await f.csr('CN=rep-2, serialNumber=rep-2', keys)).csr);
    const second = await f.client(dev.certificate, dev.privateKey).simpleEnroll((await f.csr('CN=rep-2, serialNumber=rep-2', keys)).csr);
    expect(Buffer.from(second)).toEqual(Buffer.from(first));
  });

  test('two concurrent enrollments of one key get one certificate; the one issued in vain is revoked', async () => {
    const dev = await f.device('rep-3');
    await f.policy.allow('transfer-rep-3', [dev.certificate]);
    const { csr } = await f.csr('CN=rep-3, serialNumber=rep-3');
    const [a, b] = await Promise.all([
      f.client(dev.certificate, dev.privateKey).simpleEnroll(csr),
      f.client(dev.certificate, dev.privateKey).simpleEnroll(csr),
    ]);
    expect(Buffer.from(a)).toEqual(Buffer.from(b));
    const serial = describeCertificate(a).serialNumber;
    expect(await f.policy.enrollments('transfer-rep-3')).toEqual({ 'rep-3': serial });
    expect(f.ca.isRevoked(serial)).toBe(false);
  });

  test('a certificate the CA revoked since is not answered again', async () => {
    const dev = await f.device('rep-4');
    await f.policy.allow('transfer-rep-4', [dev.certificate]);
    const { csr } = await f.csr('CN=rep-4, serialNumber=rep-4');
    const first = await f.client(dev.certificate, dev.privateKey).simpleEnroll(csr);
    await f.ca.revoke(describeCertificate(first).serialNumber, 'keyCompromise');
    expect(await refusal(f.client(dev.certificate, dev.privateKey).simpleEnroll(csr))).toBe('already-enrolled');
  });
});
