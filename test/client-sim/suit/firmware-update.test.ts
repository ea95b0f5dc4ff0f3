/**
 * End-to-end SUIT update of a simulated device through LwM2M object 5, over real UDP: a raw
 * CoAP server (acting as an unmodified LwM2M server) writes Package URI = the envelope's URI and
 * executes Update; the device fetches envelope and payload block-wise from the update server,
 * authenticates, installs and reports State / Update Result. Refusals: rollback (6), wrong
 * class id (6), payload digest mismatch (5), untrusted signer (5), missing envelope (7).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LwM2mClient } from '../../../client-sim/client';
import { SuitFirmwareHandler } from '../../../client-sim/suit/firmware-handler';
import { createSuitEnvelope } from '../../../common/suit/builder';
import { parseSuitDescription } from '../../../common/suit/description';
import { SuitRefusedError } from '../../../common/suit/errors';
import { parseUuid } from '../../../common/suit/uuid';
import { ContentFormat } from '../../../objects/content-format';
import { SuitUpdateServer } from '../../../plugin/update-server/update-server';
import { RawServer } from '../raw-server';

const VENDOR = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
const CLASS = '1492af14-2569-5e48-bf42-9b2d51f2ab45';
const OTHER_CLASS = '7c6a3a1e-8f3c-5d2e-9b1a-0a1b2c3d4e5f';

describe('SUIT firmware update through LwM2M object 5', () => {
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let lwm2m: RawServer;
  let updates: SuitUpdateServer;
  let client: LwM2mClient;
  let handler: SuitFirmwareHandler;
  let stateDir: string;
  let port: number;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'suit-dev-'));
    updates = await new SuitUpdateServer().start();
    lwm2m = await new RawServer().start();
    handler = new SuitFirmwareHandler({
      trustStore: [signer.publicKey],
      recipient: { vendorIds: [parseUuid(VENDOR)], classIds: [parseUuid(CLASS)], components: [[Uint8Array.of(0)]] },
      stateDir, blockSize: 128, timeoutMs: 5000,
    });
    client = new LwM2mClient({ endpoint: 'suit-dev-1', serverUri: lwm2m.uri, lifetime: 60, requestTimeout: 2000, firmware: handler });
    client.on('error', () => undefined);
    await client.start();
    await lwm2m.waitFor((u) => u.method === 'POST' && u.path === '/rd');
    port = client.address()!.port;
  });
  afterAll(async () => {
    await client.stop();
    await lwm2m.close();
    await updates.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Publish image + envelope; returns the envelope URI. */
  function publish(name: string, seq: number, image: Uint8Array, opts: { classId?: string; served?: Uint8Array; key?: typeof signer.privateKey } = {}): string {
    const desc = parseSuitDescription({
      components: [{ 'install-id': ['00'], 'vendor-id': VENDOR, 'class-id': opts.classId ?? CLASS, uri: `${name}.bin`, bootable: true,
        description: { 'en-US': { 'component-version': `v${seq}` } } }],
      'manifest-sequence-number': seq,
      'reference-uri': `https://provider.example/fw/${name}`,
      severable: true,
    });
    const envelope = createSuitEnvelope(desc, [image], { key: opts.key ?? signer.privateKey, alg: 'ES256' });
    updates.publish(`/fw/${name}.bin`, opts.served ?? image);
    return updates.publish(`/fw/${name}.suit`, envelope);
  }

  const read = async (path: string) => {
    const r = await lwm2m.request(port, { path, accept: ContentFormat.TEXT });
    expect(r.code).toBe('2.05');
    return r.payload.toString();
  };
  async function until(state: number, result?: number): Promise<void> {
    const deadline = Date.now() + 10000;
    for (;;) {
      const [s, r] = [Number(await read('/5/0/3')), Number(await read('/5/0/5'))];
      if (s === state && (result === undefined || r === result)) return;
      if (Date.now() > deadline) throw new Error(`state ${s}, result ${r}; waited for ${state}/${result}`);
      await new Promise((ok) => setTimeout(ok, 30));
    }
  }
  async function writePackageUri(uri: string): Promise<void> {
    const r = await lwm2m.request(port, { method: 'PUT', path: '/5/0/1', format: ContentFormat.TEXT, payload: Buffer.from(uri) });
    expect(r.code).toBe('2.04');
  }
  async function executeUpdate(): Promise<void> {
    expect((await lwm2m.request(port, { method: 'POST', path: '/5/0/2' })).code).toBe('2.04');
  }
  async function refused(uri: string, result: number): Promise<SuitRefusedError | undefined> {
    await writePackageUri(uri);
    await until(0, result);
    return handler.lastFailure instanceof SuitRefusedError ? handler.lastFailure : undefined;
  }

  const image2 = new Uint8Array(randomBytes(3000));

  it('downloads, installs and reports success (Update Result 1)', async () => {
    expect(await read('/5/0/3')).toBe('0');
    await writePackageUri(publish('v2', 2, image2));
    await until(2); // Downloaded
    expect(await handler.installed()).toBeUndefined();
    await executeUpdate();
    await until(0, 1);
    const installed = await handler.installed();
    expect(installed).toMatchObject({ sequenceNumber: 2, referenceUri: 'https://provider.example/fw/v2', components: [{ id: ['00'], size: 3000 }] });
    expect(Buffer.compare(readFileSync(join(stateDir, 'component-00.bin')), Buffer.from(image2))).toBe(0);
    expect(await read('/5/0/7')).toBe('2');
    expect(await read('/3/0/3')).toBe('v2');
    expect(handler.lastInvoked).toEqual([[Uint8Array.of(0)]]);
  });

  it('refuses a rollback to a lower sequence number (Update Result 6)', async () => {
    const e = await refused(publish('v1', 1, new Uint8Array(randomBytes(100))), 6);
    expect(e?.reason).toBe('rollback');
    expect((await handler.installed())?.sequenceNumber).toBe(2);
  });

  it('refuses another class id (Update Result 6)', async () => {
    const e = await refused(publish('other-class', 3, new Uint8Array(randomBytes(100)), { classId: OTHER_CLASS }), 6);
    expect(e?.reason).toBe('class-id');
  });

  it('refuses a payload that does not match the digest (Update Result 5)', async () => {
    const image = new Uint8Array(randomBytes(1000));
    const served = new Uint8Array(image);
    served[500] ^= 0x40;
    const e = await refused(publish('tampered', 4, image, { served }), 5);
    expect(e?.reason).toBe('image-mismatch');
    expect(Buffer.compare(readFileSync(join(stateDir, 'component-00.bin')), Buffer.from(image2))).toBe(0);
  });

  it('refuses an envelope signed by an untrusted key (Update Result 5)', async () => {
    const e = await refused(publish('untrusted', 5, new Uint8Array(randomBytes(100)), { key: stranger.privateKey }), 5);
    expect(e?.reason).toBe('authentication');
  });

  it('reports a missing envelope as an invalid URI (Update Result 7)', async () => {
    await writePackageUri(updates.uri('/fw/none.suit'));
    await until(0, 7);
  });

  it('updates again with a higher sequence number', async () => {
    const image = new Uint8Array(randomBytes(2048));
    await writePackageUri(publish('v6', 6, image));
    await until(2);
    await executeUpdate();
    await until(0, 1);
    expect((await handler.installed())?.sequenceNumber).toBe(6);
  });
});
