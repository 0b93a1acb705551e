// The README's Node quick start runs as written (require('rtckit') resolves to this repo).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('Node quick start runs', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README has a Node quick start');
  const preamble = `const Module = require('module'); const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return resolve.call(this, request === 'rtckit' ? ${JSON.stringify(root)} : request, ...rest); };\n`;
  const result = spawnSync(process.execPath, ['-e', preamble + block[1]], { encoding: 'utf8', timeout: 60000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'echo: forward 0.5');
});
