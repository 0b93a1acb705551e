// A script that leaves rtckit busy, for exit.test.mjs: two connected peers with a data
// channel, the fake camera and a looping MediaPlayer's audio sent one way, the received
// tracks read by sinks, an extra live source track. argv[2] says how it ends:
//   exit   process.exit(0) with all of it running
//   close  closes all of it and lets the script end
//   wait   prints "waiting" and waits for a message that never comes (for Ctrl-C)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { rtckit, LOOPBACK, until, connect } from './standalone.mjs';

const { RTCPeerConnection, mediaDevices, nonstandard } = rtckit;

function tone(file) {
  const samples = 48000;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + samples * 2, 4); wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(48000, 24); wav.writeUInt32LE(96000, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34);
  wav.write('data', 36); wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin(i / 10)), 44 + i * 2);
  writeFileSync(file, wav);
}

const a = new RTCPeerConnection(LOOPBACK);
const b = new RTCPeerConnection(LOOPBACK);
const channel = a.createDataChannel('chat');
const got = [];
b.ondatachannel = ({ channel: ch }) => { ch.onmessage = ({ data }) => got.push(data); };
const received = [];
b.ontrack = ({ track }) => received.push(track);
mediaDevices.useFakeDevices(true);
const camera = (await mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0];
a.addTrack(camera);
const file = path.join(process.env.TMP_DIR, 'tone.wav');
tone(file);
const player = new nonstandard.MediaPlayer(file, { loop: true });
a.addTrack(player.audio);
const source = new nonstandard.RTCVideoSource();
const sourceTrack = source.createTrack();
await connect(a, b);
await until(() => channel.readyState === 'open' && received.length === 2, 'open');
channel.send('hello');
await until(() => got.length === 1, 'message');
const frames = { video: 0, audio: 0 };
const sinks = received.map((track) => {
  const sink = track.kind === 'video' ? new nonstandard.RTCVideoSink(track) : new nonstandard.RTCAudioSink(track);
  if (track.kind === 'video') sink.onframe = () => frames.video++;
  else sink.ondata = () => frames.audio++;
  return sink;
});
await until(() => frames.video > 0 && frames.audio > 0, 'frames');

const mode = process.argv[2];
if (mode === 'exit') {
  console.log('exiting');
  process.exit(0);
} else if (mode === 'close') {
  for (const sink of sinks) sink.stop();
  player.stop();
  camera.stop();
  sourceTrack.stop();
  a.close();
  b.close();
  console.log('closed');
} else if (mode === 'wait') {
  console.log('waiting');
  await new Promise((resolve) => { b.ondatachannel = resolve; });
}
