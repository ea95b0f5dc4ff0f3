/**
 * `handover est parse` in-process on each kind of EST payload (files written to a temp dir),
 * with --format and --json, and the refusals: truncated DER and wrong format exit 1, bad usage 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeCertsOnly, encodeCsrAttributes, encodeMultipartCore, encodePrivateKey } from '../../common/est/index';
import { CertificateAuthority, createCsr, generateKeyPair } from '../../common/pki/index';
import { captureIo } from '../../scripts/cli/io';
import { runCli } from '../../scripts/cli/main';

let dir: string;
let files: Record<string, string>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-cli-est-'));
  const ca = await CertificateAuthority.createRoot({ subject: 'CN=CLI Root' });
  const keys = generateKeyPair();
  const factory = await ca.issueFactoryCertificate({ deviceId: 'cli-1', publicKey: keys.publicKey });
  const csr = await createCsr({ subject: 'CN=cli-1, serialNumber=cli-1', ...keys });
  const badCsr = Uint8Array.from(csr);
  badCsr[badCsr.length - 3] ^= 1;
  const write = (name: string, data: Uint8Array | string) => { fs.writeFileSync(path.join(dir, name), data); return path.join(dir, name); };
  files = {
    csr: write('dev.csr', csr),
    badCsr: write('bad.csr', badCsr),
    certs: write('certs.p7', encodeCertsOnly([factory, ca.certificate])),
    cert: write('cert.der', factory),
    certHex: write('cert.hex', Buffer.from(factory).toString('hex') + '\n'),
    attrs: write('attrs.der', encodeCsrAttributes([{ oid: '1.2.840.113549.1.9.7' }, { oid: '2.5.4.5' }])),
    key: write('key.p8', encodePrivateKey(keys.privateKey)),
    multipart: write('skg.cbor', encodeMultipartCore([{ contentFormat: 284, payload: encodePrivateKey(keys.privateKey) }, { contentFormat: 287, payload: factory }])),
    truncated: write('trunc.der', Buffer.from(factory).subarray(0, factory.length - 10)),
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function est(...argv: string[]): Promise<{ code: number; out: unknown; stderr: string }> {
  const io = captureIo();
  const code = await runCli(['est', ...argv], io);
  return { code, out: code === 0 ? JSON.parse(io.stdout) : undefined, stderr: io.stderr };
}

test('a CSR: subject and a valid signature; a tampered one: signatureValid false', async () => {
  expect(await est('parse', files.csr, '--json')).toMatchObject({ code: 0, out: { kind: 'csr', subject: 'CN=cli-1, serialNumber=cli-1', signatureValid: true } });
  expect(await est('parse', files.badCsr, '--format', '286', '--json')).toMatchObject({ code: 0, out: { kind: 'csr', signatureValid: false } });
});

test('certs-only, a single certificate (DER and hex), CSR attributes, a private key, multipart', async () => {
  expect((await est('parse', files.certs, '--json')).out).toEqual({
    kind: 'certs',
    certificates: [{ subject: 'CN=cli-1, serialNumber=cli-1', issuer: 'CN=CLI Root' }, { subject: 'CN=CLI Root', issuer: 'CN=CLI Root' }],
  });
  expect((await est('parse', files.cert, '--json')).out).toEqual({ kind: 'cert', certificates: [{ subject: 'CN=cli-1, serialNumber=cli-1', issuer: 'CN=CLI Root' }] });
  expect((await est('parse', files.certHex)).out).toMatchObject({ kind: 'cert' });
  expect((await est('parse', files.attrs, '--json')).out).toEqual({ kind: 'csr-attributes', attributes: ['1.2.840.113549.1.9.7', '2.5.4.5'] });
  expect((await est('parse', files.key, '--json')).out).toEqual({ kind: 'private-key', keyType: 'ec', curve: 'prime256v1' });
  expect((await est('parse', files.multipart, '--json')).out).toEqual({
    kind: 'multipart',
    parts: [
      { contentFormat: 284, kind: 'private-key', keyType: 'ec', curve: 'prime256v1' },
      { contentFormat: 287, kind: 'cert', certificates: [{ subject: 'CN=cli-1, serialNumber=cli-1', issuer: 'CN=CLI Root' }] },
    ],
  });
});

test('truncated DER, a format that does not match, a missing file: exit 1 with one line; bad usage: exit 2', async () => {
  const truncated = await est('parse', files.truncated);
  expect(truncated.code).toBe(1);
  expect(truncated.stderr).toMatch(/truncated/);
  expect(truncated.stderr.trim().split('\n')).toHaveLength(1);
  expect((await est('parse', files.cert, '--format', '286')).code).toBe(1);
  expect((await est('parse', path.join(dir, 'missing'))).code).toBe(1);
  expect((await est('parse')).code).toBe(2);
  expect((await est('parse', files.cert, '--format', 'x')).code).toBe(2);
  expect((await est('frobnicate')).code).toBe(2);
});
