/** scripts/build-addon.js stops with the install hint when the C++ toolchain is missing. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

test('without g++/make/python3 on PATH it exits 1 and says what to install', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-nobuild-'));
  try {
    // A PATH holding only a shell: no compiler, no make, no python.
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-addon.js')], {
      env: { PATH: bin },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('g++, make, python3 not found');
    expect(r.stderr).toContain('apt-get install -y g++ make python3');
    // Nothing was rebuilt or removed.
    expect(fs.existsSync(path.join(root, 'build', 'Release', 'handover_dtls.node'))).toBe(true);
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
});
