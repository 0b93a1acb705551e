// RTCKIT_LOG: webrtc-rs's and rtckit's logs on stderr, set per module (core/src/logging.rs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// One data channel between two peers on 127.0.0.1: enough for ICE and DTLS to log.
const SCRIPT = `
const rtckit = require(${JSON.stringify(ROOT)});
(async () => {
  const a = new rtckit.RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
  const b = new rtckit.RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
  // A candidate trickling in after the close is refused (InvalidStateError): not this test's.
  a.onicecandidate = ({ candidate }) => candidate && b.addIceCandidate(candidate).catch(() => {});
  b.onicecandidate = ({ candidate }) => candidate && a.addIceCandidate(candidate).catch(() => {});
  a.createDataChannel('x');
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  while (a.connectionState !== 'connected') await new Promise((r) => setTimeout(r, 10));
  a.close();
  b.close();
})();
`;

function run(log) {
  const env = { ...process.env };
  delete env.RTCKIT_LOG;
  if (log !== undefined) env.RTCKIT_LOG = log;
  return spawnSync(process.execPath, ['-e', SCRIPT], { env, encoding: 'utf8', timeout: 60000 });
}

test('a module level shows that module only', () => {
  const done = run('rtc_ice=debug');
  assert.equal(done.status, 0, done.stderr);
  const lines = done.stderr.split('\n').filter((l) => l.startsWith('['));
  assert.ok(lines.some((l) => l.includes(' rtc_ice::agent] ') && l.includes('Setting new connection state: Connected')), done.stderr);
  assert.deepEqual(lines.filter((l) => !l.includes(' rtc_ice')), []);
});

test('unset logs nothing, and a bad level is reported, not fatal', () => {
  const quiet = run(undefined);
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  const bad = run('rtc_ice=loud');
  assert.equal(bad.status, 0, bad.stderr);
  assert.ok(bad.stderr.includes('rtckit: RTCKIT_LOG ignored: "loud" is not a log level'), bad.stderr);
});
