#!/usr/bin/env node
// Builds the DTLS addon (binding.gyp -> build/Release/handover_dtls.node) with node-gyp against
// the headers of the Node that runs this script. Run by npm as the package's "install" script,
// or by hand: `node scripts/build-addon.js`. Exit 1 with a clear message when the C++
// toolchain is missing or the build fails.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function fail(message) {
  process.stderr.write(`build-addon: ${message}\n`);
  process.exit(1);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

// The toolchain node-gyp needs.
const missing = [['g++', 'g++'], ['make', 'make'], ['python3', 'python3']]
  .filter(([cmd]) => which(cmd) === '')
  .map(([, pkg]) => pkg);
if (missing.length > 0) {
  fail(
    `cannot build the DTLS addon: ${missing.join(', ')} not found.\n` +
      'install build-essential python3: apt-get install -y g++ make python3',
  );
}

// node-gyp: the project's own copy, else the one bundled with npm, else `npm exec node-gyp`.
function nodeGypCommand() {
  const local = path.join(root, 'node_modules', '.bin', 'node-gyp');
  if (fs.existsSync(local)) return [local, []];
  const npmDir = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  for (const dir of [npmDir, '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm']) {
    const js = path.join(dir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (fs.existsSync(js)) return [process.execPath, [js]];
  }
  return ['npm', ['exec', '--yes', '--', 'node-gyp']];
}

// Node's own headers (including its OpenSSL ones) when they are installed next to the binary,
// so that no header download is attempted.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  for (const dir of [prefix, '/usr', '/usr/local']) {
    if (fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi')) &&
        fs.existsSync(path.join(dir, 'include', 'node', 'openssl', 'ssl.h'))) {
      return [`--nodedir=${dir}`];
    }
  }
  return [];
}

const [cmd, pre] = nodeGypCommand();
const args = [...pre, 'rebuild', ...nodedirArgs()];
process.stdout.write(`build-addon: ${path.basename(cmd)} ${args.slice(pre.length).join(' ')}\n`);
const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
if (r.error) fail(`cannot run node-gyp: ${r.error.message}`);
if (r.status !== 0) fail(`node-gyp failed (exit ${r.status}); see the compiler output above`);
const built = path.join(root, 'build', 'Release', 'handover_dtls.node');
if (!fs.existsSync(built)) fail(`node-gyp succeeded but ${built} is missing`);
process.stdout.write(`build-addon: built ${path.relative(root, built)}\n`);
