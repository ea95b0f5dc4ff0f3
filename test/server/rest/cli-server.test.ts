/**
 * `handover server` in-process: usage errors exit 2; a started server prints its addresses and a
 * generated token once, answers on its REST API with that token only, warns loudly about NoSec,
 * and stops cleanly when asked.
 */
import * as http from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureIo } from '../../../scripts/cli/io';
import { runCli } from '../../../scripts/cli/main';
import { requestStop as requestServerStop } from '../../../scripts/cli/until-signal';

function get(port: number, p: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
}

async function until(cond: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('handover server', () => {
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it.each([
    [['--coap-port', 'x']], [['--http-port', '70000']], [['--bogus']], [['extra']], [['--token', 'short']],
  ])('exits 2 with usage for %j', async (argv) => {
    const io = captureIo();
    expect(await runCli(['server', ...argv], io)).toBe(2);
    expect(io.stderr).toContain('usage: handover server');
  });

  it('starts on free ports with a generated token, serves the API, and stops on request', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'handover-cli-server-')), 'data');
    dirs.push(path.dirname(dataDir));
    const io = captureIo();
    const run = runCli(['server', '--coap-port', '0', '--http-port', '0', '--data-dir', dataDir, '--allow-nosec'], io);
    try {
      await until(() => /API token/.test(io.stdout));
      expect(io.stderr).toContain('WARNING: --allow-nosec');
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const httpPort = Number(/REST API listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(io.stdout)![1]);
      expect(io.stdout).toMatch(/LwM2M server listening on coap:\/\/127\.0\.0\.1:\d+/);
      const token = /API token[^\n]*\n\s+(\S+)/.exec(io.stdout)![1];
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await get(httpPort, '/api/clients', token)).toBe(200);
      expect(await get(httpPort, '/api/clients')).toBe(401);
    } finally {
      requestServerStop();
    }
    expect(await run).toBe(0);
    expect(io.stderr).toContain('server: stopped');
  });
});
