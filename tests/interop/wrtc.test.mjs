// rtckit (Node) <-> @roamhq/wrtc (libwebrtc): data channels with trickle ICE, both offering
// directions. rtckit binds 127.0.0.1 only; wrtc gathers on every interface (it has no bind
// option), and the pair still meets on loopback.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  require, rtckit, closeAtEnd, dominantFrequency, RTCKIT_CONFIG, withTimeout, waitOpen, nextDataChannel, negotiate, exchange,
} from './helpers.mjs';

let wrtc;
try {
  wrtc = require('@roamhq/wrtc');
} catch (err) {
  wrtc = null;
}
const skip = wrtc ? false : '@roamhq/wrtc is not installed (npm install in the repo root)';

// wrtc's media threads crash Node at exit once its tracks have been stopped, and keep it
// running if they have not (wrtc's own bug: a wrtc-only script does the same). So its
// tracks are left running, and once every test has reported, the file's process leaves.
after(() => setImmediate(() => process.exit()));

async function run(rtckitOffers) {
  const ours = new rtckit.RTCPeerConnection(RTCKIT_CONFIG);
  const theirs = new wrtc.RTCPeerConnection({ iceServers: [] });
  closeAtEnd(theirs);
  const [offerer, answerer] = rtckitOffers ? [ours, theirs] : [theirs, ours];
  try {
    const label = rtckitOffers ? 'from-rtckit' : 'from-wrtc';
    const local = offerer.createDataChannel(label, { ordered: true });
    local.binaryType = 'arraybuffer';
    const remotePromise = nextDataChannel(answerer);
    const errors = await withTimeout(negotiate(offerer, answerer), 10000, 'negotiation');

    const remote = await withTimeout(remotePromise, 10000, 'the datachannel event');
    remote.binaryType = 'arraybuffer';
    await withTimeout(Promise.all([waitOpen(local), waitOpen(remote)]), 10000, 'both channels open');
    assert.equal(remote.label, label);
    assert.equal(remote.ordered, true);

    const oursCandidates = ours.localDescription.sdp.match(/^a=candidate:.*$/gm) ?? [];
    assert.ok(oursCandidates.length > 0, 'rtckit gathered no candidates');
    for (const line of oursCandidates) assert.match(line, / 127\.0\.0\.1 \d+ typ host/, 'rtckit must bind 127.0.0.1 only');

    const [rtckitChannel, wrtcChannel] = rtckitOffers ? [local, remote] : [remote, local];
    await exchange(rtckitChannel, wrtcChannel);
    assert.equal(ours.connectionState, 'connected');
    assert.deepEqual(errors, [], 'every trickled candidate was accepted');
  } finally {
    ours.close();
    theirs.close();
  }
}

test('rtckit offers, wrtc answers (trickle ICE)', { skip, timeout: 30000 }, async () => {
  await run(true);
});

test('wrtc offers, rtckit answers (trickle ICE)', { skip, timeout: 30000 }, async () => {
  await run(false);
});

/** Half a second of the first channel an RTCAudioSink (either library's) hears, after 100 ms. */
function heard(nonstandard, track) {
  const sink = new nonstandard.RTCAudioSink(track);
  return withTimeout(new Promise((resolve) => {
    const kept = [];
    let skipped = 0;
    sink.ondata = ({ samples, sampleRate, channelCount, numberOfFrames }) => {
      if (skipped < sampleRate / 10) {
        skipped += numberOfFrames;
        return;
      }
      for (let i = 0; i < numberOfFrames; i++) kept.push(samples[i * channelCount]);
      if (kept.length >= sampleRate / 2) {
        sink.stop();
        resolve({ samples: kept, sampleRate });
      }
    };
  }), 15000, 'half a second of audio');
}

/** The next `count` frames an RTCVideoSink (either library's) shows. */
function seen(nonstandard, track, count) {
  const sink = new nonstandard.RTCVideoSink(track);
  return withTimeout(new Promise((resolve) => {
    const frames = [];
    sink.onframe = ({ frame }) => {
      frames.push({ width: frame.width, height: frame.height, data: new Uint8Array(frame.data) });
      if (frames.length === count) {
        sink.stop();
        resolve(frames);
      }
    };
  }), 15000, `${count} frames`);
}

test('wrtc decodes rtckit\'s fake camera (frame numbers in order) and tone', { skip, timeout: 60000 }, async () => {
  rtckit.mediaDevices.useFakeDevices(true);
  let stream;
  try {
    stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
  } finally {
    rtckit.mediaDevices.useFakeDevices(false);
  }
  const ours = new rtckit.RTCPeerConnection(RTCKIT_CONFIG);
  const theirs = new wrtc.RTCPeerConnection({ iceServers: [] });
  closeAtEnd(theirs);
  try {
    const tracks = new Map();
    theirs.ontrack = ({ track }) => tracks.set(track.kind, track);
    for (const track of stream.getTracks()) ours.addTrack(track, stream);
    await withTimeout(negotiate(ours, theirs), 10000, 'negotiation');
    await withTimeout((async () => { while (tracks.size < 2) await new Promise((r) => setTimeout(r, 10)); })(), 10000, 'both tracks');
    const frames = await seen(wrtc.nonstandard, tracks.get('video'), 20);
    const numbers = frames.map((f) => {
      assert.deepEqual([f.width, f.height], [320, 240]);
      return rtckit.nonstandard.readFrameNumber(f);
    });
    assert.deepEqual([...numbers].sort((x, y) => x - y), numbers);
    const { samples, sampleRate } = await heard(wrtc.nonstandard, tracks.get('audio'));
    assert.equal(dominantFrequency(samples, sampleRate), 440);
  } finally {
    for (const track of stream.getTracks()) track.stop();
    ours.close();
    theirs.close();
  }
});

test('rtckit decodes wrtc\'s RTCVideoSource and RTCAudioSource', { skip, timeout: 60000 }, async () => {
  const ours = new rtckit.RTCPeerConnection(RTCKIT_CONFIG);
  const theirs = new wrtc.RTCPeerConnection({ iceServers: [] });
  closeAtEnd(theirs);
  const video = new wrtc.nonstandard.RTCVideoSource();
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const [width, height] = [320, 240];
  const picture = new Uint8Array(width * height * 1.5).fill(128);
  picture.fill(200, 0, width * height); // bright luma
  let sent = 0;
  const timer = setInterval(() => {
    video.onFrame({ width, height, data: picture });
    const samples = new Int16Array(480);
    for (let i = 0; i < 480; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * 440 * (sent * 480 + i)) / 48000) * 8000);
    audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
    sent++;
  }, 10);
  const stream = new wrtc.MediaStream([video.createTrack(), audio.createTrack()]);
  try {
    const tracks = new Map();
    ours.ontrack = ({ track }) => tracks.set(track.kind, track);
    for (const track of stream.getTracks()) theirs.addTrack(track, stream);
    await withTimeout(negotiate(theirs, ours), 10000, 'negotiation');
    await withTimeout((async () => { while (tracks.size < 2) await new Promise((r) => setTimeout(r, 10)); })(), 10000, 'both tracks');
    const [frame] = await seen(rtckit.nonstandard, tracks.get('video'), 1);
    assert.deepEqual([frame.width, frame.height], [width, height]);
    assert.ok(Math.abs(frame.data[width * 120 + 160] - 200) < 10, `luma ${frame.data[width * 120 + 160]}`);
    const { samples, sampleRate } = await heard(rtckit.nonstandard, tracks.get('audio'));
    assert.equal(dominantFrequency(samples, sampleRate), 440);
  } finally {
    clearInterval(timer);
    ours.close();
    theirs.close();
  }
});
