#!/usr/bin/env node
// The `handover` command. Runs the compiled CLI from dist/ (built by `npm run build`, which the
// set-up script runs).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'scripts', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('handover: not built yet; run "npm run build" (or scripts/setup.sh) first\n');
  process.exit(2);
}
require(main).runCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
