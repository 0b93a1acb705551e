// Video over a connection: a track sent as H.264 arrives decoded at the other peer with
// its size and frame numbers, from the fake camera and from an RTCVideoSource.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, connect, nextEvent, withTimeout } from './helpers.mjs';

const { mediaDevices, nonstandard } = rtckit;

// The track event fires with the first packet: `feed()` pushes frames until it does.
async function call(track, streams = [], feed = null) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const sender = a.addTrack(track, ...streams);
  assert.equal(sender.track, track);
  const arrived = nextEvent(b, 'track');
  await connect(a, b);
  const timer = feed && setInterval(feed, 20);
  try {
    return { a, b, event: await arrived };
  } finally {
    if (timer) clearInterval(timer);
  }
}

test('fake camera arrives decoded with its frame numbers', async () => {
  mediaDevices.useFakeDevices(true);
  let stream;
  try {
    stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  } finally {
    mediaDevices.useFakeDevices(false);
  }
  const [camera] = stream.getVideoTracks();
  const { a, b, event } = await call(camera, [stream]);
  assert.equal(event.track.kind, 'video');
  assert.equal(event.streams.length, 1);
  assert.deepEqual(event.streams[0].getTracks(), [event.track]);
  const sink = new nonstandard.RTCVideoSink(event.track);
  const frames = await withTimeout(new Promise((resolve) => {
    const got = [];
    sink.onframe = ({ frame }) => {
      got.push(frame);
      if (got.length === 30) resolve(got);
    };
  }), 15000, '30 frames');
  sink.stop();
  const numbers = frames.map((f) => {
    assert.equal(f.width, 320);
    assert.equal(f.height, 240);
    return nonstandard.readFrameNumber(f);
  });
  assert.deepEqual([...numbers].sort((x, y) => x - y), numbers);
  assert.equal(new Set(numbers).size, 30);
  assert.ok(numbers.at(-1) - numbers[0] <= 40);
  camera.stop();
  a.close();
  b.close();
});

test('frames from an RTCVideoSource arrive', async () => {
  const source = new nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const [width, height] = [320, 240];
  const data = new Uint8Array(width * height * 3 / 2);
  data.fill(220, 0, width * height);
  data.fill(128, width * height);
  const { a, b, event } = await call(track, [], () => source.onFrame({ width, height, data }));
  const sink = new nonstandard.RTCVideoSink(event.track);
  const arrived = new Promise((resolve) => (sink.onframe = ({ frame }) => resolve(frame)));
  const timer = setInterval(() => source.onFrame({ width, height, data }), 20);
  const frame = await withTimeout(arrived, 10000, 'a frame');
  clearInterval(timer);
  sink.stop();
  assert.equal(frame.width, width);
  assert.ok(Math.abs(frame.data[width * 120 + 160] - 220) < 10);
  source.close();
  a.close();
  b.close();
});

test('audio tracks are not sent yet', () => {
  const pc = new rtckit.RTCPeerConnection(LOOPBACK);
  const audio = new nonstandard.RTCAudioSource();
  assert.throws(() => pc.addTrack(audio.createTrack()), { name: 'NotSupportedError', message: /Opus/ });
  assert.throws(() => pc.addTrack({}), TypeError);
  pc.close();
  audio.close();
});
