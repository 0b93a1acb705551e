// What the installed npm packages must do, run by tests/delivery/npm_install.sh from a folder
// where only the packed tarballs were installed (no cargo on PATH): require rtckit, open a
// data channel, and move one VP8, one H.264 and one Opus frame through a loopback pair. Fails
// if the addon maps a system libvpx or libopus. Prints the require time and the .node's size.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const started = performance.now();
const rtckit = require('rtckit');
const requireMs = performance.now() - started;
const LOOPBACK = { bindAddresses: ['127.0.0.1'] };

async function until(predicate, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function gathered(pc) {
  await until(() => pc.iceGatheringState === 'complete', 'ICE gathering');
  return pc.localDescription;
}

const addon = require.resolve('rtckit-linux-x64-gnu');
assert.ok(addon.includes(`node_modules${path.sep}rtckit-linux-x64-gnu`), addon);
rtckit.mediaDevices.useFakeDevices(true);
const stream = await rtckit.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
const codecs = rtckit.RTCRtpSender.getCapabilities('video').codecs;

/** A call a -> b with `video` (VP8, H.264) and Opus, and a data channel; one frame of each arrives.
 * (One call per video codec: a second video m-section that offers other codecs is answered
 * with the first one's, a webrtc-rs limit noted in issue 14's note.) */
async function call(video) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const transceiver = a.addTransceiver(stream.getVideoTracks()[0].clone(), { direction: 'sendonly' });
  transceiver.setCodecPreferences(codecs.filter((c) => [video, 'video/rtx'].includes(c.mimeType)));
  a.addTransceiver(stream.getAudioTracks()[0].clone(), { direction: 'sendonly' });
  const channel = a.createDataChannel('smoke');
  const messages = [];
  b.ondatachannel = ({ channel: remote }) => { remote.onmessage = ({ data }) => messages.push(data); };
  const received = new Set(); // the kinds of which a frame arrived
  b.ontrack = ({ track }) => {
    const isVideo = track.kind === 'video';
    const sink = isVideo ? new rtckit.nonstandard.RTCVideoSink(track) : new rtckit.nonstandard.RTCAudioSink(track);
    sink[isVideo ? 'onframe' : 'ondata'] = () => {
      received.add(track.kind);
      sink.stop();
    };
  };
  await a.setLocalDescription();
  await b.setRemoteDescription(await gathered(a));
  await b.setLocalDescription();
  await a.setRemoteDescription(await gathered(b));
  await until(() => channel.readyState === 'open', 'the channel');
  channel.send('hello');
  await until(() => messages.length === 1, 'the message');
  assert.deepEqual(messages, ['hello']);
  const sent = a.getTransceivers().map((t) => t.sender.getParameters().codecs[0].mimeType);
  assert.deepEqual(sent, [video, 'audio/opus']);
  await until(() => received.size === 2, 'a frame of each track');
  for (const t of a.getTransceivers()) t.sender.track.stop();
  a.close();
  b.close();
  console.log(`smoke: ${video} and audio/opus frames and a message arrived`);
}

await call('video/VP8');
await call('video/H264');

const maps = fs.readFileSync('/proc/self/maps', 'utf8');
const linked = ['libvpx', 'libopus'].filter((lib) => maps.includes(lib));
assert.deepEqual(linked, [], `the addon loaded ${linked} from the system`);
for (const track of stream.getTracks()) track.stop();
const size = fs.statSync(addon).size;
console.log(`smoke: ok; require ${requireMs.toFixed(0)} ms, ${path.basename(addon)} ${(size / 1e6).toFixed(1)} MB`);
