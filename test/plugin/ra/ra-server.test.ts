/** The RA server end to end over real CoAP and Redis: challenge, evidence, replays, expiry, refusals. */
import { createHash } from 'node:crypto';
import * as coap from 'coap';
import type { Redis } from 'ioredis';
import { encodeCbor } from '../../../common/cose/cbor';
import { AttestationError, buildEvidence } from '../../../plugin/messages/evidence';
import { RaServer, attest, requestChallenge, submitEvidence } from '../../../plugin/ra';
import type { AttestationResult } from '../../../plugin/ra';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';
import { createTestCa, type IssuedCertificate, type TestCa } from './factory-pki';

const digest = new Uint8Array(createHash('sha256').update('manifest 3').digest());
let redis: Redis;
let prefix: string;
let ca: TestCa;
let dev: IssuedCertificate;
let server: RaServer;
const results: AttestationResult[] = [];

beforeAll(async () => {
  redis = testRedis();
  prefix = randomPrefix('ra');
  ca = await createTestCa('Factory CA');
  dev = await ca.issue('dev-1');
  server = await new RaServer({ redis, keyPrefix: prefix, factoryTrustAnchors: [ca.certificate], nonceTtlMs: 300 }).start();
  server.on('result', (r) => results.push(r));
  await server.expect('dev-1', { firmwareDigest: digest, suitSequence: 3 });
});

afterAll(async () => {
  await server.close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

const device = () => ({ deviceId: 'dev-1', firmwareDigest: digest, suitSequence: 3, privateKey: dev.privateKey, factoryCertificate: dev.certificate });

async function reason(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(AttestationError); return (e as AttestationError).reason; }
  throw new Error('accepted');
}

function rawPost(path: string, body: Buffer): Promise<{ code: string; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    const agent = new coap.Agent({ type: 'udp4' });
    const req = agent.request({ hostname: '127.0.0.1', port: server.port, method: 'POST', pathname: path });
    req.on('response', (res: coap.IncomingMessage) => { try { agent.close(); } catch { /* idle agents close themselves */ } resolve({ code: res.code, payload: res.payload }); });
    req.on('error', reject);
    req.end(body);
  });
}

describe('RaServer', () => {
  it('attests a device running the agreed firmware, and records the result', async () => {
    await attest(server.uri, device());
    const r = await server.result('dev-1');
    expect(r).toMatchObject({ deviceId: 'dev-1', ok: true, suitSequence: 3 });
    expect(results.at(-1)).toMatchObject({ deviceId: 'dev-1', ok: true });
  });

  it('refuses a replayed nonce', async () => {
    const nonce = await requestChallenge(server.uri, 'dev-1');
    const ev = buildEvidence({ ...device(), nonce });
    await submitEvidence(server.uri, ev);
    expect(await reason(submitEvidence(server.uri, ev))).toBe('replayed-nonce');
  });

  it('refuses an expired nonce', async () => {
    const nonce = await requestChallenge(server.uri, 'dev-1');
    await new Promise((r) => setTimeout(r, 450));
    expect(await reason(submitEvidence(server.uri, buildEvidence({ ...device(), nonce })))).toBe('unknown-nonce');
  });

  it('refuses a nonce it never issued', async () => {
    expect(await reason(submitEvidence(server.uri, buildEvidence({ ...device(), nonce: new Uint8Array(32).fill(9) })))).toBe('unknown-nonce');
  });

  it('refuses other firmware and records the failure', async () => {
    const other = new Uint8Array(createHash('sha256').update('backdoored').digest());
    expect(await reason(attest(server.uri, { ...device(), firmwareDigest: other }))).toBe('wrong-firmware');
    expect(await server.result('dev-1')).toMatchObject({ ok: false, reason: 'wrong-firmware' });
  });

  it('refuses a device with a certificate from an unknown factory CA', async () => {
    const rogueCa = await createTestCa('Rogue');
    const rogue = await rogueCa.issue('dev-1');
    expect(await reason(attest(server.uri, { ...device(), privateKey: rogue.privateKey, factoryCertificate: rogue.certificate }))).toBe('untrusted-certificate');
  });

  it('refuses a device nobody expects', async () => {
    const d2 = await ca.issue('dev-2');
    expect(await reason(attest(server.uri, { ...device(), deviceId: 'dev-2', privateKey: d2.privateKey, factoryCertificate: d2.certificate }))).toBe('no-expectation');
  });

  it('answers malformed requests with 4.00 and unknown paths with 4.04, and keeps serving', async () => {
    expect((await rawPost('/ra/challenge', Buffer.from('not cbor'))).code).toBe('4.00');
    expect((await rawPost('/ra/challenge', Buffer.from(encodeCbor([42])))).code).toBe('4.00');
    expect((await rawPost('/ra/evidence', Buffer.from([0xa0]))).code).toBe('4.00');
    expect((await rawPost('/elsewhere', Buffer.alloc(0))).code).toBe('4.04');
    await attest(server.uri, device());
    expect(await server.result('dev-1')).toMatchObject({ ok: true });
  });
});
