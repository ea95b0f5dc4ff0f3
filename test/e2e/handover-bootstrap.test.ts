/**
 * Joining SP2 through SP2's bootstrap server, in the handover world (real CoAP/DTLS, Redis, CAs):
 * the TransferMessage's bootstrapUri is SP2's bootstrap server; each transferred device sends a
 * Bootstrap-Request with its new CA2 certificate, gets a Security Mode 4 account for SP2's
 * LwM2M server (no key material from SP2) and registers there with the certificate it enrolled;
 * the device whose enrollment CA2 refuses never reaches the bootstrap server and falls back to
 * SP1 directly. The demo's byte table gains the bootstrap exchange.
 */
import { X509Certificate } from 'node:crypto';
import { TransferStep } from '../../client-sim/transfer/index';
import type { ServerEvents } from '../../server/events';
import { deviceIdOf, type HandoverRun, type HandoverWorld } from '../../scripts/demo/world/world';
import { handoverWorldFixture } from '../helpers/handover-world';

jest.setTimeout(120_000);

const DEVICES = 4;
const FAILING = 2;

describe('devices join SP2 through its bootstrap server', () => {
  const fixture = handoverWorldFixture('bs-e2e');
  const sessions: Array<ServerEvents['BOOTSTRAP']> = [];
  let world: HandoverWorld;
  let run: HandoverRun;

  beforeAll(async () => {
    world = await fixture.create({ devices: DEVICES, failEnrollment: new Set([FAILING]) });
    world.providers.sp2BootstrapServer.events.on('BOOTSTRAP', (e) => sessions.push(e));
    run = await world.startHandover();
    await world.waitForCampaign(run, () => undefined, 90_000);
  });

  it('sends devices to SP2\'s bootstrap server, a server of its own beside SP2\'s LwM2M server', async () => {
    const p = world.providers;
    expect(p.sp2BootstrapUri).toMatch(/^coaps:\/\/127\.0\.0\.1:\d+$/);
    expect(p.sp2BootstrapUri).not.toBe(p.sp2Uri);
    const accepted = await p.sp1.transfer(run.transferId);
    expect(accepted?.message.bootstrapUri).toBe(p.sp2BootstrapUri);
    // Every device of the transfer has its configuration, and nobody else.
    expect(Object.keys(await p.sp2BootstrapServer.configs.all()).sort()).toEqual(world.devices.map((d) => d.id).sort());
  });

  it('bootstraps each transferred device, which registers at SP2 with its CA2 certificate in a Mode 4 account', async () => {
    const progress = await world.engine!.progress(run.campaignId);
    expect(progress.byState.transferred).toBe(DEVICES - 1);
    const sp2Uri = world.providers.sp2Uri;
    for (const d of world.devices) {
      if (d.id === deviceIdOf(FAILING)) continue;
      expect(d.agent.step).toBe(TransferStep.done);
      const own = sessions.filter((e) => e.ep === d.id);
      expect(own.map((e) => e.status)).toEqual(['finished']);
      // The DM account SP2's bootstrap server wrote: Mode 4, SP2's CA2 root as server trust, no device key.
      const v = (p: string) => { const n = d.client.getResource(p); return n.kind === 'singleResource' ? n.value : undefined; };
      expect(v('/0/1/0')).toBe(sp2Uri);
      expect(v('/0/1/2')).toBe(4n);
      expect((v('/0/1/5') as Uint8Array).length).toBe(0);
      expect(v('/0/0/1')).toBe(true); // the Bootstrap-Server account stays: SP2's bootstrap server
      expect(v('/0/0/0')).toBe(world.providers.sp2BootstrapUri);
      expect(d.client.currentServerUri()).toBe(sp2Uri);
      const reg = await world.providers.sp2App.lwm2m.registrations.get(d.id);
      const operational = new X509Certificate(d.agent.operationalCredentials()!.certificatePem);
      expect(reg?.certificate?.serialNumber.toLowerCase()).toBe(operational.serialNumber.toLowerCase());
      expect(reg?.lifetime).toBe(300);
    }
  });

  it('the device CA2 refused never bootstraps with SP2: it falls back to SP1 directly', async () => {
    const d = world.devices[FAILING];
    expect(d.agent.step).toBe(TransferStep.fallback);
    expect(sessions.some((e) => e.ep === d.id)).toBe(false);
    expect(d.client.currentServerUri()).toBe(world.providers.sp1Uri);
    expect(await world.providers.sp2App.lwm2m.registrations.get(d.id)).toBeUndefined();
  });

  it('counts the bootstrap exchange in the byte table, the other rows unchanged', async () => {
    const s = await world.summary(run, Date.now() - 1000);
    expect(Object.keys(s.bytesPerDevice)).toEqual([
      'deviceUpdateInfo', 'factoryCertificate', 'transferMessage', 'token', 'trustAnchors', 'csr', 'operationalCertificate',
      'estHandshake', 'enrollment', 'sp2Bootstrap', 'sp2Handshake', 'sp2Join', 'sp1Session',
    ]);
    // A certificate handshake, then Delete ×2, Write /0/1 with CA2's root, Write /1/0, Finish.
    expect(s.bytesPerDevice.sp2Bootstrap).toBeGreaterThan(1500);
    expect(s.bytesPerDevice.sp2Handshake).toBeGreaterThan(1000);
  });
});
