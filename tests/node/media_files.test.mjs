// nonstandard.MediaPlayer → peer → nonstandard.MediaRecorder over real DTLS/SRTP on
// 127.0.0.1 (aiortc's contrib.media, in core once): the file that comes out plays the same
// frames; bad files get their error kind.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rtckit, LOOPBACK, connect, dominantFrequency, nextEvent, playAll, waitUntil } from './helpers.mjs';

const { mediaDevices, nonstandard } = rtckit;
const { MediaPlayer, MediaRecorder, MediaBlackhole, RTCVideoSink, RTCAudioSink } = nonstandard;
const dir = mkdtempSync(join(tmpdir(), 'rtckit-node-files-'));
const file = (name) => join(dir, name);

// Every frame (video) or chunk of samples (audio) a one-track file plays, until it ends.
async function playOne(path) {
  const { video, audio } = await playAll(path);
  return video.length ? video : audio;
}

async function recordCamera(path, count) {
  mediaDevices.useFakeDevices(true);
  const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 } });
  mediaDevices.useFakeDevices(false);
  const [camera] = stream.getVideoTracks();
  const recorder = new MediaRecorder(path);
  recorder.addTrack(camera);
  await recorder.start();
  await waitUntil(() => recorder.count >= count, 20000, 'the camera recorded');
  await recorder.stop();
  camera.stop();
  return (await playOne(path)).map((f) => nonstandard.readFrameNumber(f));
}

// Plays `source` to a peer over `codec`; the peer records what arrives into `target`.
async function relay(source, codec, target, expected) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const player = new MediaPlayer(source);
  a.addTrack(player.video ?? player.audio);
  const recorder = new MediaRecorder(target);
  const started = new Promise((resolve) => {
    b.ontrack = async ({ track }) => {
      recorder.addTrack(track);
      await recorder.start();
      resolve();
    };
  });
  await connect(a, b, { codec });
  await started;
  await waitUntil(() => recorder.count >= expected, 20000, `${expected} frames recorded`);
  await new Promise((r) => setTimeout(r, 200)); // nothing more arrives: the file had `expected`
  await recorder.stop();
  assert.equal(recorder.count, expected);
  a.close();
  b.close();
}

for (const [codec, extension] of [['VP8', 'ivf'], ['VP9', 'ivf'], ['H264', 'h264']]) {
  test(`MediaPlayer → ${codec} → MediaRecorder (.${extension}) keeps every frame`, async () => {
    const source = file(`camera-${codec}.y4m`);
    const target = file(`received-${codec}.${extension}`);
    const numbers = await recordCamera(source, 30);
    assert.equal(numbers.length, 30);
    assert.deepEqual(numbers, [...numbers].sort((x, y) => x - y));
    await relay(source, codec, target, 30);
    const played = await playOne(target);
    assert.deepEqual(played.map((f) => f.width), Array(30).fill(320));
    assert.deepEqual(played.map((f) => nonstandard.readFrameNumber(f)), numbers);
  });
}

test('an IVF file is sent as it is: the recording has the same VP8 frames', async () => {
  const source = file('forward.y4m');
  await recordCamera(source, 20);
  await relay(source, 'VP8', file('first.ivf'), 20);
  await relay(file('first.ivf'), 'VP8', file('copy.ivf'), 20);
  const frames = (data) => {
    const out = [];
    for (let at = 32; at < data.length;) {
      const size = data.readUInt32LE(at);
      out.push(data.subarray(at + 12, at + 12 + size).toString('hex'));
      at += 12 + size;
    }
    return out;
  };
  assert.deepEqual(frames(readFileSync(file('copy.ivf'))), frames(readFileSync(file('first.ivf'))));
});

function writeTone(path, seconds = 1, rate = 48000) {
  const n = Math.round(seconds * rate);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

test('a WAV tone through Opus into Ogg, and the Ogg forwarded into a WAV', async () => {
  writeTone(file('tone.wav'));
  await relay(file('tone.wav'), 'opus', file('tone.ogg'), 50); // 1 s in 20 ms packets
  const played = await playOne(file('tone.ogg'));
  assert.equal(played.length, 50);
  const samples = played.slice(5).flatMap((d) => Array.from(d.samples.filter((_, i) => i % d.channelCount === 0)));
  assert.ok(Math.abs(dominantFrequency(samples, 48000) - 440) <= 10);
  await relay(file('tone.ogg'), 'opus', file('back.wav'), 50);
  const wav = readFileSync(file('back.wav'));
  assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(40), wav.length - 44);
  assert.ok(wav.readUInt32LE(40) >= 48000 * 2);
});

test('bad files and tracks get their error kind; the blackhole consumes to the end', async () => {
  assert.throws(() => new MediaPlayer(file('missing.ivf')), { name: 'NotFoundError' });
  assert.throws(() => new MediaPlayer(file('movie.avi')), { name: 'NotSupportedError' });
  writeFileSync(file('garbage.y4m'), 'this is not a Y4M file');
  assert.throws(() => new MediaPlayer(file('garbage.y4m')), { name: 'NotReadableError' });
  assert.throws(() => new MediaPlayer(42), TypeError);
  assert.throws(() => new MediaRecorder(file('out.mp3')), { name: 'NotSupportedError' });
  writeTone(file('short.wav'), 0.1);
  const player = new MediaPlayer(new URL(`file://${file('short.wav')}`));
  assert.equal(player.video, null);
  const recorder = new MediaRecorder(file('video.ivf'));
  assert.throws(() => recorder.addTrack(player.audio), TypeError);
  assert.throws(() => recorder.addTrack({}), TypeError);
  await recorder.start();
  await assert.rejects(recorder.start(), { name: 'InvalidStateError' });
  await recorder.stop();
  await recorder.stop();
  assert.equal(readFileSync(file('video.ivf')).toString('latin1', 0, 4), 'DKIF');

  const ended = nextEvent(player.audio, 'ended');
  const blackhole = new MediaBlackhole();
  blackhole.addTrack(player.audio);
  await blackhole.start();
  await ended;
  await blackhole.stop();
  assert.equal(blackhole.count, 5);
  assert.equal(player.audio.readyState, 'ended');
});
