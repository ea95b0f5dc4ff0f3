/**
 * The PKI trust transfer end to end (issue 7): 20 devices over real CoAP/DTLS and Redis move
 * from SP1 to SP2 as one campaign. Device 5's factory certificate is withheld from CA2, so its
 * enrollment fails permanently and it falls back to SP1; device 7 is a queue-mode device asleep
 * when the campaign starts, so its job parks until it wakes.
 */
import { X509Certificate } from 'node:crypto';
import { TransferStep } from '../../client-sim/transfer/index';
import { deviceIdOf, type HandoverRun, type HandoverWorld } from '../../scripts/demo/world/world';
import { handoverWorldFixture } from '../helpers/handover-world';

jest.setTimeout(180_000);

const DEVICES = 20;
const FAILING = 5;
const ASLEEP = 7;

describe('PKI trust transfer of a fleet, end to end', () => {
  const fixture = handoverWorldFixture('e2e');
  let world: HandoverWorld;
  let run: HandoverRun;
  let parkedSeen = false;

  beforeAll(async () => {
    world = await fixture.create({
      devices: DEVICES,
      failEnrollment: new Set([FAILING]), asleep: new Set([ASLEEP]), queueAwakeMs: 1500,
    });
    // SP1 believes the sleeping device asleep once its awake time has passed.
    await new Promise((r) => setTimeout(r, 2500));
    run = await world.startHandover();
    const engine = world.engine!;
    const sleeper = deviceIdOf(ASLEEP);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const status = await engine.control.store.device(run.campaignId, sleeper);
      if (status?.state === 'parked') { parkedSeen = true; break; }
      await new Promise((r) => setTimeout(r, 200));
    }
    // Let the others get ahead, then the sleeping device wakes (an Update: SP1 wakes its job).
    await new Promise((r) => setTimeout(r, 1000));
    await world.devices[ASLEEP].client.wake();
    await world.waitForCampaign(run, () => undefined, 120_000);
  });

  it('transfers every device but the one CA2 refuses, which falls back to SP1', async () => {
    const progress = await world.engine!.progress(run.campaignId);
    expect(progress.byState.transferred).toBe(DEVICES - 1);
    expect(progress.byState.fellBack).toBe(1);
    expect(progress.byState.failed).toBe(0);
    expect(progress.state).toBe('finished');
    const failing = await world.engine!.control.store.device(run.campaignId, deviceIdOf(FAILING));
    expect(failing?.state).toBe('fellBack');
  });

  it('parked the sleeping device until it woke, then transferred it', async () => {
    expect(parkedSeen).toBe(true);
    const status = await world.engine!.control.store.device(run.campaignId, deviceIdOf(ASLEEP));
    expect(status?.state).toBe('transferred');
    expect(world.devices[ASLEEP].agent.step).toBe(TransferStep.done);
  });

  it('leaves each transferred device registered at SP2 with a CA2 certificate and no longer at SP1', async () => {
    const ca2 = world.pki.hierarchy.ca2.subject;
    for (const d of world.devices) {
      if (d.id === deviceIdOf(FAILING)) continue;
      expect(d.agent.step).toBe(TransferStep.done);
      const atSp2 = await world.providers.sp2App.lwm2m.registrations.get(d.id);
      expect(atSp2?.certificate?.issuer.replace(/\s+/g, '')).toBe(ca2.replace(/\s+/g, ''));
      expect(await world.providers.sp1App.lwm2m.registrations.get(d.id)).toBeUndefined();
      const arrival = await world.providers.sp2.arrival(d.id);
      expect(arrival?.transferId).toBe(run.transferId);
    }
  });

  it('revokes the CA1 certificates of transferred devices only', () => {
    const ca1 = world.pki.hierarchy.ca1;
    for (const d of world.devices) {
      const serial = d.credentials.operationalSerial;
      expect(ca1.isRevoked(serial)).toBe(d.id !== deviceIdOf(FAILING));
    }
  });

  it('takes the fallen-back device back at SP1 with its factory certificate, never at SP2', async () => {
    const d = world.devices[FAILING];
    expect(d.agent.step).toBe(TransferStep.fallback);
    const atSp1 = await world.providers.sp1App.lwm2m.registrations.get(d.id);
    const factory = new X509Certificate(d.credentials.factory.certificate);
    expect(atSp1?.certificate?.serialNumber.toLowerCase()).toBe(factory.serialNumber.toLowerCase());
    expect(await world.providers.sp2App.lwm2m.registrations.get(d.id)).toBeUndefined();
    const rec = await world.providers.sp1.deviceRecord(d.id, run.transferId);
    expect(rec?.state).toBe('fellBack');
  });

  it('reports per-device sizes from what was exchanged', async () => {
    const s = await world.summary(run, Date.now() - 1000);
    expect(s.bytesPerDevice.token).toBeGreaterThan(216);
    expect(s.bytesPerDevice.csr).toBeGreaterThan(100);
    expect(s.bytesPerDevice.operationalCertificate).toBeGreaterThan(300);
    expect(s.bytesPerDevice.estHandshake).toBeGreaterThan(1000);
  });
});
