/**
 * Variants of the PKI trust transfer through the whole world (real Redis, UDP, DTLS, crypto,
 * SUIT): remote attestation by SP2's RA server against the SUIT state SP1 shared (one device
 * runs tampered firmware: refused, it falls back to SP1), update-first (every device installs
 * SP2's signed build before enrolling, trusting its signer only through the Trust Store anchor
 * the transfer delivered), and transfer objects remapped to 34001–34003.
 */
import { X509Certificate } from 'node:crypto';
import { AnchorPurpose, TransferResult, TransferStep } from '../../client-sim/transfer/index';
import { deviceIdOf, type HandoverRun, type HandoverWorld } from '../../scripts/demo/world/world';
import { handoverWorldFixture, type WorldFixtureOptions } from '../helpers/handover-world';

jest.setTimeout(120_000);

/** A world of `devices` devices and one finished transfer of the whole fleet. */
function worldFixture(name: string, opts: WorldFixtureOptions) {
  const fixture = handoverWorldFixture(name);
  const f = { world: undefined as unknown as HandoverWorld, run: undefined as unknown as HandoverRun, startedAt: 0 };
  beforeAll(async () => {
    f.world = await fixture.create(opts);
    f.startedAt = Date.now();
    f.run = await f.world.startHandover();
    await f.world.waitForCampaign(f.run, () => undefined, 60_000);
  });
  return f;
}

describe('remote attestation: SP2 verifies each device against the SUIT state SP1 shared', () => {
  const TAMPERED = 2;
  const f = worldFixture('variant-attest', { devices: 5, attest: true, tamperedFirmware: new Set([TAMPERED]) });

  it('puts the RA server URI in the TransferMessage', async () => {
    const t = await f.world.providers.sp1.transfer(f.run.transferId);
    expect(t?.message.raUri).toBe(f.world.ra!.uri);
    expect(t?.message.updateFirst).toBe(false);
  });

  it('transfers every device whose evidence matches; the tampered one falls back to SP1', async () => {
    const progress = await f.world.engine!.progress(f.run.campaignId);
    expect(progress.byState).toMatchObject({ transferred: 4, fellBack: 1, failed: 0 });
    for (const [i, d] of f.world.devices.entries()) {
      const result = await f.world.ra!.server.result(d.id);
      if (i === TAMPERED) {
        expect(result).toMatchObject({ ok: false, reason: 'wrong-firmware' });
        expect(d.agent.step).toBe(TransferStep.fallback);
        expect(d.agent.result.code).toBe(TransferResult.attestationFailed);
        expect(d.bytes.csr).toBe(0); // never reached CA2
        continue;
      }
      expect(result).toMatchObject({ ok: true, suitSequence: 1 });
      expect(d.agent.step).toBe(TransferStep.done);
      expect(await f.world.providers.sp2App.lwm2m.registrations.get(d.id)).toBeDefined();
      // no update asked: still the firmware SP1 shipped
      expect((await f.world.installedFirmware(i))?.manifestDigest.hex).toBe(f.world.firmware.current.manifestDigestHex);
    }
    expect(f.world.ra!.counts()).toEqual({ accepted: 4, refused: 1 });
  });

  it('takes the tampered device back at SP1 with its factory certificate; its CA1 certificate stays valid', async () => {
    const d = f.world.devices[TAMPERED];
    const atSp1 = await f.world.providers.sp1App.lwm2m.registrations.get(d.id);
    expect(atSp1?.certificate?.serialNumber.toLowerCase()).toBe(new X509Certificate(d.credentials.factory.certificate).serialNumber.toLowerCase());
    expect(await f.world.providers.sp2App.lwm2m.registrations.get(d.id)).toBeUndefined();
    expect(f.world.pki.hierarchy.ca1.isRevoked(d.credentials.operationalSerial)).toBe(false);
    expect((await f.world.providers.sp1.deviceRecord(d.id, f.run.transferId))?.state).toBe('fellBack');
  });

  it('reports the attestation traffic as its own row', async () => {
    const s = await f.world.summary(f.run, f.startedAt);
    expect(s.bytesPerDevice.attestation).toBeGreaterThan(400); // challenge + nonce + EAT with the factory certificate
    expect(s.messages.map((m) => m.key)).not.toContain('update');
  });
});

describe('update-first: devices install SP2\'s firmware before enrolling', () => {
  const f = worldFixture('variant-update', { devices: 4, updateFirst: true });

  it('says so in the TransferMessage, with SP2\'s update server as updateURI', async () => {
    const t = await f.world.providers.sp1.transfer(f.run.transferId);
    expect(t?.message.updateFirst).toBe(true);
    expect(t?.message.raUri).toBeNull();
    expect(t?.message.updateUri).toBe(f.world.updateServer.uri('/fw/sp2.suit'));
  });

  it('transfers every device, each running SP2\'s build (sequence 2) afterwards', async () => {
    const progress = await f.world.engine!.progress(f.run.campaignId);
    expect(progress.byState).toMatchObject({ transferred: 4, fellBack: 0, failed: 0 });
    const sp2 = f.world.firmware.sp2;
    for (const [i, d] of f.world.devices.entries()) {
      expect(d.agent.step).toBe(TransferStep.done);
      const installed = await f.world.installedFirmware(i);
      expect(installed?.sequenceNumber).toBe(2);
      expect(installed?.manifestDigest.hex).toBe(sp2.manifestDigestHex);
      expect(installed?.referenceUri).toBe(sp2.uri);
      // The device trusted SP2's signer only through the anchor the transfer delivered.
      const anchors = d.agent.trustStore.withPurpose(AnchorPurpose.updateServer);
      expect(anchors.map((a) => Buffer.from(a.certificate).toString('hex'))).toEqual([Buffer.from(f.world.firmware.sp2Signer.certificate).toString('hex')]);
      expect(f.world.firmware.deviceTrustStore.some((k) => k.equals(sp2.signer))).toBe(false);
    }
  });

  it('reports the update traffic as its own row', async () => {
    const s = await f.world.summary(f.run, f.startedAt);
    expect(s.bytesPerDevice.update).toBeGreaterThan(f.world.firmware.sp2.image.length + f.world.firmware.sp2.envelope.length);
    expect(s.bytesPerDevice.suitEnvelope).toBe(f.world.firmware.sp2.envelope.length);
    expect(s.messages.map((m) => m.key)).not.toContain('attestation');
  });
});

describe('transfer objects remapped to 34001–34003', () => {
  const ids = { transfer: 34001, trustStore: 34002, enrollment: 34003 };
  const f = worldFixture('variant-ids', { devices: 4, objectIds: ids });

  it('the devices expose the objects under the new ids', () => {
    for (const d of f.world.devices) expect(d.agent.objects.map((o) => o.id)).toEqual([34001, 34002, 34003]);
  });

  it('SP1 writes the token to /34001/0/0 and the anchors to /34002; every device is transferred', async () => {
    const progress = await f.world.engine!.progress(f.run.campaignId);
    expect(progress.byState).toMatchObject({ transferred: 4, fellBack: 0, failed: 0 });
    for (const d of f.world.devices) {
      const written = f.world.providers.sp1Adapter.writes.get(d.id);
      expect(written?.token).toBeGreaterThan(216);
      expect(written?.anchors).toBeGreaterThan(300);
      expect(d.agent.step).toBe(TransferStep.done);
      const atSp2 = await f.world.providers.sp2App.lwm2m.registrations.get(d.id);
      expect(Object.keys(atSp2?.availableInstances ?? {})).toEqual(expect.arrayContaining(['34001', '34002', '34003']));
      expect(atSp2?.availableInstances['33001']).toBeUndefined();
      expect((await f.world.providers.sp1.deviceRecord(d.id, f.run.transferId))?.state).toBe('transferred');
    }
    expect(deviceIdOf(0)).toBe(f.world.devices[0].id);
  });
});
