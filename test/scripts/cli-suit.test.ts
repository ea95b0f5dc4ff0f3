/**
 * `handover suit show | verify | create` in-process: the draft's examples shown as JSON and
 * verified with their key, a tampered envelope refused with exit 1 and a reason, an envelope
 * created from a description and an image that verifies, bad usage exit 2.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { captureIo } from '../../scripts/cli/io';
import { runCli } from '../../scripts/cli/main';
import { fixtureEnvelope } from '../common/suit/fixtures';

const FIX = resolve(__dirname, '../..', '../shared/fixtures/suit');

describe('handover suit', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'suit-cli-'));
    for (const n of [0, 1, 2]) writeFileSync(join(dir, `example${n}.suit`), fixtureEnvelope(n));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    const io = captureIo();
    const code = await runCli(['suit', ...argv], io);
    return { code, ...io };
  }

  it('show prints the JSON summary of example 1', async () => {
    const r = await run('show', join(dir, 'example1.suit'));
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      sequenceNumber: 1,
      components: [['00']],
      digest: { alg: 'sha256', hex: '1f2e7acca0dc2786f2fe4eb947f50873a6a3cfaa98866c5b02e621f42074daf2' },
    });
    expect(json.commands.install).toEqual([
      { directive: 'override-parameters', parameters: { uri: 'http://example.com/file.bin' } },
      { directive: 'fetch', policy: 2 },
      { condition: 'image-match', policy: 15 },
    ]);
    expect(json.commands.shared[0].parameters.classId).toBe('1492af14-2569-5e48-bf42-9b2d51f2ab45');
  });

  it('show marks severed members of example 2', async () => {
    const json = JSON.parse((await run('show', join(dir, 'example2.suit'))).stdout);
    expect(json.commands.install.severed).toEqual({ alg: 'sha256', hex: 'cfa90c5c58595e7f5119a72f803fd0370b3e6abbec6315cd38f63135281bc498' });
    expect(json.referenceUri).toBe('https://git.io/JJYoj');
  });

  it.each([0, 1, 2])('verify accepts example %i with public_key.pem', async (n) => {
    const r = await run('verify', '--key', join(FIX, 'public_key.pem'), join(dir, `example${n}.suit`));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`sequence number ${n}`);
  });

  it('verify refuses a tampered envelope with exit 1 and the reason', async () => {
    const bad = Buffer.from(fixtureEnvelope(0));
    bad[bad.length - 3] ^= 1;
    writeFileSync(join(dir, 'bad.suit'), bad);
    const r = await run('verify', '--key', join(FIX, 'public_key.pem'), join(dir, 'bad.suit'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifest does not match the digest/);
  });

  it('create builds an envelope from a description and an image that verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'fw.bin'), Buffer.from('firmware image'));
    const desc = JSON.parse(readFileSync(join(FIX, 'example1.json'), 'utf8'));
    delete desc.components[0]['install-digest'];
    delete desc.components[0]['install-size'];
    desc['manifest-sequence-number'] = 7;
    writeFileSync(join(dir, 'desc.json'), JSON.stringify(desc));
    const out = join(dir, 'out.suit');
    const c = await run('create', '--key', join(dir, 'key.pem'), '--desc', join(dir, 'desc.json'), '--image', join(dir, 'fw.bin'), '--out', out, '--json');
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ sequenceNumber: 7, alg: 'ES256' });
    expect((await run('verify', '--key', join(dir, 'pub.pem'), out)).code).toBe(0);
    expect((await run('verify', '--key', join(FIX, 'public_key.pem'), out)).code).toBe(1);
    const shown = JSON.parse((await run('show', out)).stdout);
    expect(shown.commands.shared[0].parameters.imageSize).toBe(14);
  });

  it('exits 2 on bad usage', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('verify', join(dir, 'example0.suit'))).code).toBe(2);
    expect((await run('create', '--key', 'x')).code).toBe(2);
  });
});
