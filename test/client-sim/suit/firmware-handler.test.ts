/**
 * SuitFirmwareHandler on its own, over real UDP to the update server: download then update,
 * the installed state surviving a restart (a new handler on the same state directory still
 * refuses rollback), the Update Result carried by each refusal, and Cancel discarding the
 * candidate.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirmwareUpdateError } from '../../../client-sim/objects/firmware-update';
import { SuitFirmwareHandler } from '../../../client-sim/suit/firmware-handler';
import { createSuitEnvelope } from '../../../common/suit/builder';
import { parseSuitDescription } from '../../../common/suit/description';
import { parseUuid } from '../../../common/suit/uuid';
import { SuitUpdateServer } from '../../../plugin/update-server/update-server';

const VENDOR = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
const CLASS = '1492af14-2569-5e48-bf42-9b2d51f2ab45';

describe('SuitFirmwareHandler', () => {
  const signer = generateKeyPairSync('ed25519');
  let updates: SuitUpdateServer;
  let stateDir: string;
  const handler = () => new SuitFirmwareHandler({
    trustStore: [signer.publicKey],
    recipient: { vendorIds: [parseUuid(VENDOR)], classIds: [parseUuid(CLASS)], components: [[Uint8Array.of(0)]] },
    stateDir, blockSize: 512, timeoutMs: 5000,
  });
  const signal = () => new AbortController().signal;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'suit-h-'));
    updates = await new SuitUpdateServer().start();
  });
  afterAll(async () => {
    await updates.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function publish(name: string, seq: number, image: Uint8Array, uri = `${name}.bin`): string {
    const desc = parseSuitDescription({
      components: [{ 'install-id': ['00'], 'vendor-id': VENDOR, 'class-id': CLASS, uri, bootable: true }],
      'manifest-sequence-number': seq,
    });
    updates.publish(`/h/${name}.bin`, image);
    return updates.publish(`/h/${name}.suit`, createSuitEnvelope(desc, [image], { key: signer.privateKey, alg: 'EdDSA' }));
  }
  async function resultOf(p: Promise<unknown>): Promise<number> {
    try { await p; } catch (e) { if (e instanceof FirmwareUpdateError) return e.result; throw e; }
    throw new Error('no failure');
  }

  it('downloads into a candidate slot and installs on update', async () => {
    const image = new Uint8Array(randomBytes(4000));
    const h = handler();
    await h.packageUri(publish('a', 10, image), signal());
    expect(existsSync(join(stateDir, 'component-00.candidate'))).toBe(true);
    expect(existsSync(join(stateDir, 'component-00.bin'))).toBe(false);
    const installed = await h.update();
    expect(installed).toEqual({ firmwareVersion: 'suit-10', pkgName: 'suit', pkgVersion: '10' });
    expect(Buffer.compare(readFileSync(join(stateDir, 'component-00.bin')), Buffer.from(image))).toBe(0);
    expect(existsSync(join(stateDir, 'component-00.candidate'))).toBe(false);
  });

  it('a restarted device keeps its sequence number and refuses rollback', async () => {
    const h = handler();
    expect((await h.installed())?.sequenceNumber).toBe(10);
    expect(await resultOf(h.packageUri(publish('b', 9, new Uint8Array(randomBytes(10))), signal()))).toBe(6);
    expect(h.lastFailure?.message).toMatch(/sequence number 9 does not follow the installed 10/);
  });

  it('accepts the same manifest again but not another one with the same sequence number', async () => {
    const h = handler();
    const same = readFileSync(join(stateDir, 'suit-envelope.cbor'));
    updates.publish('/h/same.suit', same);
    await h.packageUri(updates.uri('/h/same.suit'), signal());
    expect(await resultOf(h.packageUri(publish('c', 10, new Uint8Array(randomBytes(10))), signal()))).toBe(6);
  });

  it('maps transfer failures to Update Results', async () => {
    const h = handler();
    expect(await resultOf(h.packageUri('coaps://127.0.0.1/x.suit', signal()))).toBe(9);
    expect(await resultOf(h.packageUri('::not a uri', signal()))).toBe(7);
    // the envelope is there, the payload it points at is not
    expect(await resultOf(h.packageUri(publish('d', 11, new Uint8Array(10), 'missing.bin'), signal()))).toBe(7);
    expect(await resultOf(h.packageUri(updates.uri('/h/none.suit'), signal()))).toBe(7);
    updates.publish('/h/garbage.suit', new Uint8Array(randomBytes(64)));
    expect(await resultOf(h.packageUri(updates.uri('/h/garbage.suit'), signal()))).toBe(6);
  });

  it('discard removes the candidate and update then fails', async () => {
    const h = handler();
    await h.packageUri(publish('e', 12, new Uint8Array(randomBytes(100))), signal());
    expect(existsSync(join(stateDir, 'component-00.candidate'))).toBe(true);
    h.discard();
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(stateDir, 'component-00.candidate'))).toBe(false);
    expect(await resultOf(h.update())).toBe(8);
    expect((await h.installed())?.sequenceNumber).toBe(10);
  });
});
