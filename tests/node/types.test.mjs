// The shipped index.d.ts types browser-style code (tsc compiles types_check.ts against it).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

test('index.d.ts compiles browser-style code', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom',
    '--module', 'commonjs', '--skipLibCheck', 'false', path.join(here, 'types_check.ts')], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('package.json points at the shipped types', () => {
  const pkg = require('../../package.json');
  assert.equal(pkg.types, 'bindings-node/lib/index.d.ts');
});
