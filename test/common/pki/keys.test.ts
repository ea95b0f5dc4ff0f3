/** Key pairs and owner-only key files. */
import { createPublicKey, sign, verify } from 'node:crypto';
import { chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { KeyFileError, generateKeyPair, keyAlgorithmOf, readKeyFile, writeKeyFile } from '../../../common/pki/index';
import { tempDir } from './openssl';

let dir: string;
beforeAll(() => { dir = tempDir('keys'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateKeyPair', () => {
  it.each(['P-256', 'P-384', 'Ed25519'] as const)('makes a working %s pair', (alg) => {
    const { privateKey, publicKey } = generateKeyPair(alg);
    expect(keyAlgorithmOf(privateKey)).toBe(alg);
    const hash = alg === 'Ed25519' ? null : 'sha256';
    const sig = sign(hash, Buffer.from('m'), privateKey);
    expect(verify(hash, Buffer.from('m'), publicKey, sig)).toBe(true);
    expect(verify(hash, Buffer.from('n'), publicKey, sig)).toBe(false);
  });

  it('defaults to P-256', () => {
    expect(generateKeyPair().privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});

describe('key files', () => {
  it('writes PKCS#8 PEM with mode 0600 into new 0700 directories and reads it back', async () => {
    const { privateKey, publicKey } = generateKeyPair();
    const file = path.join(dir, 'a', 'b', 'key.pem');
    await writeKeyFile(file, privateKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
    const back = await readKeyFile(file);
    expect(createPublicKey(back).export({ format: 'der', type: 'spki' })).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
    expect((back.export({ format: 'pem', type: 'pkcs8' }) as string).startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
  });

  it('makes an existing world-readable file 0600 when writing over it', async () => {
    const file = path.join(dir, 'existing.pem');
    writeFileSync(file, 'old', { mode: 0o644 });
    chmodSync(file, 0o644);
    await writeKeyFile(file, generateKeyPair('Ed25519').privateKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keyAlgorithmOf(await readKeyFile(file))).toBe('Ed25519');
  });

  it.each([0o644, 0o640, 0o604])('refuses to read a key file with mode %o', async (mode) => {
    const file = path.join(dir, `open-${mode.toString(8)}.pem`);
    await writeKeyFile(file, generateKeyPair().privateKey);
    chmodSync(file, mode);
    await expect(readKeyFile(file)).rejects.toBeInstanceOf(KeyFileError);
    await expect(readKeyFile(file)).rejects.toThrow(/group or other/);
  });

  it('refuses missing, malformed and public-key files, and writing a public key', async () => {
    await expect(readKeyFile(path.join(dir, 'nope.pem'))).rejects.toBeInstanceOf(KeyFileError);
    const bad = path.join(dir, 'bad.pem');
    writeFileSync(bad, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    await expect(readKeyFile(bad)).rejects.toBeInstanceOf(KeyFileError);
    await expect(writeKeyFile(path.join(dir, 'pub.pem'), generateKeyPair().publicKey)).rejects.toBeInstanceOf(KeyFileError);
  });
});
