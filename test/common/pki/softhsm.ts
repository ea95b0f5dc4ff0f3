/**
 * Test helper: a private SoftHSM2 token directory and fresh tokens in it.
 * Jest gives each test file its own copy of process.env, but the SoftHSM2 library (native)
 * reads the real process environment when Cryptoki is initialised; process.loadEnvFile sets
 * the real one. It does not override a value already set, so the configuration lives at one
 * path per worker process (/tmp/handover-softhsm-<pid>) and each test file adds its own tokens.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const base = path.join(tmpdir(), `handover-softhsm-${process.pid}`);
const conf = path.join(base, 'softhsm2.conf');

/** Point SoftHSM2 (in this process and its children) at the private token directory. */
export function useSoftHsm(): { conf: string; tokenDir: string } {
  const tokenDir = path.join(base, 'tokens');
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const envFile = path.join(base, 'env');
  writeFileSync(envFile, `SOFTHSM2_CONF=${conf}\n`);
  (process as unknown as { loadEnvFile(p: string): void }).loadEnvFile(envFile);
  process.env.SOFTHSM2_CONF = conf;
  const seen = execFileSync('sh', ['-c', 'printf %s "$SOFTHSM2_CONF"']).toString();
  if (seen !== conf) throw new Error(`SOFTHSM2_CONF is ${seen}, expected ${conf}`);
  return { conf, tokenDir };
}

/** Initialise a new token with a unique label; returns what a Pkcs11KeyRef needs. */
export function newToken(prefix: string, pin = '123456'): { module: string; tokenLabel: string; pin: string } {
  const tokenLabel = `${prefix}-${randomBytes(4).toString('hex')}`;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--pin', pin, '--so-pin', '87654321'], { stdio: 'pipe' });
  return { module: SOFTHSM_MODULE, tokenLabel, pin };
}

/** Remove the tokens and configuration (call after every CA / signer of the file is closed; useSoftHsm recreates them). */
export function removeSoftHsmTokens(): void {
  rmSync(base, { recursive: true, force: true });
}
