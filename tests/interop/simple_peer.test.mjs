// simple-peer with `wrtc: require('rtckit')`: rtckit to rtckit and rtckit to @roamhq/wrtc,
// either one initiating. Each side streams a video track of its own colour from the start
// and sends text and binary data once connected; each checks what the other sent.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { require, rtckit, closeAtEnd, withTimeout } from './helpers.mjs';

let SimplePeer = null;
try {
  SimplePeer = require('simple-peer');
} catch {
  SimplePeer = null;
}
let wrtc = null;
try {
  wrtc = require('@roamhq/wrtc');
} catch {
  wrtc = null;
}
const skip = SimplePeer ? false : 'simple-peer is not installed (npm install in the repo root)';
const skipWrtc = skip || (wrtc ? false : '@roamhq/wrtc is not installed (npm install in the repo root)');

// wrtc's media threads crash Node at exit once its tracks were stopped and keep it running
// if not (see wrtc.test.mjs): its tracks are left running and the file's process leaves
// once every test has reported.
after(() => setImmediate(() => process.exit()));

const LIBS = { rtckit, wrtc };
// simple-peer's default config asks Google's STUN servers: no traffic leaves 127.0.0.1 here.
const CONFIG = { iceServers: [], bindAddresses: ['127.0.0.1'] };
const [W, H] = [160, 120];

/** A simple-peer on `lib` streaming video of one luma; `seen` holds what arrives. */
function makePeer(libName, initiator, luma) {
  const lib = LIBS[libName];
  const source = new lib.nonstandard.RTCVideoSource();
  const frame = new Uint8ClampedArray(W * H * 1.5).fill(128);
  frame.fill(luma, 0, W * H);
  const timer = setInterval(() => source.onFrame({ width: W, height: H, data: frame }), 30);
  const stream = new lib.MediaStream([source.createTrack()]);
  const peer = new SimplePeer({ initiator, wrtc: lib, config: CONFIG, streams: [stream] });
  closeAtEnd(peer._pc);
  const seen = { data: [], luma: null, frames: 0, errors: [] };
  peer.on('data', (d) => seen.data.push(d));
  peer.on('error', (err) => seen.errors.push(`${err.code}: ${err.message}`));
  peer.on('track', (track) => {
    const sink = new lib.nonstandard.RTCVideoSink(track);
    sink.onframe = ({ frame: f }) => {
      seen.frames += 1;
      seen.luma = f.data[f.width * (f.height >> 1) + (f.width >> 1)];
    };
    seen.sink = sink;
  });
  const connected = new Promise((resolve) => peer.once('connect', resolve));
  return { libName, peer, seen, connected, stop: () => clearInterval(timer) };
}

async function run(initiatorLib, otherLib) {
  const a = makePeer(initiatorLib, true, 200);
  const b = makePeer(otherLib, false, 60);
  a.peer.on('signal', (s) => b.peer.signal(JSON.parse(JSON.stringify(s))));
  b.peer.on('signal', (s) => a.peer.signal(JSON.parse(JSON.stringify(s))));
  try {
    await withTimeout(Promise.all([a.connected, b.connected]), 15000, 'both peers to connect');
    a.peer.send('hello from the initiator');
    b.peer.send('hello from the other one');
    a.peer.send(new Uint8Array([0, 1, 2, 254, 255]));
    b.peer.send(Buffer.from([9, 8, 7]));
    const done = () => a.seen.data.length >= 2 && b.seen.data.length >= 2 && a.seen.frames >= 5 && b.seen.frames >= 5;
    const deadline = Date.now() + 15000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([a.seen.errors, b.seen.errors], [[], []]);
    // simple-peer hands data over as Buffers.
    assert.deepEqual(b.seen.data.map((d) => [...d]), [[...Buffer.from('hello from the initiator')], [0, 1, 2, 254, 255]]);
    assert.deepEqual(a.seen.data.map((d) => [...d]), [[...Buffer.from('hello from the other one')], [9, 8, 7]]);
    assert.ok(b.seen.frames >= 5 && Math.abs(b.seen.luma - 200) < 20, `${otherLib} saw ${b.seen.frames} frames, luma ${b.seen.luma}`);
    assert.ok(a.seen.frames >= 5 && Math.abs(a.seen.luma - 60) < 20, `${initiatorLib} saw ${a.seen.frames} frames, luma ${a.seen.luma}`);
    // simple-peer read the selected candidate pair from rtckit's getStats: rtckit's end is
    // 127.0.0.1, the other one of the other peer's host addresses.
    for (const p of [a, b].filter((x) => x.libName === 'rtckit')) {
      assert.deepEqual([p.peer.localAddress, p.peer.localFamily, p.peer.remoteFamily], ['127.0.0.1', 'IPv4', 'IPv4']);
      assert.ok(Number.isInteger(p.peer.localPort) && Number.isInteger(p.peer.remotePort));
      if (initiatorLib === otherLib) assert.equal(p.peer.remoteAddress, '127.0.0.1');
    }
  } finally {
    for (const p of [a, b]) {
      p.stop();
      p.seen.sink?.stop();
      p.peer.destroy();
    }
  }
}

// simple-peer sets onopen on the channel of its datachannel event and connects on `open`.
// rtckit's announced channel is already open at that event (as W3C has it) but its open
// event then rarely fires: core/src/data_channel.rs drops webrtc-rs's OnOpen for a channel
// it marked open before the event. Until that is fixed these two cannot connect.

test('simple-peer: rtckit initiates, rtckit answers', { skip, timeout: 45000 }, async () => {
  await run('rtckit', 'rtckit');
});

test('simple-peer: rtckit initiates, wrtc answers', { skip: skipWrtc, timeout: 45000 }, async () => {
  await run('rtckit', 'wrtc');
});

test('simple-peer: wrtc initiates, rtckit answers', { skip: skipWrtc, timeout: 45000 }, async () => {
  await run('wrtc', 'rtckit');
});
