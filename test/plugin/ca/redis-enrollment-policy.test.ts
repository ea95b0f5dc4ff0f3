/**
 * RedisEnrollmentPolicy on the real test Redis: listing per transfer by fingerprint, one
 * enrollment per device per transfer (also under concurrency), restart safety, bad input.
 */
import type { Redis } from 'ioredis';
import { InvalidInputError } from '../../../common/errors';
import { EnrollmentRefusedError } from '../../../common/est/index';
import { CertificateAuthority, generateKeyPair } from '../../../common/pki/index';
import { RedisEnrollmentPolicy } from '../../../plugin/ca/index';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';

let redis: Redis;
let prefix: string;
let factoryCa: CertificateAuthority;

beforeAll(async () => {
  redis = testRedis();
  prefix = randomPrefix('policy');
  factoryCa = await CertificateAuthority.createRoot({ subject: 'CN=Factory CA' });
});
afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

const factoryCert = (deviceId: string) => factoryCa.issueFactoryCertificate({ deviceId, publicKey: generateKeyPair().publicKey });
const policy = () => new RedisEnrollmentPolicy({ redis, keyPrefix: prefix });

async function reason(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  return e instanceof EnrollmentRefusedError ? e.reason : `not refused: ${String(e)}`;
}

test('a listed factory certificate may enroll once per transfer; a restarted policy remembers', async () => {
  const cert = await factoryCert('p-1');
  const p = policy();
  expect(await reason(p.checkEnroll(cert))).toBe('not-listed');
  await p.allow('t-a', [cert]);
  expect(await p.checkEnroll(cert)).toEqual({ transferId: 't-a', deviceId: 'p-1' });
  await p.recordEnrollment('t-a', 'p-1', 'abcd');
  const restarted = policy();
  expect(await reason(restarted.checkEnroll(cert))).toBe('already-enrolled');
  expect(await reason(restarted.recordEnrollment('t-a', 'p-1', 'ef01'))).toBe('already-enrolled');
  expect(await restarted.enrollments('t-a')).toEqual({ 'p-1': 'abcd' });
  // Listed again for a later transfer: may enroll there once more.
  await restarted.allow('t-b', [cert]);
  expect(await restarted.checkEnroll(cert)).toEqual({ transferId: 't-b', deviceId: 'p-1' });
});

test('of two concurrent recordings for one device exactly one wins', async () => {
  const cert = await factoryCert('p-2');
  const p = policy();
  await p.allow('t-c', [cert]);
  const results = await Promise.allSettled([p.recordEnrollment('t-c', 'p-2', '01'), p.recordEnrollment('t-c', 'p-2', '02')]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
});

test('bad input changes nothing; withdraw removes the listings of a transfer', async () => {
  const good = await factoryCert('p-3');
  const p = policy();
  const noDeviceId = await CertificateAuthority.createRoot({ subject: 'CN=no serial' });
  await expect(p.allow('t-d', [good, noDeviceId.certificate])).rejects.toThrow(InvalidInputError);
  await expect(p.allow('t-d', [good, Uint8Array.from([0x30, 0x03, 0x02])])).rejects.toThrow(/certificate/i);
  await expect(p.allow('', [good])).rejects.toThrow(InvalidInputError);
  expect(await reason(p.checkEnroll(good))).toBe('not-listed');
  await p.allow('t-d', [good]);
  await p.withdraw('t-d');
  expect(await reason(p.checkEnroll(good))).toBe('not-listed');
});
