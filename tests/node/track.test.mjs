// Local tracks: wrtc-style sources and sinks, fake devices (frame numbers read back, a
// 440 Hz tone), MediaStream, stop/ended, and bad input.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, withTimeout } from './helpers.mjs';

const { mediaDevices, MediaStream, nonstandard } = rtckit;
const { RTCVideoSource, RTCVideoSink, RTCAudioSource, RTCAudioSink, readFrameNumber } = nonstandard;

function collect(sink, event, count) {
  const got = [];
  return withTimeout(new Promise((resolve) => {
    sink.addEventListener(event, (e) => {
      got.push(e);
      if (got.length === count) resolve(got);
    });
  }), 10000, `${count} ${event} events`);
}

test('fake camera frames carry their numbers in order', async () => {
  mediaDevices.useFakeDevices(true);
  try {
    const devices = await mediaDevices.enumerateDevices();
    assert.deepEqual(new Set(devices.map((d) => d.kind)), new Set(['videoinput', 'audioinput']));
    const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: { exact: 240 }, frameRate: 60 } });
    const [track] = stream.getVideoTracks();
    assert.equal(track.kind, 'video');
    assert.equal(track.readyState, 'live');
    const sink = new RTCVideoSink(track);
    const frames = (await collect(sink, 'frame', 20)).map((e) => e.frame);
    sink.stop();
    for (const f of frames) {
      assert.equal(f.width, 320);
      assert.equal(f.height, 240);
      assert.equal(f.data.length, 320 * 240 * 3 / 2);
    }
    const numbers = frames.map((f) => readFrameNumber(f));
    assert.deepEqual([...numbers].sort((a, b) => a - b), numbers);
    assert.equal(new Set(numbers).size, 20);
    assert.ok(numbers.at(-1) - numbers[0] <= 25);
    track.stop();
    assert.equal(track.readyState, 'ended');
  } finally {
    mediaDevices.useFakeDevices(false);
  }
});

test('fake microphone plays 440 Hz', async () => {
  mediaDevices.useFakeDevices(true);
  try {
    const stream = await mediaDevices.getUserMedia({ audio: true });
    const [track] = stream.getAudioTracks();
    const sink = new RTCAudioSink(track);
    const chunks = await collect(sink, 'data', 20);
    sink.stop();
    track.stop();
    const signal = [];
    for (const d of chunks) {
      assert.deepEqual([d.sampleRate, d.channelCount, d.numberOfFrames, d.bitsPerSample], [48000, 1, 480, 16]);
      signal.push(...d.samples);
    }
    // Count rising zero crossings: 440 per second.
    let crossings = 0;
    for (let i = 1; i < signal.length; i++) if (signal[i - 1] < 0 && signal[i] >= 0) crossings++;
    const hz = crossings / (signal.length / 48000);
    assert.ok(Math.abs(hz - 440) < 10, `${hz} Hz`);
  } finally {
    mediaDevices.useFakeDevices(false);
  }
});

test('video source -> track -> sink, disabled track, ended event', async () => {
  const source = new RTCVideoSource();
  const track = source.createTrack();
  const sink = new RTCVideoSink(track);
  const [width, height] = [64, 48];
  const i420 = { width, height, data: new Uint8Array(width * height * 3 / 2) };
  i420.data.fill(200, 0, width * height);
  i420.data.fill(128, width * height);
  let got = collect(sink, 'frame', 1);
  source.onFrame(i420);
  let [{ frame }] = await got;
  assert.equal(frame.data[0], 200);
  track.enabled = false;
  got = collect(sink, 'frame', 1);
  source.onFrame(i420);
  frame = (await got)[0].frame;
  assert.equal(frame.data[0], 16); // black
  const ended = withTimeout(new Promise((r) => (track.onended = r)), 5000, 'ended');
  source.close();
  await ended;
  assert.equal(track.readyState, 'ended');
  await withTimeout((async () => { while (!sink.stopped) await new Promise((r) => setTimeout(r, 5)); })(), 5000, 'sink stop');
  assert.throws(() => source.onFrame(i420), { name: 'InvalidStateError' });
});

test('audio source -> sink, and MediaStream', async () => {
  const source = new RTCAudioSource();
  const track = source.createTrack();
  const sink = new RTCAudioSink(track);
  const got = collect(sink, 'data', 1);
  const samples = new Int16Array(960).map((_, i) => i);
  source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 2, numberOfFrames: 480 });
  const [data] = await got;
  assert.deepEqual([...data.samples], [...samples]);
  assert.equal(data.channelCount, 2);
  sink.stop();
  const other = source.createTrack();
  const stream = new MediaStream([track]);
  stream.addTrack(other);
  stream.addTrack(other);
  assert.deepEqual(stream.getTracks(), [track, other]);
  assert.deepEqual(stream.getAudioTracks(), [track, other]);
  assert.deepEqual(stream.getVideoTracks(), []);
  stream.removeTrack(track);
  assert.deepEqual(stream.getTracks(), [other]);
  assert.ok(stream.id);
  track.stop();
  other.stop();
});

test('bad media input', async () => {
  mediaDevices.useFakeDevices(false);
  await assert.rejects(mediaDevices.getUserMedia({ video: true }), { name: 'NotFoundError', message: /RTCKIT_FAKE_DEVICES/ });
  mediaDevices.useFakeDevices(true);
  try {
    await assert.rejects(mediaDevices.getUserMedia({ video: { width: { exact: 100000 } } }), { name: 'OverconstrainedError', message: /width/ });
    await assert.rejects(mediaDevices.getUserMedia({ audio: { deviceId: { exact: 'nope' } } }), { name: 'OverconstrainedError', message: /deviceId/ });
    await assert.rejects(mediaDevices.getUserMedia({}), TypeError);
  } finally {
    mediaDevices.useFakeDevices(false);
  }
  const source = new RTCVideoSource();
  assert.throws(() => source.onFrame({ width: 4, height: 4, data: new Uint8Array(5) }), TypeError);
  assert.throws(() => source.onFrame({ width: 0, height: 4, data: new Uint8Array(0) }), RangeError);
  const audio = new RTCAudioSource();
  assert.throws(() => audio.onData({ samples: new Int16Array(3), channelCount: 2 }), TypeError);
  assert.throws(() => audio.onData({ samples: [1, 2] }), TypeError);
  assert.throws(() => new RTCVideoSink(audio.createTrack()), TypeError);
  source.close();
  audio.close();
});
