/**
 * FR attack tests on the device: a tampered token, a token for another device (by id and by
 * factory certificate), a replayed one (counter not above, same token id), one outside its
 * window, one signed by an unknown key (with and without kid), garbage — each refused with its
 * Result Code and a reason, and the device left exactly as it was: objects, credentials, counter
 * and state file, compared as snapshots.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsr } from '../../../common/pki/index';
import { NO_ARGS } from '../../../client-sim/execute-args';
import type { Caller } from '../../../client-sim/object-enabler';
import { AnchorPurpose, TransferResult, TransferStep, createTransferAgent, type TransferAgent } from '../../../client-sim/transfer/index';
import { singleResource } from '../../../objects/node';
import { type Pki, type Signer, createPki, instructions, now, token } from './fixtures';

const SP1: Caller = { kind: 'server', shortServerId: 1 };
const TRANSFER_VIEW = new Set([2, 3, 4]); // State, Result Code, Result Text

describe('transfer token refusals', () => {
  let pki: Pki;
  let dev: Signer;
  let other: Signer;
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    pki = await createPki();
    dev = await pki.device('dev-1');
    other = await pki.device('dev-2');
    dir = mkdtempSync(join(tmpdir(), 'transfer-refusals-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A device that accepted one transfer token before (counter 5), with SP1's anchors. */
  async function device(): Promise<TransferAgent> {
    const op = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const opCert = await pki.sp1Ca.issueFromCsr(await createCsr({ subject: 'CN=dev-1', privateKey: op.privateKey, publicKey: op.publicKey }));
    const stateFile = join(dir, `dev-${++n}.transfer.json`);
    const opts = {
      deviceId: 'dev-1', factory: dev, operational: { privateKey: op.privateKey, certificate: opCert },
      stateFile, retry: { attempts: 1, backoffMs: 10 }, estTimeoutMs: 500,
    };
    const first = createTransferAgent(opts);
    await first.trustStore.add({ certificate: pki.sp1Signer.certificate, purpose: AnchorPurpose.providerSigner, survivesReset: true, label: 'SP1' });
    await first.trustStore.add({ certificate: pki.ca2.certificate, purpose: AnchorPurpose.enrollmentCa, survivesReset: true });
    await first.trustStore.add({ certificate: pki.sp1Ca.certificate, purpose: AnchorPurpose.lwm2mServer, survivesReset: false });
    await first.close();
    // an earlier transfer raised the counter to 5 and its token id is remembered (as its state file says)
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    saved.extra.transfer.lastCounter = 5;
    saved.extra.transfer.seenTokenIds = ['0102030405060708090a0b0c0d0e0f10'];
    writeFileSync(stateFile, JSON.stringify(saved), { mode: 0o600 });
    const agent = createTransferAgent(opts);
    expect(agent.lastCounter).toBe(5);
    expect(agent.trustStore.anchors()).toHaveLength(3);
    return agent;
  }

  function snapshot(agent: TransferAgent) {
    return JSON.stringify({
      objects: agent.objects.map((o) => ({ id: o.id, instances: [...o.snapshot().instances.values()].map((i) => [i.id, [...i.resources.values()]
        .filter((r) => !(o.id === 33001 && TRANSFER_VIEW.has(r.id))).map((r) => [r.id, r.kind === 'singleResource' ? String(r.value instanceof Uint8Array ? Buffer.from(r.value).toString('hex') : r.value) : 'multi'])]) })),
      credentials: agent.operationalCredentials(), counter: agent.lastCounter,
    });
  }

  async function applyAs(agent: TransferAgent, bytes: Uint8Array): Promise<void> {
    await agent.transfer.write(0, [singleResource(0, 'OPAQUE', bytes)], { replace: true, instance: false }, SP1);
    expect(agent.step).toBe(TransferStep.received);
    await agent.transfer.execute(0, 1, NO_ARGS, SP1);
    await agent.settled();
  }

  async function expectRefused(bytes: Uint8Array, code: number, text: RegExp): Promise<void> {
    const agent = await device();
    const before = snapshot(agent);
    const file = (agent as unknown as { file: { path: string } }).file.path;
    const stateBefore = JSON.parse(readFileSync(file, 'utf8')).extra.transfer;
    await applyAs(agent, bytes);
    expect(agent.step).toBe(TransferStep.failed);
    expect(agent.result.code).toBe(code);
    expect(agent.result.text).toMatch(text);
    expect(agent.transfer.get(0, 2)).toBe(BigInt(TransferStep.failed));
    expect(agent.transfer.get(0, 3)).toBe(BigInt(code));
    expect(snapshot(agent)).toBe(before);
    await agent.flush();
    const stateAfter = JSON.parse(readFileSync(file, 'utf8')).extra.transfer;
    expect({ ...stateAfter, step: 0, resultCode: 0, resultText: '' }).toEqual({ ...stateBefore, step: 0, resultCode: 0, resultText: '' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }

  const dev1 = (counter = 6) => ({ id: 'dev-1', certificate: dev.certificate, counter });

  it('accepts a valid token (the control case)', async () => {
    const agent = await device();
    await applyAs(agent, token(pki.sp1Signer, dev1(), instructions(), { kid: true }));
    // valid: the transfer ran, and fell back: no CA answers at the test enroll URI
    expect(agent.lastCounter).toBe(6);
    expect(agent.step).toBe(TransferStep.fallback);
    expect(agent.result.code).toBe(TransferResult.enrollmentFailed);
    expect(agent.trustStore.anchors()).toHaveLength(2); // the anchor not marked Survives Reset is gone
    expect(agent.operationalCredentials()).toBeUndefined();
    await agent.close();
  }, 30000);

  it('refuses a tampered token', async () => {
    const t = token(pki.sp1Signer, dev1(), instructions());
    const i = Buffer.from(t).indexOf(Buffer.from('coaps://127.0.0.1:9'));
    const tampered = Buffer.from(t);
    tampered[i + 10] = '2'.charCodeAt(0); // 127.0.0.1 → 127.2.0.1
    await expectRefused(tampered, TransferResult.badSignature, /does not verify/);
  });

  it('refuses a token for another device id', async () => {
    await expectRefused(token(pki.sp1Signer, { id: 'dev-2', counter: 6 }, instructions()), TransferResult.notForThisDevice, /dev-2/);
  });

  it('refuses a token bound to another factory certificate', async () => {
    await expectRefused(token(pki.sp1Signer, { id: 'dev-1', certificate: other.certificate, counter: 6 }, instructions()), TransferResult.notForThisDevice, /another factory certificate/);
  });

  it('refuses a replayed counter', async () => {
    await expectRefused(token(pki.sp1Signer, dev1(5), instructions()), TransferResult.replayed, /counter 5 is not above/);
  });

  it('refuses a token id already used', async () => {
    const cti = new Uint8Array(Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'));
    await expectRefused(token(pki.sp1Signer, dev1(9), instructions(), { cti }), TransferResult.replayed, /cti/);
  });

  it('refuses a token after its window', async () => {
    await expectRefused(token(pki.sp1Signer, dev1(), instructions({ resetTimeNotBefore: now() - 7200, resetTimeNotAfter: now() - 3600 })), TransferResult.outsideWindow, /expired|exp/i);
  });

  it('refuses a token before its window', async () => {
    await expectRefused(token(pki.sp1Signer, dev1(), instructions({ resetTimeNotBefore: now() + 3600, resetTimeNotAfter: now() + 7200 })), TransferResult.outsideWindow, /not valid before/);
  });

  it('refuses a token signed by an unknown key naming itself (kid)', async () => {
    await expectRefused(token(pki.stranger, dev1(), instructions(), { kid: true }), TransferResult.unknownSigner, /unknown key/);
  });

  it('refuses a token signed by an unknown key without kid', async () => {
    await expectRefused(token(pki.stranger, dev1(), instructions()), TransferResult.badSignature, /does not verify with any provider-signer anchor/);
  });

  it('refuses garbage', async () => {
    await expectRefused(new Uint8Array([0xa1, 0x01, 0x02, 0x03]), TransferResult.malformed, /not a signed CWT/);
  });

  it('refuses a token when no provider-signer anchor is present', async () => {
    const agent = await device();
    await agent.trustStore.delete(0, { kind: 'device' });
    await applyAs(agent, token(pki.sp1Signer, dev1(), instructions()));
    expect(agent.result.code).toBe(TransferResult.unknownSigner);
    expect(agent.lastCounter).toBe(5);
  });

  it('Apply without a token is 4.05 and changes nothing', async () => {
    const agent = await device();
    const before = snapshot(agent);
    await expect(agent.transfer.execute(0, 1, NO_ARGS, SP1)).rejects.toMatchObject({ coapCode: '4.05' });
    expect(snapshot(agent)).toBe(before);
    expect(agent.step).toBe(TransferStep.idle);
  });
});
