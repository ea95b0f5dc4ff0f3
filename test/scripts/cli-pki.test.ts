/** `handover pki init|issue|revoke|crl`, run in-process on real files; openssl checks the output. */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../scripts/cli/main';
import { captureIo } from '../../scripts/cli/io';
import { createCsr, describeCertificate, generateKeyPair, pemBlock, pemToDer } from '../../common/pki/index';
import { openssl, put, tempDir } from '../common/pki/openssl';
import { newToken, removeSoftHsmTokens, useSoftHsm } from '../common/pki/softhsm';

let dir: string;
beforeAll(() => { dir = tempDir('cli-pki'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(['pki', ...argv], io);
  return { code, ...io };
}
const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe('handover pki', () => {
  const root = () => path.join(dir, 'root');
  const sub = () => path.join(dir, 'sub');

  it('init creates a root and a sub-CA (--parent), issue makes factory and operational certificates openssl verifies', async () => {
    const r1 = await run('init', '--dir', root(), '--subject', 'CN=Permanent CA, O=Acme', '--json');
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(json(r1)).toMatchObject({ root: true, subject: 'CN=Permanent CA, O=Acme', key: 'file' });
    expect(statSync(path.join(root(), 'key.pem')).mode & 0o777).toBe(0o600);
    const r2 = await run('init', '--dir', sub(), '--parent', root(), '--subject', 'CN=CA1, O=SP1', '--path-length', '0', '--json');
    expect(r2.code).toBe(0);
    expect(json(r2)).toMatchObject({ root: false, issuer: 'CN=Permanent CA, O=Acme' });

    const device = generateKeyPair();
    const pub = put(dir, 'dev.pub.pem', device.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const out = path.join(dir, 'factory.pem');
    const r3 = await run('issue', '--dir', sub(), '--factory', '--device-id', 'dev-42', '--public-key', pub, '--out', out, '--json');
    expect(r3.code).toBe(0);
    const issued = json(r3);
    expect(issued).toMatchObject({ subject: 'CN=dev-42, serialNumber=dev-42', issuer: 'CN=CA1, O=SP1', out });
    const v = openssl('verify', '-CAfile', path.join(root(), 'ca.pem'), '-untrusted', path.join(sub(), 'ca.pem'), '-purpose', 'sslclient', out);
    expect(v.status).toBe(0);
    expect(describeCertificate(pemToDer(readFileSync(out, 'utf8'))[0]).deviceId).toBe('dev-42');

    const csr = put(dir, 'dev.csr', pemBlock('CERTIFICATE REQUEST', await createCsr({ subject: 'CN=dev-42', ...device })));
    const r4 = await run('issue', '--dir', sub(), '--csr', csr, '--validity-days', '90');
    expect(r4.code).toBe(0);
    expect(r4.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const opFile = put(dir, 'op.pem', r4.stdout);
    expect(openssl('verify', '-CAfile', path.join(dir, 'root', 'ca.pem'), '-untrusted', path.join(sub(), 'chain.pem'), opFile).status).toBe(0);
  });

  it('revoke + crl publish a CRL (DER by default) that openssl verifies and that lists the serial', async () => {
    const out = path.join(dir, 'factory.pem');
    const serial = describeCertificate(pemToDer(readFileSync(out, 'utf8'))[0]).serialNumber;
    const r = await run('revoke', '--dir', sub(), '--serial', serial.toUpperCase(), '--reason', 'keyCompromise', '--json');
    expect(r.code).toBe(0);
    expect(json(r)).toEqual({ revoked: serial, reason: 'keyCompromise' });
    const crlFile = path.join(dir, 'crl.der');
    const c = await run('crl', '--dir', sub(), '--out', crlFile, '--json');
    expect(c.code).toBe(0);
    expect(json(c)).toMatchObject({ out: crlFile, format: 'der' });
    const check = openssl('crl', '-in', crlFile, '-inform', 'DER', '-CAfile', path.join(sub(), 'ca.pem'), '-noout');
    expect(check.stdout + check.stderr).toMatch(/verify OK/);
    expect(openssl('crl', '-in', crlFile, '-inform', 'DER', '-noout', '-text').stdout).toContain(serial.toUpperCase());
    const pemOut = path.join(dir, 'crl.pem');
    expect((await run('crl', '--dir', sub(), '--out', pemOut, '--pem')).code).toBe(0);
    const refused = openssl('verify', '-crl_check', '-CRLfile', pemOut, '-CAfile', path.join(root(), 'ca.pem'), '-untrusted', path.join(sub(), 'ca.pem'), out);
    expect(refused.stdout + refused.stderr).toMatch(/certificate revoked/);
  });

  it('exit 1 with a one-line reason on bad input, changing nothing', async () => {
    const caFiles = () => ['state.json', 'state.journal'].map((f) => (existsSync(path.join(sub(), f)) ? readFileSync(path.join(sub(), f), 'utf8') : ''));
    const stateBefore = caFiles();
    const badCsr = put(dir, 'bad.csr', 'not a csr');
    const cases = [
      await run('issue', '--dir', sub(), '--csr', badCsr),
      await run('issue', '--dir', sub(), '--csr', path.join(dir, 'missing.csr')),
      await run('issue', '--dir', sub(), '--factory', '--device-id', 'x', '--public-key', badCsr),
      await run('revoke', '--dir', sub(), '--serial', '0badc0de'),
      await run('revoke', '--dir', sub(), '--serial', 'not-hex'),
      await run('crl', '--dir', path.join(dir, 'no-ca'), '--out', path.join(dir, 'x.der')),
      await run('init', '--dir', root(), '--subject', 'CN=again'),
      await run('init', '--dir', path.join(dir, 'bad-subject'), '--subject', 'nonsense'),
    ];
    for (const r of cases) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^handover pki: /);
      expect(r.stderr).not.toMatch(/\s+at /);
    }
    // a tampered CSR: refused for its signature
    const der = Buffer.from(await createCsr({ subject: 'CN=t', ...generateKeyPair() }));
    der[der.length - 3] ^= 1;
    const t = await run('issue', '--dir', sub(), '--csr', put(dir, 'tampered.der', der));
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/signature/);
    expect(caFiles()).toEqual(stateBefore);
  });

  it('exit 2 on bad usage', async () => {
    for (const argv of [
      [], ['frobnicate'], ['init', '--subject', 'CN=x'], ['init', '--dir', dir], ['issue', '--dir', sub()],
      ['issue', '--dir', sub(), '--csr', 'a', '--factory'], ['issue', '--dir', sub(), '--factory', '--public-key', 'k'],
      ['revoke', '--dir', sub()], ['revoke', '--dir', sub(), '--serial', '01', '--reason', 'bored'], ['crl', '--dir', sub()],
      ['init', '--dir', dir, '--subject', 'CN=x', '--key', 'RSA'], ['init', '--bogus'],
    ]) {
      const r = await run(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
    }
  });
});

describe('handover pki with a PKCS#11 key', () => {
  let token: { module: string; tokenLabel: string; pin: string };
  beforeAll(() => {
    useSoftHsm();
    token = newToken('cli');
  });
  afterAll(() => {
    delete process.env.HANDOVER_PKCS11_PIN;
    removeSoftHsmTokens();
  });

  it('init keeps the CA key in the token; issue and crl use it with the PIN from HANDOVER_PKCS11_PIN', async () => {
    const d = path.join(dir, 'hsm');
    const base = ['init', '--dir', d, '--subject', 'CN=HSM CA', '--pkcs11-module', token.module, '--token-label', token.tokenLabel, '--key-label', 'ca'];
    expect((await run(...base)).code).toBe(2); // no PIN in the environment
    process.env.HANDOVER_PKCS11_PIN = token.pin;
    const r = await run(...base, '--json');
    expect(r.stderr).toBe('');
    expect(json(r)).toMatchObject({ key: 'pkcs11' });
    const pub = put(dir, 'hsm-dev.pub.pem', generateKeyPair().publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const out = path.join(dir, 'hsm-factory.pem');
    expect((await run('issue', '--dir', d, '--factory', '--device-id', 'hsm-dev', '--public-key', pub, '--out', out)).code).toBe(0);
    expect(openssl('verify', '-CAfile', path.join(d, 'ca.pem'), out).status).toBe(0);
    process.env.HANDOVER_PKCS11_PIN = '999999';
    const wrong = await run('issue', '--dir', d, '--factory', '--device-id', 'hsm-dev', '--public-key', pub);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/login failed/);
  });
});
