/**
 * Key pairs on node:crypto and key files with owner-only permissions: PKCS#8 PEM written
 * atomically with mode 0600 into directories created 0700, and read back only when neither
 * group nor other may read the file (the same rule OpenSSH applies to identity files).
 */
import { KeyObject, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type KeyAlgorithm, keyAlgorithmOf } from './algorithms';
import { KeyFileError } from './errors';

/** A fresh key pair (default P-256). */
export function generateKeyPair(alg: KeyAlgorithm = 'P-256'): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'P-256': return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    case 'P-384': return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    case 'Ed25519': return generateKeyPairSync('ed25519');
    default: throw new KeyFileError(`unsupported key algorithm ${String(alg)}`);
  }
}

/**
 * Write a private key as PKCS#8 PEM with mode 0600 (also when the file existed: the file is
 * replaced through a rename). Missing parent directories are created with mode 0700.
 */
export async function writeKeyFile(file: string, key: KeyObject): Promise<void> {
  if (key.type !== 'private') throw new KeyFileError('only private keys are written to key files');
  keyAlgorithmOf(key);
  const pem = key.export({ format: 'pem', type: 'pkcs8' }) as string;
  const dir = path.dirname(path.resolve(file));
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // the umask may have removed bits, never added: make it exact
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    await fs.chmod(file, 0o600);
  } catch (e) {
    throw new KeyFileError(`cannot write key file ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Read a PKCS#8 (or SEC1) PEM private key; refuses files readable by group or other. */
export async function readKeyFile(file: string): Promise<KeyObject> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (e) {
    throw new KeyFileError(`cannot read key file ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!stat.isFile()) throw new KeyFileError(`key file ${file} is not a regular file`);
  if ((stat.mode & 0o077) !== 0) {
    throw new KeyFileError(`key file ${file} is accessible by group or other (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`, {
      details: { mode: stat.mode & 0o777 },
    });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: await fs.readFile(file), format: 'pem' });
  } catch (e) {
    throw new KeyFileError(`key file ${file} does not hold a PEM private key: ${(e as Error).message}`, { cause: e });
  }
  try {
    keyAlgorithmOf(key);
  } catch (e) {
    throw new KeyFileError(`key file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return key;
}
