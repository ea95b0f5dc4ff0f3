/**
 * A busy CA (RFC 9148 §5.7): past maxConcurrentEnrollments the EST server answers 5.03 with a
 * Max-Age, the EstClient waits that long and resends the identical CSR, and gives up with the
 * 5.03 only after busyWaitMs. Real DTLS, real Redis policy; the policy is held open by a gate so
 * that an enrollment is provably in progress.
 */
import { EstError } from '../../../common/est/index';
import { describeCertificate } from '../../../common/pki/index';
import type { EnrollmentPolicy } from '../../../plugin/ca/index';
import { EstFixture } from './est-fixture';

let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
function closeGate(): void {
  gate = new Promise<void>((r) => { release = r; });
}

/** The Redis policy, each check waiting for the gate first. */
const gated = (p: EnrollmentPolicy): EnrollmentPolicy => ({
  allow: (t, c) => p.allow(t, c),
  checkEnroll: async (c, k) => { await gate; return p.checkEnroll(c, k); },
  recordEnrollment: (t, d, s, i) => p.recordEnrollment(t, d, s, i),
});

const f = new EstFixture();
beforeAll(() => f.start({ maxConcurrentEnrollments: 1, wrapPolicy: gated }));
afterAll(async () => { release(); await f.stop(); });

test('a second enrollment while one is in progress gets 5.03 + Max-Age, waits it out and enrolls', async () => {
  const [a, b] = await Promise.all([f.device('busy-a'), f.device('busy-b')]);
  await f.policy.allow('transfer-busy', [a.certificate, b.certificate]);
  const clientA = f.client(a.certificate, a.privateKey);
  const clientB = f.client(b.certificate, b.privateKey);
  closeGate();
  const first = clientA.simpleEnroll((await f.csr('CN=busy-a, serialNumber=busy-a')).csr);
  await new Promise((r) => setTimeout(r, 300)); // A is now held inside the server
  const t0 = Date.now();
  const second = clientB.simpleEnroll((await f.csr('CN=busy-b, serialNumber=busy-b')).csr);
  await new Promise((r) => setTimeout(r, 300));
  expect(f.logs.some((l) => /1 enrollments in progress: 5\.03, Max-Age \d+ s/.test(l))).toBe(true);
  release();
  expect(describeCertificate(await first).deviceId).toBe('busy-a');
  expect(describeCertificate(await second).deviceId).toBe('busy-b');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // at least one Max-Age (>= 1 s) waited
  expect(Object.keys(await f.policy.enrollments('transfer-busy')).sort()).toEqual(['busy-a', 'busy-b']);
});

test('a client that will not wait that long gives up with the 5.03', async () => {
  const [a, c] = await Promise.all([f.device('busy-c1'), f.device('busy-c2')]);
  await f.policy.allow('transfer-busy-2', [a.certificate, c.certificate]);
  closeGate();
  const held = f.client(a.certificate, a.privateKey).simpleEnroll((await f.csr('CN=busy-c1, serialNumber=busy-c1')).csr);
  await new Promise((r) => setTimeout(r, 300));
  const impatient = f.client(c.certificate, c.privateKey, { busyWaitMs: 0 });
  const e = await impatient.simpleEnroll((await f.csr('CN=busy-c2, serialNumber=busy-c2')).csr).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(EstError);
  expect((e as EstError).coapCode).toBe('5.03');
  release();
  await held;
  expect(Object.keys(await f.policy.enrollments('transfer-busy-2'))).toEqual(['busy-c1']);
});
