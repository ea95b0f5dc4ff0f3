/** Test helper: run the openssl binary on files we issued, and temp directories. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface Run { status: number | null; stdout: string; stderr: string }

/** openssl with `args`; never throws, the caller asserts on status and output. */
export function openssl(...args: string[]): Run {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `handover-${prefix}-`));
}

/** Write `content` to dir/name and return the path. */
export function put(dir: string, name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}
