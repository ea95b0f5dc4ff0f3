/** The pure rules of the roles: trust-store planning, fallback verdicts, arrivals, object ids. */
import { createHash } from 'node:crypto';
import { lwm2mObject, objectInstance, singleResource } from '../../../objects/node';
import { anchorsFromJson, anchorToJson, arrivalCertificate, fallbackVerdict, normalDn, objectIdsFromEnv, planTrustStore } from '../../../plugin/roles';
import { createTestCa, type TestCa } from '../ra/factory-pki';

let a: TestCa;
let b: TestCa;
beforeAll(async () => { a = await createTestCa('A'); b = await createTestCa('B'); });

describe('planTrustStore', () => {
  it('creates missing anchors in free instance ids, marks kept ones surviving, skips duplicates', () => {
    const current = lwm2mObject(33002, [
      objectInstance(0, [singleResource(0, 'OPAQUE', a.certificate), singleResource(2, 'INTEGER', 0n), singleResource(3, 'BOOLEAN', false)]),
      objectInstance(2, [singleResource(0, 'OPAQUE', b.certificate), singleResource(2, 'INTEGER', 4n), singleResource(3, 'BOOLEAN', true)]),
    ]);
    const plan = planTrustStore(current, [
      { certificate: a.certificate, purpose: 'enrollment-ca' },
      { certificate: a.certificate, purpose: 'enrollment-ca' },
      { certificate: b.certificate, purpose: 'provider-signer' },
      { certificate: b.certificate, purpose: 'update-server', label: 'fw' },
      { certificate: a.certificate, purpose: 'attestation-verifier' },
    ]);
    expect(plan.markSurviving).toEqual([0]);
    expect(plan.create.map((i) => i.id)).toEqual([1, 3]);
    expect(plan.create[0].resources.get(2)).toEqual(singleResource(2, 'INTEGER', 1n));
    expect(plan.create[0].resources.get(3)).toEqual(singleResource(3, 'BOOLEAN', true));
    expect(plan.create[0].resources.get(4)).toEqual(singleResource(4, 'STRING', 'fw'));
    expect(planTrustStore(undefined, [{ certificate: a.certificate, purpose: 'factory-ca' }]).create.map((i) => i.id)).toEqual([0]);
  });

  it('round-trips anchors through JSON and refuses bad ones', () => {
    const j = anchorToJson({ certificate: a.certificate, purpose: 'lwm2m-server', label: 'x' });
    expect(anchorsFromJson([j])[0].purpose).toBe('lwm2m-server');
    expect(() => anchorsFromJson([{ ...j, purpose: 'coffee' }])).toThrow(/unknown purpose/);
    expect(() => anchorsFromJson([{ ...j, certificate: 'AAAA' }])).toThrow(/not a DER X.509/);
    expect(() => anchorsFromJson({})).toThrow(/array/);
  });
});

describe('fallbackVerdict', () => {
  const fp = () => createHash('sha256').update(a.certificate).digest('hex');
  it('needs a delivered device with its factory certificate', () => {
    const cert = { subject: 's', issuer: 'i', serialNumber: '1', fingerprint256: fp().toUpperCase().match(/../g)!.join(':') };
    expect(fallbackVerdict('delivered', a.certificate, { certificate: cert }, { allowWithoutCertificate: false })).toEqual({ fellBack: true });
    expect(fallbackVerdict(undefined, a.certificate, { certificate: cert }, { allowWithoutCertificate: false })).toMatchObject({ reason: 'not-delivered' });
    expect(fallbackVerdict('transferred', a.certificate, { certificate: cert }, { allowWithoutCertificate: false })).toMatchObject({ reason: 'transferred' });
    expect(fallbackVerdict('delivered', b.certificate, { certificate: cert }, { allowWithoutCertificate: false })).toMatchObject({ reason: 'other-certificate' });
    expect(fallbackVerdict('delivered', a.certificate, {}, { allowWithoutCertificate: false })).toMatchObject({ reason: 'no-certificate' });
    expect(fallbackVerdict('delivered', a.certificate, {}, { allowWithoutCertificate: true, transferState: 6 })).toMatchObject({ reason: 'needs-state' });
    expect(fallbackVerdict('delivered', a.certificate, {}, { allowWithoutCertificate: true, transferState: 10 })).toEqual({ fellBack: true });
  });
});

describe('arrivals and object ids', () => {
  it('counts only secure registrations with a CA2 certificate', () => {
    expect(normalDn('CN=CA2\nO=SP2')).toBe(normalDn('CN=CA2, O=SP2'));
    const cert = { subject: 'CN=d', issuer: 'CN=CA2\nO=SP2', serialNumber: 'AB:01' };
    expect(arrivalCertificate({ secure: true, certificate: cert }, 'CN=CA2, O=SP2')).toBe('ab01');
    expect(arrivalCertificate({ secure: false, certificate: cert }, 'CN=CA2, O=SP2')).toBeUndefined();
    expect(arrivalCertificate({ secure: true }, 'CN=CA2, O=SP2')).toBeUndefined();
    expect(arrivalCertificate({ secure: true, certificate: cert }, (i) => i.includes('CA9'))).toBeUndefined();
  });

  it('reads HANDOVER_OBJECT_IDS and refuses ids outside the private range', () => {
    expect(objectIdsFromEnv(undefined)).toEqual({ transfer: 33001, trustStore: 33002, enrollment: 33003 });
    expect(objectIdsFromEnv('transfer:34001,truststore:34002')).toEqual({ transfer: 34001, trustStore: 34002, enrollment: 33003 });
    expect(() => objectIdsFromEnv('transfer:42770')).toThrow(/private range/);
    expect(() => objectIdsFromEnv('bogus')).toThrow(/name:id/);
  });
});
