/**
 * Lets a child process started by a test run our TypeScript sources directly:
 *   spawn(process.execPath, ['-r', require.resolve('../helpers/ts-register.js'), 'scripts/x.ts', ...])
 * Each .ts file is transpiled on load with the project's compiler options (no type check: the
 * test run and `npm run build` type-check). ESM-only dependencies (jose, @noble) load through
 * Node's own require(esm). Used by the crash tests, which must kill -9 real separate processes.
 */
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
