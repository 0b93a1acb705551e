// rtckit-Node clients of a Janus VideoRoom for the SFU tests, through the example client
// (examples/node/janus.mjs). The twin of sfu_client.py, speaking the same JSON lines (see there).
//   ip netns exec NS node sfu_client.mjs '{"url": ..., "room": 1234, "role": "subscribe", "feed": ID, "count": 5, "seconds": 3}'
import { createRequire } from 'node:module';
import { JanusSession, publish, subscribe } from '../../examples/node/janus.mjs';

const require = createRequire(import.meta.url);
const rtckit = require('../..');
const { RTCVideoSink, RTCAudioSink, readFrameNumber } = rtckit.nonstandard;

const options = JSON.parse(process.argv[2]);
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())]);
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function videoSenderStats(pc) {
  for (const stats of (await pc.getStats()).values()) {
    if (stats.type === 'outbound-rtp' && stats.kind === 'video') {
      const { framesEncoded, keyFramesEncoded, pliCount, firCount, frameWidth } = stats;
      return { framesEncoded, keyFramesEncoded, pliCount, firCount, frameWidth };
    }
  }
  return {};
}

async function publisher(session) {
  rtckit.mediaDevices.useFakeDevices(true);
  const stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  const pc = new rtckit.RTCPeerConnection();
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  say({ type: 'published', feed: await publish(session, pc, { room: options.room }) });
  const cpu = cpuSeconds();
  const wall = performance.now();
  await new Promise((resolve) => process.stdin.once('data', resolve));
  say({ type: 'publisher', cpu: (cpuSeconds() - cpu) / ((performance.now() - wall) / 1000), ...(await videoSenderStats(pc)) });
  pc.close();
  for (const track of stream.getTracks()) track.stop();
}

async function subscriber(session) {
  const pc = new rtckit.RTCPeerConnection();
  const started = performance.now();
  const numbers = [];
  const sizes = new Set();
  let firstFrameMs;
  let window;
  let audioSampleRate;
  const sinks = [];
  const watched = new Promise((resolve) => {
    pc.ontrack = ({ track }) => {
      if (track.kind === 'audio') {
        const sink = new RTCAudioSink(track);
        sinks.push(sink);
        sink.ondata = ({ sampleRate }) => (audioSampleRate ??= sampleRate);
        return;
      }
      const sink = new RTCVideoSink(track);
      sinks.push(sink);
      sink.onframe = ({ frame }) => {
        const now = performance.now();
        if (firstFrameMs === undefined) {
          firstFrameMs = now - started;
          window = now + options.seconds * 1000;
        } else if (now > window) {
          return resolve();
        }
        numbers.push(readFrameNumber(frame));
        sizes.add(`${frame.width}x${frame.height}`);
      };
    };
  });
  await subscribe(session, pc, { room: options.room, feed: options.feed });
  await within(watched, 30000, `${options.seconds} s of frames`);
  for (const sink of sinks) sink.stop();
  pc.close();
  const sorted = [...numbers].sort((x, y) => x - y);
  return {
    language: 'node',
    firstFrameMs,
    fps: (numbers.length - 1) / options.seconds,
    sizes: [...sizes].sort(),
    rising: numbers.every((n, i) => n === sorted[i]) && new Set(numbers).size === numbers.length,
    audioSampleRate: audioSampleRate ?? null,
  };
}

const session = await JanusSession.create(options.url);
try {
  if (options.role === 'publish') {
    await publisher(session);
  } else {
    const subscribers = await Promise.all(Array.from({ length: options.count }, () => subscriber(session)));
    say({ type: 'subscribers', subscribers });
  }
} finally {
  await session.destroy();
}
process.exit(0);
