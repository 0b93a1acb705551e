// Real devices without hardware, through rtckit's real audio path (cpal, then alsa-lib):
// ALSA software devices that tests/devices/fake_alsa.py plays a 440 Hz tone into and
// records. A microphone goes through a peer to AudioOutput on a speaker; bad devices get
// their errors.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { rtckit, LOOPBACK, connect, dominantFrequency, nextEvent } from './helpers.mjs';

const { mediaDevices, nonstandard } = rtckit;
const harness = fileURLToPath(new URL('../devices/fake_alsa.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rtckit-node-alsa-'));
const hardware = spawn('python3', [harness, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
after(() => hardware.stdin.end());
const ready = new Promise((resolve) => createInterface({ input: hardware.stdout }).once('line', resolve));

test('a microphone through a peer to a speaker, on ALSA', async () => {
  assert.equal(await ready, 'READY');
  // Before this process first uses ALSA: it reads its configuration once.
  process.env.ALSA_CONFIG_PATH = join(dir, 'asound.conf');
  mediaDevices.useFakeDevices(false);
  const devices = await mediaDevices.enumerateDevices();
  assert.ok(devices.some((d) => d.kind === 'audioinput' && d.deviceId === 'alsa:rtckit_mic'));
  assert.ok(devices.some((d) => d.kind === 'audiooutput' && d.deviceId === 'alsa:rtckit_speaker'));
  assert.ok(devices.every((d) => d instanceof rtckit.MediaDeviceInfo && d.label));

  const stream = await mediaDevices.getUserMedia({ audio: { deviceId: { exact: 'alsa:rtckit_mic' } } });
  const [microphone] = stream.getAudioTracks();
  assert.equal(microphone.label, 'rtckit test microphone');
  const sink = new nonstandard.RTCAudioSink(microphone);
  const heard = [];
  let rate = 48000;
  await new Promise((resolve) => {
    sink.ondata = ({ samples, sampleRate, channelCount }) => {
      rate = sampleRate;
      for (let i = 0; i < samples.length; i += channelCount) heard.push(samples[i]);
      if (heard.length >= 24000) resolve();
    };
  });
  sink.stop();
  assert.ok(Math.abs(dominantFrequency(heard.slice(2400), rate) - 440) <= 10);

  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.addTrack(microphone, stream);
  const arrived = nextEvent(b, 'track');
  await connect(a, b);
  const { track: remote } = await arrived;
  const output = new nonstandard.AudioOutput(remote, 'alsa:rtckit_speaker');
  assert.equal(output.playing, true);
  const speaker = join(dir, 'speaker.raw');
  const before = statSync(speaker).size;
  await new Promise((r) => setTimeout(r, 1500));
  const bytes = readFileSync(speaker);
  const tail = bytes.subarray(Math.max(before, bytes.length - 48000));
  const played = [];
  for (let i = 0; i + 1 < tail.length; i += 2) played.push(tail.readInt16LE(i));
  assert.ok(Math.max(...played.map(Math.abs)) > 1000, 'the speaker played silence');
  assert.ok(Math.abs(dominantFrequency(played, 48000) - 440) <= 10);
  output.stop();
  assert.equal(output.playing, false);

  await assert.rejects(mediaDevices.getUserMedia({ audio: { deviceId: 'alsa:rtckit_broken' } }), { name: 'NotReadableError' });
  assert.throws(() => new nonstandard.AudioOutput(remote, 'alsa:rtckit_broken'), { name: 'NotReadableError' });
  await assert.rejects(mediaDevices.getUserMedia({ audio: { deviceId: { exact: 'alsa:nothing' } } }), { name: 'OverconstrainedError' });
  assert.throws(() => new nonstandard.AudioOutput(remote, 'alsa:nothing'), { name: 'OverconstrainedError' });
  assert.throws(() => new nonstandard.AudioOutput('not a track'), TypeError);
  const video = new nonstandard.RTCVideoSource().createTrack();
  assert.throws(() => new nonstandard.AudioOutput(video), TypeError);
  microphone.stop();
  assert.throws(() => new nonstandard.AudioOutput(microphone, 'alsa:rtckit_speaker'), { name: 'InvalidStateError' });
  a.close();
  b.close();
});
