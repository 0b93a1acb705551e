// WebM, MP4 and PNG sequences through nonstandard.MediaRecorder and MediaPlayer (aiortc's
// contrib.media, in core once): the fake camera and microphone recorded into one file and
// played back in real time; frames forwarded undecoded; bad files, formats and cameras get
// their error kinds.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rtckit, dominantFrequency, fakeMedia, nextEvent, playAll, waitUntil } from './helpers.mjs';

const { mediaDevices, nonstandard } = rtckit;
const { MediaPlayer, MediaRecorder, RTCVideoSink, RTCAudioSink } = nonstandard;
const dir = mkdtempSync(join(tmpdir(), 'rtckit-node-containers-'));
const file = (name) => join(dir, name);

async function record(path, tracks, count) {
  const recorder = new MediaRecorder(path);
  for (const track of tracks) recorder.addTrack(track);
  await recorder.start();
  await waitUntil(() => recorder.count >= count, 20000, `${count} frames and packets recorded`);
  await recorder.stop();
  for (const track of tracks) track.stop();
  return recorder.count;
}

async function cameraAndMicrophone(width = 320, height = 240) {
  return (await fakeMedia({ video: { width, height, frameRate: 30 }, audio: true })).getTracks();
}

const consecutive = (numbers) => numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1);
const tone = (audio) => dominantFrequency(audio.slice(5).flatMap((d) => Array.from(d.samples.filter((_, i) => i % d.channelCount === 0))), 48000);

for (const extension of ['webm', 'mp4']) {
  test(`the camera and microphone into one .${extension}, played back`, async () => {
    const path = file(`av.${extension}`);
    await record(path, await cameraAndMicrophone(), 90);
    const { player, video, audio } = await playAll(path);
    assert.equal(player.video.kind, 'video');
    assert.equal(player.audio.kind, 'audio');
    const numbers = video.map((f) => nonstandard.readFrameNumber(f));
    assert.ok(numbers.length >= 20, `${numbers.length} frames`);
    assert.ok(consecutive(numbers), String(numbers));
    assert.deepEqual(new Set(video.map((f) => `${f.width}x${f.height}`)), new Set(['320x240']));
    assert.ok(audio.length >= 20);
    assert.ok(Math.abs(tone(audio) - 440) <= 10);
  });
}

test('a PNG sequence from the camera, played back at its framerate option', async () => {
  const [camera] = (await fakeMedia({ video: { width: 160, height: 120, frameRate: 30 } })).getTracks();
  const count = await record(file('frame-%3d.png'), [camera], 12);
  const names = readdirSync(dir).filter((n) => /^frame-\d+\.png$/.test(n)).sort();
  assert.equal(names[0], 'frame-001.png');
  assert.equal(names.length, count);
  const { player, video, audio } = await playAll(file('frame-%3d.png'), { options: { framerate: 60 } });
  assert.equal(player.audio, null);
  assert.equal(audio.length, 0);
  const numbers = video.map((f) => nonstandard.readFrameNumber(f));
  assert.equal(numbers.length, count);
  assert.ok(consecutive(numbers), String(numbers));
});

test('without decoding, frames carry the file\'s units over blank pictures', async () => {
  const path = file('forward.webm');
  await record(path, await cameraAndMicrophone(160, 120), 40);
  const { video, audio } = await playAll(path, { decode: false });
  assert.ok(video.length >= 10 && audio.length >= 10);
  for (const frame of video) {
    assert.equal(`${frame.width}x${frame.height}`, '160x120');
    assert.ok(frame.data.subarray(0, 160 * 120).every((y) => y === 16), 'black');
  }
  assert.ok(audio.every((d) => d.samples.every((s) => s === 0)), 'silent');
});

test('bad names, files, formats and cameras get their error kind', async () => {
  assert.throws(() => new MediaPlayer(file('movie.avi')), (e) => e.name === 'NotSupportedError' && /\.webm.*\.mp4/.test(e.message));
  assert.throws(() => new MediaPlayer(file('x.webm'), { format: 'avi' }), { name: 'NotSupportedError' });
  assert.throws(() => new MediaPlayer(file('x.webm'), { format: 42 }), TypeError);
  assert.throws(() => new MediaRecorder(file('out.mkv')), { name: 'NotSupportedError' });
  assert.throws(() => new MediaRecorder(file('still.png')), { name: 'SyntaxError' });
  assert.throws(() => new MediaPlayer(file('none-%3d.png')), { name: 'NotFoundError' });
  writeFileSync(file('bad.webm'), Buffer.from('1a45dfa320637574', 'hex'));
  assert.throws(() => new MediaPlayer(file('bad.webm')), { name: 'NotReadableError' });
  writeFileSync(file('bad.mp4'), Buffer.from('0000000c6674797069736f6d00000000', 'hex'));
  assert.throws(() => new MediaPlayer(file('bad.mp4')), (e) => ['NotReadableError', 'NotSupportedError'].includes(e.name));

  mediaDevices.useFakeDevices(false); // the camera path itself, even under RTCKIT_FAKE_DEVICES
  assert.throws(
    () => new MediaPlayer('/dev/video-rtckit-missing', { format: 'v4l2', options: { video_size: '640x480', framerate: 30 } }),
    (e) => ['NotFoundError', 'NotReadableError'].includes(e.name),
  );
  assert.throws(() => new MediaPlayer('/dev/video0', { format: 'v4l2', options: { video_size: 'wide' } }), { name: 'SyntaxError' });
  assert.throws(() => new MediaPlayer('/dev/video0', { format: 'v4l2', options: 'video_size=640x480' }), TypeError);
  // With fake devices on, the fake camera stands in, at the size asked for.
  mediaDevices.useFakeDevices(true);
  let camera;
  try {
    camera = new MediaPlayer('/dev/video0', { format: 'v4l2', options: { video_size: '320x240', framerate: '30' } });
  } finally {
    mediaDevices.useFakeDevices(false);
  }
  assert.equal(camera.audio, null);
  const sink = new RTCVideoSink(camera.video);
  const frame = await new Promise((resolve) => (sink.onframe = ({ frame }) => resolve(frame)));
  assert.equal(`${frame.width}x${frame.height}`, '320x240');
  sink.stop();
  camera.stop();
});
