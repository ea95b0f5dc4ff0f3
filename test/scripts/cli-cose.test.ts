/** `handover cose verify|sign` and `handover cwt show`, run in-process on real files. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../scripts/cli/main';
import { captureIo } from '../../scripts/cli/io';
import { createCwt } from '../../common/cwt/cwt';
import { TransferClaim } from '../../plugin/messages/claims';
import { figureHex } from '../common/cose/rfc-text';

const FIXTURE = path.resolve(__dirname, '../..', '../shared/fixtures/cose/sign1-tests');
let dir: string;
const file = (name: string, content: string | Uint8Array) => { const p = path.join(dir, name); writeFileSync(p, content); return p; };
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'handover-cose-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, ...io };
}

describe('handover cose verify', () => {
  const ex = JSON.parse(readFileSync(path.join(FIXTURE, 'sign-pass-02.json'), 'utf8'));
  const jwk = { kty: 'EC', crv: 'P-256', x: ex.input.sign0.key.x, y: ex.input.sign0.key.y };

  it('verifies a cose-wg example given as hex, with a JWK and --aad', async () => {
    const r = await run('cose', 'verify', '--key', file('k.jwk', JSON.stringify(jwk)), file('m.hex', ex.output.cbor), '--aad', ex.input.sign0.external, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, alg: 'ES256', kid: '3131', payload: Buffer.from('This is the content.').toString('hex') });
  });

  it('exits 1 with a one-line reason when the AAD is missing or the message is garbage', async () => {
    const k = file('k2.jwk', JSON.stringify(jwk));
    const r = await run('cose', 'verify', '--key', k, file('m2.hex', ex.output.cbor));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/signature does not verify/);
    const g = await run('cose', 'verify', '--key', k, file('g.bin', Buffer.from([0xd2, 0x84, 0x43])));
    expect(g.code).toBe(1);
    expect(g.stderr).toMatch(/malformed CBOR/);
    expect(g.stderr).not.toMatch(/\s+at /);
  });

  it('exits 2 on bad usage', async () => {
    expect((await run('cose', 'verify', 'x')).code).toBe(2);
    expect((await run('cose', 'frobnicate')).code).toBe(2);
  });
});

describe('handover cose sign', () => {
  it('signs raw to --out and the result verifies with the PEM public key and a certificate-less PEM', async () => {
    const key = file('p.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const pub = file('pub.pem', publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const payload = file('payload.bin', Buffer.from('hello device'));
    const out = path.join(dir, 'signed.cbor');
    const s = await run('cose', 'sign', '--key', key, payload, '--kid', '0a0b', '--out', out);
    expect(s.code).toBe(0);
    expect(readFileSync(out)[0]).toBe(0xd2);
    const v = await run('cose', 'verify', '--key', pub, out, '--json');
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, alg: 'ES256', kid: '0a0b', payload: Buffer.from('hello device').toString('hex') });
    const h = await run('cose', 'sign', '--key', key, payload);
    expect(h.stdout.trim()).toMatch(/^d284[0-9a-f]+$/);
    const wrong = await run('cose', 'verify', '--key', file('other.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string), out);
    expect(wrong.code).toBe(1);
  });

  it('refuses a public key for signing and a bad --alg', async () => {
    const pub = file('pub2.pem', publicKey.export({ format: 'pem', type: 'spki' }) as string);
    expect((await run('cose', 'sign', '--key', pub, file('p2.bin', 'x'))).code).toBe(1);
    const key = file('p3.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    expect((await run('cose', 'sign', '--key', key, file('p3.bin', 'x'), '--alg', 'RS256')).code).toBe(2);
    expect((await run('cose', 'sign', '--key', key, file('p4.bin', 'x'), '--alg', 'ES384')).code).toBe(1);
  });
});

describe('handover cwt show', () => {
  it('shows the RFC 8392 A.3 claims by name, and verifies with --key --skip-time', async () => {
    const f = file('a3.cwt', figureHex('draft-ietf-ace-cbor-web-token-15.txt', 10));
    const r = await run('cwt', 'show', f, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ verified: false, claims: { iss: 'coap://as.example.com', sub: 'erikw', aud: 'coap://light.example.com', exp: 1444064944, nbf: 1443944944, iat: 1443944944, cti: '0b71' } });
    const jwk = { kty: 'EC', crv: 'P-256', x: Buffer.from('143329cce7868e416927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f', 'hex').toString('base64url'), y: Buffer.from('60f7f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9', 'hex').toString('base64url') };
    const k = file('a23.jwk', JSON.stringify(jwk));
    const v = await run('cwt', 'show', f, '--key', k, '--skip-time', '--json');
    expect(JSON.parse(v.stdout)).toMatchObject({ verified: true, alg: 'ES256' });
    const expired = await run('cwt', 'show', f, '--key', k);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(/expired/);
  });

  it('names the trust-transfer private claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = createCwt({ claims: { iss: 'sp1', sub: 'dev-1', exp: now + 60, extra: new Map<number, unknown>([[TransferClaim.transferCounter, 3], [TransferClaim.updateUri, ['coaps://u', true]]]) }, key: privateKey, alg: 'ES256' });
    const k = file('pub3.pem', publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const r = await run('cwt', 'show', file('t.hex', Buffer.from(token).toString('hex')), '--key', k, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).claims).toMatchObject({ sub: 'dev-1', transferCounter: 3, updateUri: ['coaps://u', true] });
    const bad = await run('cwt', 'show', file('bad.bin', Buffer.from('hello')));
    expect(bad.code).toBe(1);
  });
});
