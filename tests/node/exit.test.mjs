// A Node process with rtckit busy ends cleanly: process.exit() with everything running,
// the script's end once it closed what it opened, Ctrl-C mid-call. As in wrtc and the
// browser, an open connection (like an open socket) keeps Node running until it is closed;
// see the README. Each case is a real process (busy_peer.mjs), bounded: a hang fails.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HANG = 30000; // ms: past this the process is hung, which is the failure looked for
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'busy_peer.mjs');

/** Runs busy_peer.mjs in `mode`; calls `onLine(line, child)` for each line it prints. */
function runBusy(mode, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, mode], {
      env: { ...process.env, TMP_DIR: mkdtempSync(path.join(tmpdir(), 'rtckit-exit-')) },
    });
    let stdout = '';
    let stderr = '';
    const lines = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${mode}: still running after ${HANG} ms; printed ${JSON.stringify(lines)}\n${stderr.slice(-3000)}`));
    }, HANG);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      let nl;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        lines.push({ line, at: performance.now() });
        onLine(line, child);
      }
    });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines, stderr, exitedAt: performance.now() });
    });
  });
}

function assertNoCrash(result) {
  assert.doesNotMatch(result.stderr, /panicked|Segmentation|Abort|FATAL ERROR/, result.stderr.slice(-3000));
}

test('process.exit(0) with connections, tracks, a playing MediaPlayer and the camera running', async () => {
  const result = await runBusy('exit');
  assert.equal(result.code, 0, result.stderr.slice(-3000));
  assert.equal(result.signal, null);
  assertNoCrash(result);
  const said = result.lines.find((l) => l.line === 'exiting');
  assert.ok(said, JSON.stringify(result.lines));
  console.log(`# exit after process.exit(0): ${(result.exitedAt - said.at).toFixed(0)} ms`);
});

test('the script ends by itself once it closed what it opened', async () => {
  const result = await runBusy('close');
  assert.equal(result.code, 0, result.stderr.slice(-3000));
  assertNoCrash(result);
  const said = result.lines.find((l) => l.line === 'closed');
  assert.ok(said, JSON.stringify(result.lines));
  console.log(`# exit after the last close(): ${(result.exitedAt - said.at).toFixed(0)} ms`);
});

test('Ctrl-C mid-call ends the process as Node does', async () => {
  const result = await runBusy('wait', (line, child) => {
    if (line === 'waiting') child.kill('SIGINT');
  });
  assert.ok(result.lines.some((l) => l.line === 'waiting'), JSON.stringify(result.lines));
  assert.equal(result.signal, 'SIGINT', `${result.code} ${result.stderr.slice(-3000)}`);
  assertNoCrash(result);
});
