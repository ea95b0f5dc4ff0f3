/**
 * Attacks on the PKI trust transfer, one per requirement of the paper (FR1 impersonation, FR2
 * freshness/replay, FR3 forward security, FR4 backward security), over the real world: SP1 and
 * SP2 LwM2M servers on DTLS, CA2's EST-coaps server, devices with the transfer agent. Each attack
 * is refused with a clear reason and leaves the device as it was.
 */
import { TransferStep } from '../../client-sim/transfer/index';
import { EstClient } from '../../client-sim/est/index';
import { createCsr, certificatePem, generateKeyPair } from '../../common/pki/index';
import { singleResource } from '../../objects/node';
import { buildTransferMessage, buildTransferToken } from '../../plugin/messages/index';
import { Sp1ApiClient, Sp2ApiClient } from '../../plugin/provider-api/index';
import { planTrustStore, type TrustAnchor } from '../../plugin/roles/index';
import { deviceIdOf, type HandoverWorld } from '../../scripts/demo/world/world';
import { keyPem } from '../../scripts/demo/world/credentials';
import { agreeOnTransfer } from '../../scripts/demo/world/agreement';
import { handoverWorldFixture } from '../helpers/handover-world';

jest.setTimeout(120_000);

const A = 0; // target of the token attacks (stays with SP1)
const B = 1; // the other device whose token is replayed at A
const T = 2; // transferred, then impersonated
const F = 3; // not on CA2's list: falls back

describe('attacks on the trust transfer (FR1–FR4)', () => {
  const fixture = handoverWorldFixture('attacks');
  let world: HandoverWorld;
  let transferId: string;
  let anchors: TrustAnchor[];

  const sp1 = () => world.providers.sp1;
  const adapter = () => world.providers.sp1Adapter;

  async function writeAnchors(ep: string): Promise<void> {
    let current;
    try { current = await adapter().read(ep, '/33002'); } catch { current = undefined; }
    const plan = planTrustStore(current, anchors);
    for (const inst of plan.create) await adapter().create(ep, '/33002', inst);
  }

  /** SP1 (or an attacker holding SP1's LwM2M session) writes a token and executes Apply. */
  async function apply(index: number, token: Uint8Array): Promise<{ step: number; code: number; text: string }> {
    const d = world.devices[index];
    await adapter().write(d.id, '/33001/0/0', singleResource(0, 'OPAQUE', token));
    await adapter().execute(d.id, '/33001/0/1');
    await d.agent.settled();
    return { step: d.agent.step, code: d.agent.result.code, text: d.agent.result.text };
  }

  /** What must not change when a token is refused. */
  async function fingerprint(index: number) {
    const d = world.devices[index];
    const reg = await world.providers.sp1App.lwm2m.registrations.get(d.id);
    return {
      counter: d.agent.lastCounter,
      anchors: d.agent.trustStore.anchors().map((a) => Buffer.from(a.certificate).toString('hex')).sort(),
      operational: d.agent.operationalCredentials()?.certificatePem,
      sp1Certificate: reg?.certificate?.serialNumber.toLowerCase(),
      server: d.client.currentServerUri(),
    };
  }

  beforeAll(async () => {
    world = await fixture.create({ devices: 4, failEnrollment: new Set([F]) });
    const p = world.providers;
    const h = world.pki.hierarchy;
    const ca2Root = h.ca2.chain[h.ca2.chain.length - 1];
    transferId = await agreeOnTransfer({
      sp1: p.sp1, sp2: p.sp2, deviceIds: world.devices.map((d) => d.id),
      sp1Client: new Sp1ApiClient({ baseUrl: p.sp1Api.url, token: p.sp1ApiToken }),
      sp2Client: new Sp2ApiClient({ baseUrl: p.sp2Api.url, token: p.sp2ApiToken }),
      ca2Root, updateUri: world.updateServer.uri('/fw/sp2.suit'), enrollUri: p.ca2Est.uri, sp2Uri: p.sp2Uri,
    });
    anchors = [
      { certificate: world.pki.sp1Signer.certificate, purpose: 'provider-signer' },
      { certificate: h.ca1.chain[h.ca1.chain.length - 1], purpose: 'lwm2m-server' },
      { certificate: ca2Root, purpose: 'enrollment-ca' },
      { certificate: ca2Root, purpose: 'lwm2m-server' },
    ];
    for (const i of [A, F, T]) await writeAnchors(world.devices[i].id);
  });

  it('FR1: a tampered token is refused and the device is unchanged', async () => {
    const before = await fingerprint(A);
    const { token } = await sp1().tokenFor(deviceIdOf(A), transferId);
    const tampered = Uint8Array.from(token);
    tampered[tampered.length - 5] ^= 0x01;
    const r = await apply(A, tampered);
    expect(r.step).toBe(TransferStep.failed);
    expect(r.text).toMatch(/signature/i);
    expect(await fingerprint(A)).toEqual(before);
  });

  it('FR1: a token for another device is refused', async () => {
    const before = await fingerprint(A);
    const { token } = await sp1().tokenFor(deviceIdOf(B), transferId);
    const r = await apply(A, token);
    expect(r.step).toBe(TransferStep.failed);
    expect(r.text).toMatch(/device|sub|bound/i);
    expect(await fingerprint(A)).toEqual(before);
  });

  it('FR1: a token signed by an unknown key is refused', async () => {
    const before = await fingerprint(A);
    const tm = (await sp1().transfer(transferId))!.message;
    const rogue = generateKeyPair('P-256').privateKey;
    const token = buildTransferToken(tm, { deviceId: deviceIdOf(A), transferCounter: 1000 }, {
      issuer: 'sp1.example', fallbackUri: world.providers.sp1Uri, key: rogue, alg: 'ES256',
    });
    const r = await apply(A, token);
    expect(r.step).toBe(TransferStep.failed);
    expect(r.text).toMatch(/signature|signer|key/i);
    expect(await fingerprint(A)).toEqual(before);
  });

  it('FR2: a token outside its window is refused', async () => {
    const before = await fingerprint(A);
    const tm = (await sp1().transfer(transferId))!.message;
    const past = Math.floor(Date.now() / 1000) - 7200;
    const token = buildTransferToken({ ...tm, resetTimeNotBefore: past - 3600, resetTimeNotAfter: past }, { deviceId: deviceIdOf(A), transferCounter: 1001 }, {
      issuer: 'sp1.example', fallbackUri: world.providers.sp1Uri, key: world.pki.sp1Signer.privateKey, alg: 'ES256',
    });
    const r = await apply(A, token);
    expect(r.step).toBe(TransferStep.failed);
    expect(r.text).toMatch(/window|expired/i);
    expect(await fingerprint(A)).toEqual(before);
  });

  it('FR1: a TransferMessage not signed by SP2 is refused by SP1, over the API too', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = buildTransferMessage({
      issuer: 'sp2.example', audience: 'sp1.example', resetTimeNotBefore: now, resetTimeNotAfter: now + 3600, raUri: null,
      updateUri: 'coap://evil.example/fw', updateFirst: true, enrollUri: 'coaps://evil.example/.well-known/est',
      fallbackUri: 'coaps://evil.example', bootstrapUri: 'coaps://evil.example',
    }, { key: generateKeyPair('P-256').privateKey, alg: 'ES256' });
    await expect(sp1().acceptTransferMessage(forged)).rejects.toThrow(/signature/i);
    const client = new Sp1ApiClient({ baseUrl: world.providers.sp1Api.url, token: world.providers.sp1ApiToken });
    await expect(client.sendTransferMessage(forged)).rejects.toMatchObject({ status: 400 });
  });

  it('FR1: enrollment with a factory certificate not on CA2\'s list is refused; the device falls back to SP1', async () => {
    const { token } = await sp1().tokenFor(deviceIdOf(F), transferId);
    const r = await apply(F, token);
    expect(r.step).toBe(TransferStep.fallback);
    expect(r.text).toMatch(/not on any transfer list|not-listed/i);
    expect(world.devices[F].client.currentServerUri()).toBe(world.providers.sp1Uri);
    // The same refusal, asked directly with the device's own factory credentials.
    const d = world.devices[F].credentials;
    const est = new EstClient({
      uri: world.providers.ca2Est.uri,
      certificate: { certChainPem: certificatePem(d.factory.certificate), keyPem: keyPem(d.factory.privateKey), caPem: world.pki.chainPem(world.pki.hierarchy.ca2) },
    });
    try {
      const k = generateKeyPair('P-256');
      const csr = await createCsr({ subject: `CN=${d.deviceId}, serialNumber=${d.deviceId}`, privateKey: k.privateKey, publicKey: k.publicKey });
      await expect(est.simpleEnroll(csr)).rejects.toMatchObject({ reason: 'not-listed' });
    } finally {
      await est.close();
    }
  });

  it('FR2: a replayed token (already applied) is refused', async () => {
    const d = world.devices[F];
    // F applied a token in the previous test and came back to SP1: replay the one it accepted.
    expect(d.agent.step).toBe(TransferStep.fallback);
    expect(d.agent.lastCounter).toBeGreaterThanOrEqual(1);
    const before = await fingerprint(F);
    const { token } = await sp1().tokenFor(d.id, transferId); // fresh counter …
    const stale = buildTransferToken((await sp1().transfer(transferId))!.message, { deviceId: d.id, factoryCertificate: d.credentials.factory.certificate, transferCounter: d.agent.lastCounter }, {
      issuer: 'sp1.example', fallbackUri: world.providers.sp1Uri, key: world.pki.sp1Signer.privateKey, alg: 'ES256',
    }); // … but the attacker's copy carries the counter already used
    expect(token.length).toBeGreaterThan(0);
    const r = await apply(F, stale);
    expect(r.step).toBe(TransferStep.failed);
    expect(r.text).toMatch(/counter|replay/i);
    expect(await fingerprint(F)).toEqual(before);
  });

  it('FR3/FR4: after the transfer SP1 cannot enroll the device with CA2, neither with a CA1 certificate it forges nor again with the device\'s factory identity', async () => {
    const d = world.devices[T];
    const { token } = await sp1().tokenFor(d.id, transferId);
    const r = await apply(T, token);
    expect(r.step).toBe(TransferStep.done);
    expect(d.client.currentServerUri()).toBe(world.providers.sp2Uri);
    const caPem = world.pki.chainPem(world.pki.hierarchy.ca2);
    const k = generateKeyPair('P-256');
    const csr = await createCsr({ subject: `CN=${d.id}, serialNumber=${d.id}`, privateKey: k.privateKey, publicKey: k.publicKey });
    // SP1 controls CA1: it issues itself a certificate naming the device.
    const forgedCert = await world.pki.hierarchy.ca1.issueFromCsr(csr);
    const forged = new EstClient({ uri: world.providers.ca2Est.uri, certificate: { certChainPem: certificatePem(forgedCert), keyPem: keyPem(k.privateKey), caPem }, timeoutMs: 5000 });
    try {
      await expect(forged.simpleEnroll(csr)).rejects.toThrow();
    } finally {
      await forged.close();
    }
    // One enrollment per device per transfer, even with the genuine factory credentials.
    const again = new EstClient({
      uri: world.providers.ca2Est.uri,
      certificate: { certChainPem: certificatePem(d.credentials.factory.certificate), keyPem: keyPem(d.credentials.factory.privateKey), caPem },
    });
    try {
      await expect(again.simpleEnroll(csr)).rejects.toMatchObject({ reason: 'already-enrolled' });
    } finally {
      await again.close();
    }
  });
});
