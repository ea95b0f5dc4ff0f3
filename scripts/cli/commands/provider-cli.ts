/**
 * What the provider verbs (`handover sp1`, `handover sp2`) share: the --config option, reading
 * input files and writing output files (checked before anything changes, written through a
 * temporary file and a rename), device-id and device lists, and waiting for SIGINT/SIGTERM.
 * Not a verb itself (main.ts does not map it).
 */
import { accessSync, constants, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { HandoverError, InvalidInputError, UsageError, isHandoverError } from '../../../common/errors';
import { loadProviderConfig, type ProviderConfig } from '../../../plugin/handover/provider-config';

export function configFrom(file: string | undefined, role: 'sp1' | 'sp2'): ProviderConfig {
  if (!file) throw new UsageError('--config FILE is required');
  return loadProviderConfig(file, role);
}

export function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new InvalidInputError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Throws unless `file` can be written (its directory exists and is writable; an existing file is not a directory). */
export function checkWritable(file: string, flag: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new InvalidInputError(`${flag} ${file}: cannot write into ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    if (statSync(file).isDirectory()) throw new InvalidInputError(`${flag} ${file} is a directory`);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
  }
}

/** Write through a temporary file and a rename: a reader never sees half a document. */
export function writeOutput(file: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    throw new InvalidInputError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Device ids from a JSON array or one per line (blank lines and # comments skipped). */
export function parseDeviceIds(text: string, file: string): string[] {
  const t = text.trim();
  let ids: string[];
  if (t.startsWith('[')) {
    let v: unknown;
    try { v = JSON.parse(t); } catch (e) { throw new InvalidInputError(`${file}: not valid JSON: ${(e as Error).message}`); }
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) throw new InvalidInputError(`${file}: must be a JSON array of device ids`);
    ids = v as string[];
  } else {
    ids = t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  }
  if (ids.length === 0) throw new InvalidInputError(`${file}: no device ids`);
  if (new Set(ids).size !== ids.length) throw new InvalidInputError(`${file}: a device id is listed twice`);
  return ids;
}

const SIGNATURE_CODES = new Set(['ERR_JWS_SIGNATURE', 'ERR_CWT_SIGNATURE', 'ERR_COSE_SIGNATURE']);

/**
 * Run `f` on a document read from `file`; a refusal names the file, and a signature that does
 * not verify says whose key it was checked with. The error keeps its code.
 */
export async function refusingDocument<T>(file: string, peer: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!isHandoverError(e) || e.code === 'ERR_REDIS') throw e;
    const why = SIGNATURE_CODES.has(e.code) ? `${e.message}: not signed by the configured peer "${peer}" (peer.publicKey), or altered` : e.message;
    throw new HandoverError(e.code, `${file}: ${why}`, { cause: e });
  }
}
