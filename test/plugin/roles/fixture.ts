/** Test fixture for the role tests: SP1/SP2 keys, a factory CA and its devices, CA2 and SP1's LwM2M CA. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { FleetDevice } from '../../../plugin/roles';
import { createTestCa, type IssuedCertificate, type TestCa } from '../ra/factory-pki';

export interface RoleFixture {
  sp1: { privateKey: KeyObject; publicKey: KeyObject };
  sp2: { privateKey: KeyObject; publicKey: KeyObject };
  rogue: { privateKey: KeyObject; publicKey: KeyObject };
  factoryCa: TestCa;
  ca2: TestCa;
  sp1ServerCa: TestCa;
  devices: Map<string, IssuedCertificate>;
  fleet(deviceId: string, operationalSerial?: string): FleetDevice;
}

export async function roleFixture(deviceIds: string[]): Promise<RoleFixture> {
  const keys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const factoryCa = await createTestCa('Factory CA');
  const devices = new Map<string, IssuedCertificate>();
  for (const id of deviceIds) devices.set(id, await factoryCa.issue(id));
  const now = Math.floor(Date.now() / 1000);
  return {
    sp1: keys(), sp2: keys(), rogue: keys(), factoryCa, ca2: await createTestCa('CA2'), sp1ServerCa: await createTestCa('SP1 LwM2M'), devices,
    fleet: (deviceId, operationalSerial) => ({
      deviceId, factoryCertificate: devices.get(deviceId)!.certificate, updateTimeNotBefore: now, updateTimeNotAfter: now + 86400,
      suitSequenceNumber: 4, suitReferenceUri: 'coap://sp1.example/fw/4.suit', ...(operationalSerial ? { operationalSerial } : {}),
    }),
  };
}
