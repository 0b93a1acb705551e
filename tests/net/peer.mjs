// One rtckit peer for the network tests, in Node: the twin of tests/net/peer.py, speaking the
// same JSON lines (its description on stdout, the other's on stdin, then its reports).
//   ip netns exec NS node peer.mjs '{"role": "offer", "configuration": {...}, ...}'
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const rtckit = require(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
const { RTCVideoSink, readFrameNumber } = rtckit.nonstandard;
const CHUNK = 16 * 1024;

const options = JSON.parse(process.argv[2]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
async function readLine() {
  const { value, done } = await lines.next();
  if (done) throw new Error("stdin closed before the other peer's description");
  return JSON.parse(value);
}
// Non-trickle, as the Python peer: the description goes across with every candidate.
async function gathered(pc) {
  while (pc.iceGatheringState !== 'complete') {
    await new Promise((resolve) => pc.addEventListener('icegatheringstatechange', resolve, { once: true }));
  }
  return pc.localDescription;
}
const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())]);

async function selectedPair(pc) {
  const report = await pc.getStats();
  for (const stats of report.values()) {
    if (stats.type === 'transport' && stats.selectedCandidatePairId) {
      const pair = report.get(stats.selectedCandidatePairId);
      const keep = (c) => ({
        candidateType: c.candidateType, address: c.address, port: c.port, protocol: c.protocol,
        url: c.url ?? null, relayProtocol: c.relayProtocol ?? null,
      });
      return {
        local: keep(report.get(pair.localCandidateId)),
        remote: keep(report.get(pair.remoteCandidateId)),
        bytesSent: pair.bytesSent,
        bytesReceived: pair.bytesReceived,
      };
    }
  }
  throw new Error('no transport with a selected candidate pair in getStats');
}

async function main() {
  const start = performance.now();
  const timeout = (options.timeout ?? 30) * 1000;
  const pc = new rtckit.RTCPeerConnection(options.configuration);
  const errors = [];
  pc.addEventListener('icecandidateerror', (e) =>
    errors.push({ url: e.url, errorCode: e.errorCode, errorText: e.errorText, address: e.address, port: e.port }),
  );
  let up = false;
  const settled = new Promise((resolve) => {
    const onState = () => {
      if (!up && (pc.connectionState === 'connected' || pc.connectionState === 'failed')) {
        up = true;
        resolve(pc.connectionState);
      } else if (up) {
        say({ type: 'state', connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState, at: Date.now() });
      }
    };
    pc.addEventListener('connectionstatechange', onState);
    pc.addEventListener('iceconnectionstatechange', onState);
  });
  let stopSending = false;
  let sentBytes = 0;
  const total = options.bytes ?? 0;
  const seconds = options.seconds ?? 2;
  const result = {};
  let sinks = [];
  let done;

  if (options.role === 'offer') {
    const channel = pc.createDataChannel('net');
    if (options.video) {
      rtckit.mediaDevices.useFakeDevices(true);
      const stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 } });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
    }
    await pc.setLocalDescription(await pc.createOffer());
    say({ type: 'description', description: { type: 'offer', sdp: (await gathered(pc)).sdp } });
    await pc.setRemoteDescription((await readLine()).description);
    done = new Promise((resolve) => {
      channel.onmessage = ({ data }) => resolve(JSON.parse(data));
    });
    channel.onopen = async () => {
      channel.bufferedAmountLowThreshold = 256 * 1024;
      let sent = 0;
      let seq = 0;
      while (options.hold && !stopSending) {
        const chunk = Buffer.alloc(1024);
        chunk.writeBigUInt64BE(BigInt(seq), 0);
        channel.send(chunk);
        sentBytes += 1024;
        seq += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      while (sent < total) {
        const size = Math.min(CHUNK, total - sent);
        const chunk = Buffer.alloc(size);
        chunk.writeBigUInt64BE(BigInt(seq), 0);
        if (channel.bufferedAmount > 1024 * 1024) {
          await new Promise((resolve) => channel.addEventListener('bufferedamountlow', resolve, { once: true }));
        }
        channel.send(chunk);
        sent += size;
        seq += 1;
      }
      channel.send('end');
    };
  } else {
    const offer = await readLine();
    const frames = [];
    const received = { bytes: 0, seq: 0, first: 0, last: 0, ordered: true };
    pc.ontrack = ({ track }) => {
      const sink = new RTCVideoSink(track);
      let first = 0;
      sink.onframe = ({ frame }) => {
        const now = performance.now();
        first ||= now;
        if (now - first <= seconds * 1000) frames.push(readFrameNumber(frame));
      };
      sinks.push(sink);
      result.frames = frames;
    };
    pc.ondatachannel = ({ channel }) => {
      channel.binaryType = 'arraybuffer';
      channel.onmessage = ({ data }) => {
        if (typeof data === 'string') {
          const took = Math.max((received.last - received.first) / 1000, 1e-6);
          const counts = { bytes: received.bytes, ordered: received.ordered, mbps: received.bytes / took / 1e6 };
          channel.send(JSON.stringify(counts));
          Object.assign(result, counts);
          return;
        }
        const now = performance.now();
        received.first ||= now;
        received.last = now;
        if (Number(new DataView(data).getBigUint64(0)) !== received.seq) received.ordered = false;
        received.seq += 1;
        received.bytes += data.byteLength;
      };
    };
    await pc.setRemoteDescription(offer.description);
    await pc.setLocalDescription(await pc.createAnswer());
    say({ type: 'description', description: { type: 'answer', sdp: (await gathered(pc)).sdp } });
  }

  const state = await within(settled, timeout, 'connected or failed');
  const ms = performance.now() - start;
  if (state === 'failed') {
    say({ type: 'failed', ms, errors });
    pc.close();
    process.exit(0);
  }
  say({ type: 'connected', ms });
  say({ type: 'pair', ...(await selectedPair(pc)), errors });
  while (options.hold) {
    const command = await readLine();
    if (command.type === 'restart') {
      // restartIce(), or with "option" createOffer's iceRestart.
      if (command.option) {
        await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
      } else {
        pc.restartIce();
        await pc.setLocalDescription(await pc.createOffer());
      }
      say({ type: 'description', description: { type: 'offer', sdp: (await gathered(pc)).sdp } });
    } else if (command.type === 'description') {
      await pc.setRemoteDescription(command.description);
      if (command.description.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        say({ type: 'description', description: { type: 'answer', sdp: (await gathered(pc)).sdp } });
      }
    } else if (command.type === 'stop') {
      stopSending = true;
      break;
    }
  }
  if (options.role === 'offer') {
    say({ type: 'sent', sentBytes, ...(await within(done, timeout, "the answerer's counts")) });
    await readLine(); // "bye": the test says when both have reported
  } else {
    while (!('bytes' in result)) await new Promise((resolve) => setTimeout(resolve, 10));
    if (options.video) {
      await new Promise((resolve) => setTimeout(resolve, (seconds + 0.5) * 1000));
      const frames = result.frames ?? [];
      const sorted = [...frames].sort((x, y) => x - y);
      result.rising = frames.every((n, i) => n === sorted[i]) && new Set(frames).size === frames.length;
      result.frames = frames.length;
      result.fps = frames.length / seconds;
    }
    say({ type: 'result', ...result });
    // The counts just sent back must reach the offerer before close() drops what is unsent.
    await readLine();
  }
  for (const sink of sinks) sink.stop();
  pc.close();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
