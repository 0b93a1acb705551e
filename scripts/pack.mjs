// npm run pack: rtckit's npm tarballs in dist/npm, laid out as napi-rs lays out its packages:
//   rtckit-<version>.tgz                      the JS layer and its types
//   rtckit-linux-x64-gnu-<version>.tgz        the stripped .node for that platform
// rtckit's optionalDependencies name the platform packages, so `npm install rtckit` fetches
// the one for the machine, and bindings-node/lib/native.js loads it. This machine builds
// linux-x64-gnu only; .github/workflows/release.yml builds the others.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'npm');
const stage = path.join(out, 'stage');
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });
const { platformTriple } = createRequire(import.meta.url)('../bindings-node/lib/platform.js');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// The addon of a checkout (bindings-node/rtckit.node, stripped by the release profile):
// `npm run build` is a no-op when it is up to date. It goes into this platform's package
// under napi-rs's name for it (rtckit.linux-x64-gnu.node). (`napi build --platform` would
// build the same binary again, into a target folder of its own: minutes on CI for nothing.)
run('npm', ['run', 'build']);
const host = `rtckit-${platformTriple()}`;

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
// The platform packages' package.json (name, os, cpu, libc, main), from package.json's
// napi.targets; then the binaries built here go in.
const platforms = path.join(stage, 'platforms');
run('npx', ['napi', 'create-npm-dirs', '--npm-dir', platforms]);
const optional = {};
for (const dir of fs.readdirSync(platforms)) {
  const meta = JSON.parse(fs.readFileSync(path.join(platforms, dir, 'package.json'), 'utf8'));
  if (meta.name !== host) {
    console.log(`pack: ${meta.name} skipped (built by .github/workflows/release.yml)`);
    continue;
  }
  fs.copyFileSync(path.join(root, 'bindings-node', 'rtckit.node'), path.join(platforms, dir, meta.main));
  optional[meta.name] = meta.version;
  run('npm', ['pack', '--pack-destination', out], path.join(platforms, dir));
}

// The JS package: the lib folder, the README, and package.json without the dev parts.
const js = path.join(stage, 'rtckit');
fs.cpSync(path.join(root, 'bindings-node', 'lib'), path.join(js, 'bindings-node', 'lib'), { recursive: true });
fs.copyFileSync(path.join(root, 'README.md'), path.join(js, 'README.md'));
const { scripts, devDependencies, ...published } = pkg;
published.optionalDependencies = { ...optional };
fs.writeFileSync(path.join(js, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
run('npm', ['pack', '--pack-destination', out], js);
fs.rmSync(stage, { recursive: true, force: true });
