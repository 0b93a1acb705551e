// Bad input gets the right error kind, and the connection goes on working.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rtckit, LOOPBACK, exchange, openPair, bytes } from './helpers.mjs';

const require = createRequire(import.meta.url);
const native = require('../../bindings-node/lib/native.js');

/** What a real call of each kind throws or rejects with: the binding's own error, not one
 * the test made. */
async function errorOf(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail(`${fn} did not fail`);
}

test('every core kind reaches JS as the error a browser throws, from a real call', async () => {
  const { mediaDevices, nonstandard } = rtckit;
  const dir = mkdtempSync(join(tmpdir(), 'rtckit-node-errors-'));
  writeFileSync(join(dir, 'broken.ivf'), 'DKIF but nothing after');
  const closed = new rtckit.RTCPeerConnection(LOOPBACK);
  closed.close();
  const pc = new rtckit.RTCPeerConnection(LOOPBACK);
  const sender = pc.addTransceiver('video').sender;
  const fake = (constraints) => async () => {
    mediaDevices.useFakeDevices(true);
    try {
      return await mediaDevices.getUserMedia(constraints);
    } finally {
      mediaDevices.useFakeDevices(false);
    }
  };
  const calls = {
    InvalidStateError: () => closed.createOffer(),
    InvalidAccessError: () => new rtckit.RTCPeerConnection({ iceServers: [{ urls: 'turn:127.0.0.1' }] }),
    InvalidModificationError: () => sender.setParameters({ ...sender.getParameters(), encodings: [] }),
    SyntaxError: () => new rtckit.RTCPeerConnection({ iceServers: [{ urls: 'http://127.0.0.1' }] }),
    TypeError: () => new rtckit.RTCPeerConnection({ iceTransportPolicy: 'some' }),
    RangeError: () => sender.setParameters({ ...sender.getParameters(), encodings: [{ maxBitrate: 0 }] }),
    OperationError: () => pc.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\ngarbage' }),
    NotFoundError: () => new nonstandard.MediaPlayer(join(dir, 'missing.ivf')),
    NotReadableError: () => new nonstandard.MediaPlayer(join(dir, 'broken.ivf')),
    NotSupportedError: () => new nonstandard.MediaPlayer(join(dir, 'file.xyz')),
    OverconstrainedError: fake({ video: { width: { exact: 100000 } } }),
  };
  assert.deepEqual(Object.keys(calls).sort(), [...native.errorKinds()].sort(), 'a call for every kind core has');
  for (const [kind, fn] of Object.entries(calls)) {
    const err = await errorOf(fn);
    assert.equal(err.name, kind, `${kind}: ${err.name}: ${err.message}`);
    if (kind === 'TypeError') assert.ok(err instanceof TypeError);
    else if (kind === 'RangeError') assert.ok(err instanceof RangeError);
    else assert.ok(err instanceof DOMException, kind);
    assert.doesNotMatch(err.message, new RegExp(`^${kind}:`), 'the kind is the name, not a prefix of the message');
  }
  pc.close();
});

test('the native layer throws its kind as err.code, sync and async, with the bare message', async () => {
  // Below the JS layer: what src/error.rs throws, before errors.js makes it a DOMException.
  const sync = await errorOf(() => native.codecCapabilities('bogus'));
  assert.equal(sync.code, 'TypeError', sync.message);
  assert.doesNotMatch(sync.message, /^TypeError:/);
  const pc = new native.NativePeerConnection({
    iceServers: [], iceTransportPolicy: 'all', bundlePolicy: 'balanced', rtcpMuxPolicy: 'require',
    iceCandidatePoolSize: 0, sdpSemantics: 'unified-plan', bindAddresses: ['127.0.0.1'],
  });
  pc.close();
  const rejected = await errorOf(() => pc.createOffer());
  assert.ok(rejected instanceof Error, 'a rejection is an Error');
  assert.equal(rejected.code, 'InvalidStateError', rejected.message);
  assert.doesNotMatch(rejected.message, /^InvalidStateError:/);
  const constructed = await errorOf(() => new native.NativeMediaPlayer('/nonexistent/x.ivf', false, null, [], false));
  assert.equal(constructed.code, 'NotFoundError', constructed.message);
});

test('bad configuration', () => {
  assert.throws(() => new rtckit.RTCPeerConnection({ iceServers: [{ urls: 'http://127.0.0.1' }] }), { name: 'SyntaxError' });
  assert.throws(() => new rtckit.RTCPeerConnection({ iceServers: [{ urls: 'turn:127.0.0.1' }] }), { name: 'InvalidAccessError' });
  assert.throws(() => new rtckit.RTCPeerConnection({ iceTransportPolicy: 'some' }), TypeError);
  assert.throws(() => new rtckit.RTCPeerConnection({ bindAddresses: ['not-an-ip'] }), { name: 'SyntaxError' });
  assert.throws(() => new rtckit.RTCSessionDescription({ type: 'bogus', sdp: '' }), TypeError);
  assert.throws(() => new rtckit.RTCIceCandidate({ candidate: 'candidate:1' }), TypeError);
});

test('bad signaling input, then the connection still works', async () => {
  const { a, b, channel, remote } = await openPair();
  const fresh = new rtckit.RTCPeerConnection(LOOPBACK);
  await assert.rejects(fresh.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\ngarbage' }), { name: 'OperationError', message: /could not be parsed/ });
  assert.equal(fresh.signalingState, 'stable');
  await assert.rejects(fresh.setRemoteDescription({ type: 'answer', sdp: a.localDescription.sdp }), { name: 'InvalidStateError' });
  await assert.rejects(fresh.createAnswer(), { name: 'InvalidStateError' });
  const line = 'candidate:1 1 udp 2130706431 127.0.0.1 9 typ host';
  await assert.rejects(fresh.addIceCandidate({ candidate: line, sdpMid: '0', sdpMLineIndex: 0 }), { name: 'InvalidStateError' });
  await assert.rejects(a.addIceCandidate({ candidate: 'candidate:garbage', sdpMid: '0' }), { name: 'OperationError', message: /does not parse/ });
  await assert.rejects(a.addIceCandidate({ candidate: line, sdpMid: 'no-such-mid' }), { name: 'OperationError' });
  await assert.rejects(a.addIceCandidate({ candidate: line }), TypeError);
  await assert.rejects(a.addIceCandidate(42), TypeError);
  await a.addIceCandidate(null);
  assert.throws(() => new rtckit.RTCIceCandidate({ candidate: 'candidate:1 1 udp x 127.0.0.1 9 typ host', sdpMid: '0' }).priority, { name: 'OperationError' });
  assert.deepEqual(await exchange(channel, remote, ['after bad input']), ['after bad input']);
  fresh.close();
  a.close();
  b.close();
});

test('bad channel input, then the channel still works', async () => {
  const { a, b, channel, remote } = await openPair();
  assert.throws(() => a.createDataChannel('x', { maxRetransmits: 1, maxPacketLifeTime: 1 }), TypeError);
  assert.throws(() => a.createDataChannel('x', { negotiated: true }), TypeError);
  assert.throws(() => a.createDataChannel('x', { negotiated: true, id: 65535 }), TypeError);
  assert.throws(() => a.createDataChannel(), TypeError);
  assert.throws(() => channel.send(new Uint8Array(channel.maxMessageSize + 1)), TypeError);
  assert.throws(() => channel.send(12345), TypeError);
  const lonely = new rtckit.RTCPeerConnection(LOOPBACK);
  const pending = lonely.createDataChannel('never-open');
  assert.throws(() => pending.send('too early'), { name: 'InvalidStateError', message: /connecting/ });
  const extra = a.createDataChannel('extra');
  extra.close();
  assert.throws(() => extra.send('too late'), { name: 'InvalidStateError' });
  assert.deepEqual((await exchange(channel, remote, ['one', Buffer.from('two'), ''])).map(bytes), ['one', Buffer.from('two'), '']);
  a.close();
  assert.throws(() => channel.send('after close'), { name: 'InvalidStateError' });
  await assert.rejects(a.createOffer(), { name: 'InvalidStateError', message: /closed/ });
  assert.throws(() => a.createDataChannel('after close'), { name: 'InvalidStateError' });
  a.close(); // idempotent
  lonely.close();
  b.close();
});

test('a panic in the core is an OperationError, and the process goes on', async () => {
  const { call, callAsync } = require('../../bindings-node/lib/errors.js');
  const { a, b, channel, remote } = await openPair();
  for (let i = 0; i < 2; i++) {
    // Synchronous: napi's catch_unwind turns it into an error (without it, the process aborts).
    assert.throws(() => call(() => native.panicForTest()), (err) => err.name === 'OperationError' && /a panic forced by a test/.test(err.message));
    // After an await: the promise rejects.
    await assert.rejects(callAsync(() => native.panicForTestAsync()), (err) => err.name === 'OperationError' && /after an await/.test(err.message));
  }
  // The open pair, and a new one, work as before.
  assert.deepEqual(await exchange(channel, remote, ['after the panic']), ['after the panic']);
  const second = await openPair();
  assert.deepEqual(await exchange(second.channel, second.remote, ['new pair']), ['new pair']);
  for (const pc of [a, b, second.a, second.b]) pc.close();
});
