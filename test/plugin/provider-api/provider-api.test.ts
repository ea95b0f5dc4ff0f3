/**
 * The provider API over real HTTP: SP2 pulls the UpdateInfoList from SP1, pushes its
 * TransferMessage, trust anchors and an arrival; SP1 pushes a list to SP2 and pulls the message.
 * Bad tokens get 401, bad input 400, unknown things 404 — and change nothing.
 */
import type { Redis } from 'ioredis';
import { LwM2mServer } from '../../../server/lwm2m-server';
import { LocalServerAdapter } from '../../../plugin/adapter';
import { ProviderApiError, Routes, Sp1ApiClient, Sp2ApiClient, createSp1Api, createSp2Api, type HttpApi } from '../../../plugin/provider-api';
import { NewProvider, OldProvider } from '../../../plugin/roles';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';
import { roleFixture, type RoleFixture } from '../roles/fixture';

const SP1_TOKEN = 'token-sp2-uses-at-sp1-0001';
const SP2_TOKEN = 'token-sp1-uses-at-sp2-0002';

describe('provider API', () => {
  const prefix = randomPrefix('papi');
  let redis: Redis;
  let fx: RoleFixture;
  let server: LwM2mServer;
  let adapter: LocalServerAdapter;
  let sp1: OldProvider;
  let sp2: NewProvider;
  let api1: HttpApi;
  let api2: HttpApi;
  let toSp1: Sp1ApiClient;
  let toSp2: Sp2ApiClient;
  let transferId: string;

  const window = () => {
    const now = Math.floor(Date.now() / 1000);
    return { resetTimeNotBefore: now, resetTimeNotAfter: now + 3600, raUri: null, updateUri: 'coap://fw.sp2/fw', updateFirst: true, enrollUri: 'coaps://ca2/.well-known/est', fallbackUri: 'coaps://sp2/fb', bootstrapUri: 'coaps://bs.sp2:5684' };
  };

  async function status(p: Promise<unknown>): Promise<number> {
    try { await p; } catch (e) { expect(e).toBeInstanceOf(ProviderApiError); return (e as ProviderApiError).status; }
    throw new Error('accepted');
  }

  async function raw(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    const r = await fetch(url, init);
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    redis = testRedis();
    fx = await roleFixture(['dev-1', 'dev-2']);
    server = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: `${prefix}:lwm2m`, coapPort: 0, allowNoSec: true });
    await server.start();
    adapter = new LocalServerAdapter(server);
    const revoked: string[] = [];
    sp1 = new OldProvider({ redis, keyPrefix: `${prefix}:1`, adapter, identity: 'sp1', signingKey: fx.sp1.privateKey, sp2: { identity: 'sp2', publicKey: fx.sp2.publicKey }, fallbackUri: 'coaps://sp1:5684', revoke: async (s) => { revoked.push(s); } });
    api1 = createSp1Api(sp1, { token: SP1_TOKEN });
    await api1.listen();
    toSp1 = new Sp1ApiClient({ baseUrl: api1.url, token: SP1_TOKEN });
    sp2 = new NewProvider({ redis, keyPrefix: `${prefix}:2`, adapter, identity: 'sp2', signingKey: fx.sp2.privateKey, sp1: { identity: 'sp1', publicKey: fx.sp1.publicKey }, ca2Issuer: 'CN=CA2', confirmArrival: (a) => toSp1.confirmArrival(a) });
    api2 = createSp2Api(sp2, { token: SP2_TOKEN });
    await api2.listen();
    toSp2 = new Sp2ApiClient({ baseUrl: api2.url, token: SP2_TOKEN });
    await sp1.addDevice(fx.fleet('dev-1', 'c1'));
    await sp1.addDevice(fx.fleet('dev-2', 'c2'));
  });

  afterAll(async () => {
    await api1.close();
    await api2.close();
    await adapter.close();
    await server.stop();
    await cleanPrefix(redis, prefix);
    await redis.quit();
  });

  it('refuses a wrong or missing token with 401', async () => {
    expect(await status(new Sp1ApiClient({ baseUrl: api1.url, token: SP2_TOKEN }).updateInfoList())).toBe(401);
    const r = await raw(`${api1.url}${Routes.arrivals}`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(r).toEqual({ status: 401, body: { error: 'ERR_UNAUTHORIZED', message: expect.any(String) } });
    expect(await status(new Sp2ApiClient({ baseUrl: api2.url, token: SP1_TOKEN }).sendUpdateInfoList('x.y.z'))).toBe(401);
  });

  it('runs the exchange: list pulled, TransferMessage and anchors pushed, arrival confirmed', async () => {
    expect(await status(toSp1.updateInfoList())).toBe(404);
    await sp1.exportUpdateInfoList(['dev-1', 'dev-2']);
    const jws = await toSp1.updateInfoList();
    const imported = await sp2.importUpdateInfoList(jws);
    transferId = imported.transferId;
    const tm = await sp2.buildTransferMessage(transferId, window());
    expect(await toSp1.sendTransferMessage(tm)).toEqual({ transferId, devices: ['dev-1', 'dev-2'] });
    await toSp1.sendTrustAnchors(transferId, [{ certificate: fx.ca2.certificate, purpose: 'enrollment-ca' }]);
    expect(await sp2.handleRegistration('dev-1', { secure: true, certificate: { subject: 'CN=dev-1', issuer: 'CN=CA2', serialNumber: '5e' } })).toBe('confirmed');
    expect(await sp1.deviceRecord('dev-1', transferId)).toMatchObject({ state: 'transferred', certificateSerial: '5e' });
    expect(await toSp1.confirmArrival({ transferId, deviceId: 'dev-1', certificateSerial: '5e' })).toEqual({ duplicate: true, revoked: true });
  });

  it('answers bad input with 400 and unknown things with 404, changing nothing', async () => {
    expect(await status(toSp1.sendTransferMessage(new Uint8Array([1, 2, 3])))).toBe(400);
    const forged = await new NewProvider({ redis, keyPrefix: `${prefix}:x`, adapter, identity: 'sp2', signingKey: fx.rogue.privateKey, sp1: { identity: 'sp1', publicKey: fx.sp1.publicKey }, ca2Issuer: 'CN=CA2' })
      .importUpdateInfoList(await sp1.exportUpdateInfoList(['dev-2']))
      .then(async (t) => ({ t, bytes: await new NewProvider({ redis, keyPrefix: `${prefix}:x`, adapter, identity: 'sp2', signingKey: fx.rogue.privateKey, sp1: { identity: 'sp1', publicKey: fx.sp1.publicKey }, ca2Issuer: 'CN=CA2' }).buildTransferMessage(t.transferId, window()) }));
    expect(await status(toSp1.sendTransferMessage(forged.bytes))).toBe(400);
    expect(await sp1.transfer(forged.t.transferId)).toBeUndefined();

    const bad = await raw(`${api1.url}${Routes.arrivals}`, { method: 'POST', body: '{not json', headers: { Authorization: `Bearer ${SP1_TOKEN}`, 'Content-Type': 'application/json' } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'ERR_INVALID_INPUT' } });
    const wrongType = await raw(`${api1.url}${Routes.transferMessage}`, { method: 'POST', body: 'x', headers: { Authorization: `Bearer ${SP1_TOKEN}`, 'Content-Type': 'text/plain' } });
    expect(wrongType.status).toBe(400);
    expect(await status(toSp1.confirmArrival({ transferId, deviceId: 'dev-9', certificateSerial: '01' }))).toBe(404);
    expect(await status(toSp1.confirmArrival({ transferId: 'abcd', deviceId: 'dev-2', certificateSerial: '01' }))).toBe(404);
    expect(await status(toSp1.confirmArrival({ transferId, deviceId: 'dev-1', certificateSerial: '77' }))).toBe(409);
    expect(await status(toSp1.sendTrustAnchors(transferId, [{ certificate: new Uint8Array([5]), purpose: 'enrollment-ca' }]))).toBe(400);
    expect(await status(toSp1.sendTrustAnchors('abcd', [{ certificate: fx.ca2.certificate, purpose: 'enrollment-ca' }]))).toBe(404);
    const unknownRoute = await raw(`${api1.url}/api/v1/transfer/nothing`, { headers: { Authorization: `Bearer ${SP1_TOKEN}` } });
    expect(unknownRoute.status).toBe(404);
    expect((await sp1.deviceRecord('dev-2', transferId))?.state).toBeUndefined();
    expect(await sp1.deviceRecord('dev-1', transferId)).toMatchObject({ certificateSerial: '5e' });
  });

  it('SP2 serves the push direction: list in, TransferMessage and arrivals out', async () => {
    const jws = await sp1.exportUpdateInfoList(['dev-1', 'dev-2']);
    const pushed = await toSp2.sendUpdateInfoList(jws);
    expect(pushed).toEqual({ transferId, devices: ['dev-1', 'dev-2'] }); // the same list: the same transfer
    const tm = await toSp2.transferMessage(transferId);
    expect((await sp1.acceptTransferMessage(tm)).transferId).toBe(transferId);
    expect(await toSp2.arrival(transferId, 'dev-1')).toMatchObject({ state: 'confirmed', certificateSerial: '5e' });
    expect(await status(toSp2.arrival(transferId, 'dev-2'))).toBe(404);
    expect(await status(toSp2.transferMessage('0000'))).toBe(404);
    expect(await status(toSp2.sendUpdateInfoList('garbage'))).toBe(400);
  });
});
