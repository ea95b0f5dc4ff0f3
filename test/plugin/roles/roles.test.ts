/**
 * SP1 (OldProvider) and SP2 (NewProvider) over real Redis, a real LwM2M server for SP1 and
 * client-sim devices over CoAP: export/import, TransferMessage, tokens, delivery, arrivals,
 * revocation, fallback intake, and the refusals.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LwM2mClient } from '../../../client-sim/client';
import { LwM2mServer } from '../../../server/lwm2m-server';
import { LocalServerAdapter } from '../../../plugin/adapter';
import { tokenDerivesFrom, validateTransferToken } from '../../../plugin/messages/transfer-token';
import { signUpdateInfoList } from '../../../plugin/messages/update-info-list';
import { NewProvider, OldProvider, TransferConflictError, UnknownDeviceError, UnknownTransferError, type TrustAnchor } from '../../../plugin/roles';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';
import { recordingObjects, type RecordingObjects } from '../adapter/device-objects';
import { roleFixture, type RoleFixture } from './fixture';
import { RedisEnrollmentPolicy } from '../../../plugin/ca';

const SP1_FALLBACK = 'coaps://sp1.example:5684';
const instructions = () => {
  const now = Math.floor(Date.now() / 1000);
  return {
    resetTimeNotBefore: now - 60, resetTimeNotAfter: now + 3600, raUri: 'coap://ra.sp2.example/ra', updateUri: 'coap://fw.sp2.example/fw.suit',
    updateFirst: false, enrollUri: 'coaps://ca2.example/.well-known/est', fallbackUri: 'coaps://sp2.example/fallback', bootstrapUri: 'coaps://bs.sp2.example:5684',
  };
};

describe('provider roles', () => {
  const prefix = randomPrefix('roles');
  let redis: Redis;
  let fx: RoleFixture;
  let server: LwM2mServer;
  let adapter: LocalServerAdapter;
  let sp1: OldProvider;
  let sp2: NewProvider;
  let policy: RedisEnrollmentPolicy;
  const revoked: string[] = [];
  const confirmed: unknown[] = [];
  const clients: LwM2mClient[] = [];
  const objects = new Map<string, RecordingObjects>();
  let transferId: string;
  let tm: Uint8Array;

  beforeAll(async () => {
    redis = testRedis();
    policy = new RedisEnrollmentPolicy({ redis, keyPrefix: `${prefix}:ca2` });
    fx = await roleFixture(['dev-1', 'dev-2', 'dev-3']);
    server = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: `${prefix}:lwm2m`, coapPort: 0, allowNoSec: true, requestTimeoutMs: 5000 });
    await server.start();
    adapter = new LocalServerAdapter(server);
    sp1 = new OldProvider({
      redis, keyPrefix: prefix, adapter, identity: 'sp1.example', signingKey: fx.sp1.privateKey, sp2: { identity: 'sp2.example', publicKey: fx.sp2.publicKey },
      fallbackUri: SP1_FALLBACK, survivingAnchors: [{ certificate: fx.sp1ServerCa.certificate, purpose: 'lwm2m-server', label: 'SP1' }],
      revoke: async (s) => { revoked.push(s); }, fallbackWithoutCertificate: true,
    });
    sp2 = new NewProvider({
      redis, keyPrefix: prefix, adapter, identity: 'sp2.example', signingKey: fx.sp2.privateKey, sp1: { identity: 'sp1.example', publicKey: fx.sp1.publicKey },
      ca2Issuer: 'CN=CA2', enrollmentPolicy: policy, confirmArrival: async (a) => { confirmed.push(a); return sp1.confirmArrival(a); },
    });
    await sp1.addDevice(fx.fleet('dev-1', 'a1'));
    await sp1.addDevice(fx.fleet('dev-2', 'a2'));
    await sp1.addDevice(fx.fleet('dev-3'));
    for (const ep of ['dev-1', 'dev-2']) {
      const o = recordingObjects();
      objects.set(ep, o);
      const c = new LwM2mClient({ endpoint: ep, serverUri: `coap://127.0.0.1:${server.coapPort}`, retryDelay: 200, objects: [o.transfer, o.trustStore] });
      clients.push(c);
      await c.start();
    }
  });

  afterAll(async () => {
    for (const c of clients) await c.stop({ deregister: false }).catch(() => undefined);
    await adapter.close();
    await server.stop();
    await cleanPrefix(redis, prefix);
    await redis.quit();
  });

  it('refuses a fleet device whose certificate names another device', async () => {
    await expect(sp1.addDevice({ ...fx.fleet('dev-1'), deviceId: 'dev-9' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('SP1 exports the UpdateInfoList, SP2 imports it (idempotently) and forwards the certificates to CA2', async () => {
    const jws = await sp1.exportUpdateInfoList(['dev-1', 'dev-2', 'dev-3']);
    expect(await sp1.offer()).toBe(jws);
    const imported = await sp2.importUpdateInfoList(jws);
    expect(imported.devices.map((d) => d.deviceId)).toEqual(['dev-1', 'dev-2', 'dev-3']);
    expect((await sp2.importUpdateInfoList(jws)).transferId).toBe(imported.transferId);
    transferId = imported.transferId;
    await sp2.forwardToCa(transferId);
    // CA2 now lets exactly these factory certificates enroll in this transfer
    await expect(policy.checkEnroll(fx.devices.get('dev-2')!.certificate)).resolves.toEqual({ transferId, deviceId: 'dev-2' });
    const stranger = await fx.factoryCa.issue('dev-8');
    await expect(policy.checkEnroll(stranger.certificate)).rejects.toMatchObject({ code: 'ERR_ENROLL_REFUSED' });
    expect(await sp2.deviceInfo('dev-2')).toMatchObject({ transferId, suitSequenceNumber: 4 });
  });

  it('SP2 refuses an UpdateInfoList with a bad JWS', async () => {
    const forged = await signUpdateInfoList([fx.fleet('dev-1')], { key: fx.rogue.privateKey, alg: 'ES256' });
    await expect(sp2.importUpdateInfoList(forged)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' });
    const good = await sp1.exportUpdateInfoList(['dev-1']);
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${p.slice(0, -4)}AAAA.${s}`;
    await expect(sp2.importUpdateInfoList(tampered)).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_JWS_/) });
    await expect(sp2.importUpdateInfoList('not a jws')).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_(JWS|INVALID)/) });
  });

  it('SP1 accepts SP2\'s TransferMessage (same bytes again too) and refuses one not signed by SP2', async () => {
    tm = await sp2.buildTransferMessage(transferId, instructions());
    const accepted = await sp1.acceptTransferMessage(tm);
    expect(accepted.transferId).toBe(transferId);
    expect(accepted.devices).toEqual(['dev-1', 'dev-2', 'dev-3']);
    expect((await sp1.acceptTransferMessage(tm)).transferId).toBe(transferId);

    const rogue = new NewProvider({ redis, keyPrefix: `${prefix}:rogue`, adapter, identity: 'sp2.example', signingKey: fx.rogue.privateKey, sp1: { identity: 'sp1.example', publicKey: fx.sp1.publicKey }, ca2Issuer: 'CN=CA2' });
    const rogueImport = await rogue.importUpdateInfoList(await sp1.exportUpdateInfoList(['dev-3']));
    const forged = await rogue.buildTransferMessage(rogueImport.transferId, instructions());
    await expect(sp1.acceptTransferMessage(forged)).rejects.toMatchObject({ code: 'ERR_CWT_SIGNATURE' });
    expect(await sp1.transfer(rogueImport.transferId)).toBeUndefined();
    await cleanPrefix(redis, `${prefix}:rogue`);
  });

  it('SP1 refuses a TransferMessage for a list it never exported, and a second message under a used id', async () => {
    const other = new NewProvider({ redis, keyPrefix: `${prefix}:other`, adapter, identity: 'sp2.example', signingKey: fx.sp2.privateKey, sp1: { identity: 'sp1.example', publicKey: fx.sp1.publicKey }, ca2Issuer: 'CN=CA2' });
    const foreign = await signUpdateInfoList([fx.fleet('dev-2')], { key: fx.sp1.privateKey, alg: 'ES256' }); // signed by SP1 but never exported
    const t = await other.importUpdateInfoList(foreign);
    await expect(sp1.acceptTransferMessage(await other.buildTransferMessage(t.transferId, instructions()))).rejects.toMatchObject({ code: 'ERR_MESSAGE_INVALID' });
    const again = await sp2.buildTransferMessage(transferId, { ...instructions(), updateUri: 'coap://elsewhere.example/fw' });
    await expect(sp1.acceptTransferMessage(again)).rejects.toBeInstanceOf(TransferConflictError);
    await cleanPrefix(redis, `${prefix}:other`);
  });

  it('issues device tokens: bound to the device and factory certificate, fresh counter and cti, fallback = SP1', async () => {
    const a = await sp1.tokenFor('dev-1');
    const b = await sp1.tokenFor('dev-1');
    expect(b.counter).toBe(a.counter + 1);
    expect(Buffer.from(a.cti).equals(Buffer.from(b.cti))).toBe(false);
    const v = validateTransferToken(b.token, fx.sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: fx.devices.get('dev-1')!.certificate, requireCertificateBinding: true, lastCounter: a.counter });
    expect(v).toMatchObject({ issuer: 'sp1.example', fallbackUri: SP1_FALLBACK, bootstrapUri: 'coaps://bs.sp2.example:5684', enrollUri: 'coaps://ca2.example/.well-known/est' });
    expect(tokenDerivesFrom(v, tm)).toBe(true);
    expect(() => validateTransferToken(b.token, fx.sp1.publicKey, { deviceId: 'dev-2', factoryCertificate: fx.devices.get('dev-2')!.certificate, lastCounter: 0 })).toThrow(expect.objectContaining({ code: 'ERR_TRANSFER_REFUSED' }));
    await expect(sp1.tokenFor('dev-9')).rejects.toBeInstanceOf(UnknownDeviceError);
    await expect(sp1.tokenFor('dev-1', 'ffff')).rejects.toBeInstanceOf(UnknownTransferError);
  });

  it('delivers anchors that survive the reset, the token and Apply over LwM2M; a second delivery writes no anchor twice', async () => {
    const anchors: TrustAnchor[] = [{ certificate: fx.ca2.certificate, purpose: 'enrollment-ca', label: 'CA2' }];
    await sp1.setTrustAnchors(transferId, anchors);
    const out = await sp1.deliver('dev-1');
    expect(out).toMatchObject({ status: 'delivered', anchorsCreated: 2, anchorsMarked: 0 });
    const o = objects.get('dev-1')!;
    expect(o.trustStore.instanceIds()).toHaveLength(2);
    for (const id of o.trustStore.instanceIds()) expect(o.trustStore.get(id, 3)).toBe(true);
    const certs = o.trustStore.instanceIds().map((id) => Buffer.from(o.trustStore.get(id, 0) as Uint8Array).toString('hex'));
    expect(certs).toContain(Buffer.from(fx.ca2.certificate).toString('hex'));
    expect(o.applied).toHaveLength(1);
    const v = validateTransferToken(o.appliedTokens[0], fx.sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: fx.devices.get('dev-1')!.certificate, lastCounter: 0 });
    expect(out.status === 'delivered' && v.transferCounter).toBe(out.status === 'delivered' ? out.counter : -1);
    expect(await sp1.deviceRecord('dev-1')).toMatchObject({ state: 'delivered', counter: v.transferCounter });

    const again = await sp1.deliver('dev-1');
    expect(again).toMatchObject({ status: 'delivered', anchorsCreated: 0 });
    expect(o.trustStore.instanceIds()).toHaveLength(2);
    await expect(sp1.deliver('dev-3')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' }); // not registered at SP1
    await expect(sp1.setTrustAnchors(transferId, [{ certificate: new Uint8Array([1, 2]), purpose: 'enrollment-ca' }])).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('SP2 confirms an arrival with a CA2 certificate; SP1 records it once and revokes the CA1 certificate', async () => {
    const reg = { secure: true, certificate: { subject: 'CN=dev-1', issuer: 'CN=CA2', serialNumber: '0A:1B' } };
    expect(await sp2.handleRegistration('dev-1', { ...reg, certificate: { ...reg.certificate, issuer: 'CN=CA1' } })).toBe('ignored');
    expect(await sp2.handleRegistration('dev-1', reg)).toBe('confirmed');
    expect(confirmed).toEqual([{ transferId, deviceId: 'dev-1', certificateSerial: '0a1b' }]);
    expect(revoked).toEqual(['a1']);
    expect(await sp1.deviceRecord('dev-1', transferId)).toMatchObject({ state: 'transferred', certificateSerial: '0a1b', revokedAt: expect.any(Number) });
    expect(await sp2.handleRegistration('dev-1', reg)).toBe('already-confirmed');
    // SP1 directly: the same confirmation again is a no-op, another certificate a conflict
    await expect(sp1.confirmArrival({ transferId, deviceId: 'dev-1', certificateSerial: '0a1b' })).resolves.toEqual({ duplicate: true, revoked: true });
    expect(revoked).toEqual(['a1']);
    await expect(sp1.confirmArrival({ transferId, deviceId: 'dev-1', certificateSerial: 'ff' })).rejects.toBeInstanceOf(TransferConflictError);
    expect(await sp1.deliver('dev-1', transferId)).toEqual({ status: 'transferred' });
  });

  it('SP1 refuses arrivals for unknown transfers and devices, and malformed ones, changing nothing', async () => {
    await expect(sp1.confirmArrival({ transferId: 'ffff', deviceId: 'dev-2', certificateSerial: '01' })).rejects.toBeInstanceOf(UnknownTransferError);
    await expect(sp1.confirmArrival({ transferId, deviceId: 'dev-7', certificateSerial: '01' })).rejects.toBeInstanceOf(UnknownDeviceError);
    await expect(sp1.confirmArrival({ transferId, deviceId: 'dev-2', certificateSerial: 'not hex' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect((await sp1.deviceRecord('dev-2', transferId))?.state).not.toBe('transferred');
  });

  it('keeps an arrival pending while SP1 cannot be told, then confirms it', async () => {
    let up = false;
    const flaky = new NewProvider({
      redis, keyPrefix: prefix, adapter, identity: 'sp2.example', signingKey: fx.sp2.privateKey, sp1: { identity: 'sp1.example', publicKey: fx.sp1.publicKey },
      ca2Issuer: ['CN=CA2'], confirmArrival: async (a) => { if (!up) throw new Error('SP1 unreachable'); return sp1.confirmArrival(a); },
    });
    expect(await flaky.handleRegistration('dev-3', { secure: true, certificate: { subject: 'CN=dev-3', issuer: 'CN=CA2', serialNumber: '33' } })).toBe('pending');
    expect(await flaky.arrival('dev-3')).toMatchObject({ state: 'pending', error: 'SP1 unreachable' });
    up = true;
    expect(await flaky.confirmPending(transferId)).toBe(1);
    expect(await flaky.arrival('dev-3')).toMatchObject({ state: 'confirmed' });
    expect(await sp1.deviceRecord('dev-3', transferId)).toMatchObject({ state: 'transferred', certificateSerial: '33' });
  });

  it('takes back a device that falls back: with its factory certificate, or (NoSec) with Transfer State fallback', async () => {
    await sp1.deliver('dev-2');
    const factory = new X509Certificate(fx.devices.get('dev-2')!.certificate);
    const fellBack: string[] = [];
    sp1.on('fellBack', (_t, ep) => fellBack.push(ep));
    expect(await sp1.recordFallback('dev-2', { certificate: { subject: 'CN=dev-2', issuer: 'CN=CA1', serialNumber: '99', fingerprint256: 'ab'.repeat(32) } })).toBe(false);
    expect(await sp1.recordFallback('dev-2', { certificate: { subject: factory.subject, issuer: factory.issuer, serialNumber: factory.serialNumber, fingerprint256: createHash('sha256').update(factory.raw).digest('hex') } })).toBe(true);
    expect(await sp1.deviceRecord('dev-2')).toMatchObject({ state: 'fellBack' });
    expect(fellBack).toEqual(['dev-2']);
    expect(await sp1.recordFallback('dev-1', { certificate: { subject: 'x', issuer: 'y', serialNumber: '1', fingerprint256: createHash('sha256').update(fx.devices.get('dev-1')!.certificate).digest('hex') } })).toBe(false); // transferred

    // delivered again, then the device really comes back (re-registers) with State 10: watchFallbacks sees it
    await sp1.deliver('dev-2');
    const stop = sp1.watchFallbacks();
    const seen = new Promise<string>((r) => sp1.once('fellBack', (_t, ep) => r(ep)));
    objects.get('dev-2')!.transfer.set(0, 2, 10n);
    const c = clients[1];
    await c.stop({ deregister: true });
    await c.start();
    expect(await seen).toBe('dev-2');
    stop();
  });
});
