/**
 * The RA verifier's expectation from the SUIT state SP1 shared: the digest it computes from the
 * referenced envelope is the one a device that installed that envelope reports (SuitFirmwareHandler
 * on a real state directory), a state that names no usable manifest is 'no-expectation', the
 * envelope is fetched once per URI, a failed fetch is not remembered, and an RaServer with the
 * lookup accepts the device that runs it and refuses one that runs another build.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { SuitFirmwareHandler } from '../../../client-sim/suit/firmware-handler';
import { createSuitEnvelope } from '../../../common/suit/builder';
import { parseSuitDescription } from '../../../common/suit/description';
import { parseUuid } from '../../../common/suit/uuid';
import { AttestationError } from '../../../plugin/messages/evidence';
import { RaServer, attest, expectedFromEnvelope, suitExpectationLookup } from '../../../plugin/ra';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';
import { createTestCa, type IssuedCertificate } from './factory-pki';

const VENDOR = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
const CLASS = '1492af14-2569-5e48-bf42-9b2d51f2ab45';
const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

function envelope(seq: number, image: Uint8Array, key = signer.privateKey): Uint8Array {
  const desc = parseSuitDescription({
    components: [{ 'install-id': ['00'], 'vendor-id': VENDOR, 'class-id': CLASS, uri: 'fw.bin', bootable: true }],
    'manifest-sequence-number': seq,
  });
  return createSuitEnvelope(desc, [image], { key, alg: 'ES256' });
}

const image = new Uint8Array(randomBytes(600));
const current = envelope(4, image);
const dirs: string[] = [];

/** Install `env` on a fresh device state directory; the digest and sequence the device reports. */
async function install(env: Uint8Array, img: Uint8Array): Promise<{ firmwareDigest: Uint8Array; suitSequence: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ra-suit-'));
  dirs.push(stateDir);
  const h = new SuitFirmwareHandler({
    trustStore: [signer.publicKey, other.publicKey], stateDir,
    recipient: { vendorIds: [parseUuid(VENDOR)], classIds: [parseUuid(CLASS)], components: [[Uint8Array.of(0)]] },
    fetch: async (uri) => (uri.endsWith('.suit') ? env : img),
  });
  await h.packageUri('coap://127.0.0.1/fw.suit', new AbortController().signal);
  await h.update();
  const s = (await h.installed())!;
  return { firmwareDigest: new Uint8Array(Buffer.from(s.manifestDigest.hex, 'hex')), suitSequence: s.sequenceNumber };
}

afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function reasonOf(f: () => unknown): string {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(AttestationError); return (e as AttestationError).reason; }
  throw new Error('accepted');
}

describe('expectedFromEnvelope', () => {
  it('expects the manifest digest a device that installed the envelope reports', async () => {
    const device = await install(current, image);
    const expected = expectedFromEnvelope(current, 4, [signer.publicKey]);
    expect(expected.suitSequence).toBe(4);
    expect(Buffer.from(expected.firmwareDigest).equals(Buffer.from(device.firmwareDigest))).toBe(true);
    expect(Buffer.from(expectedFromEnvelope(current, 4).firmwareDigest).equals(Buffer.from(device.firmwareDigest))).toBe(true);
  });

  it('refuses a state that names no usable manifest', () => {
    expect(reasonOf(() => expectedFromEnvelope(current, 5, [signer.publicKey]))).toBe('no-expectation'); // the list says another sequence
    expect(reasonOf(() => expectedFromEnvelope(current, 4, [other.publicKey]))).toBe('no-expectation'); // not signed by SP1's signer
    expect(reasonOf(() => expectedFromEnvelope(new Uint8Array(randomBytes(50)), 4))).toBe('no-expectation');
    const tampered = new Uint8Array(current);
    tampered[tampered.length - 1] ^= 1; // inside the manifest: its digest no longer holds
    expect(reasonOf(() => expectedFromEnvelope(tampered, 4))).toBe('no-expectation');
  });
});

describe('suitExpectationLookup with an RaServer', () => {
  let redis: Redis;
  let prefix: string;
  let server: RaServer;
  let devices: Record<'ok' | 'tampered', IssuedCertificate>;
  const fetched: string[] = [];
  let failNext = false;
  const shared = new Map([['dev-ok', 4], ['dev-tampered', 4]]);

  beforeAll(async () => {
    redis = testRedis();
    prefix = randomPrefix('ra-suit');
    const ca = await createTestCa('Factory CA');
    devices = { ok: await ca.issue('dev-ok'), tampered: await ca.issue('dev-tampered') };
    server = await new RaServer({
      redis, keyPrefix: prefix, factoryTrustAnchors: [ca.certificate],
      lookup: suitExpectationLookup({
        sharedState: async (id) => (shared.has(id) ? { suitSequenceNumber: shared.get(id)!, suitReferenceUri: 'coap://sp1.example/fw/current.suit' } : undefined),
        fetch: async (uri) => {
          fetched.push(uri);
          if (failNext) { failNext = false; throw new Error('repository unreachable'); }
          return current;
        },
        signers: [signer.publicKey],
      }),
    }).start();
  });
  afterAll(async () => {
    await server.close();
    await cleanPrefix(redis, prefix);
    await redis.quit();
  });

  it('accepts the device running the shared firmware and refuses one running another build', async () => {
    const ok = await install(current, image);
    await attest(server.uri, { deviceId: 'dev-ok', privateKey: devices.ok.privateKey, factoryCertificate: devices.ok.certificate, ...ok });
    expect(await server.result('dev-ok')).toMatchObject({ ok: true, suitSequence: 4 });
    const otherImage = new Uint8Array(randomBytes(600));
    const tampered = await install(envelope(4, otherImage, other.privateKey), otherImage);
    const refused = attest(server.uri, { deviceId: 'dev-tampered', privateKey: devices.tampered.privateKey, factoryCertificate: devices.tampered.certificate, ...tampered });
    await expect(refused).rejects.toMatchObject({ reason: 'wrong-firmware' });
    expect(fetched).toHaveLength(1); // one download for both devices
  });

  it('knows nothing of a device outside the list', async () => {
    const lookup = suitExpectationLookup({ sharedState: async () => undefined, fetch: async () => current });
    expect(await lookup('dev-unknown')).toBeUndefined();
  });

  it('does not remember a failed download', async () => {
    const lookup = suitExpectationLookup({ sharedState: async () => ({ suitSequenceNumber: 4, suitReferenceUri: 'coap://x/fw.suit' }), fetch: async () => {
      fetched.push('direct');
      if (failNext) { failNext = false; throw new Error('repository unreachable'); }
      return current;
    } });
    failNext = true;
    await expect(lookup('dev-ok')).rejects.toThrow('repository unreachable');
    expect((await lookup('dev-ok'))?.suitSequence).toBe(4);
    expect(await lookup('dev-ok')).toBeDefined();
    expect(fetched.filter((f) => f === 'direct')).toHaveLength(2);
  });
});
