// Data-channel benchmarks in Node: rtckit against @roamhq/wrtc (libwebrtc), same scenarios,
// one process. connect: two peers built to both channel ends open (trickle); throughput:
// 32 MiB one way in 16 KiB messages under bufferedAmount flow control; ping-pong: round
// trips of a 32-byte message. Medians. Prints one JSON line per implementation.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMPLS = {
  rtckit: () => require(root),
  wrtc: () => require(path.join(root, 'node_modules', '@roamhq', 'wrtc')),
};
const CONNECTS = 20, BYTES = 32 * 1024 * 1024, CHUNK = 16 * 1024, PINGS = 500;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const once = (t, name) => new Promise((r) => t.addEventListener(name, r, { once: true }));

async function openPair(lib, impl) {
  const cfg = impl === 'rtckit' ? { bindAddresses: ['127.0.0.1'] } : {};
  const a = new lib.RTCPeerConnection(cfg), b = new lib.RTCPeerConnection(cfg);
  const qa = [], qb = [];
  a.onicecandidate = ({ candidate }) => candidate && (b.remoteDescription ? b.addIceCandidate(candidate).catch(() => {}) : qb.push(candidate));
  b.onicecandidate = ({ candidate }) => candidate && (a.remoteDescription ? a.addIceCandidate(candidate).catch(() => {}) : qa.push(candidate));
  const ch = a.createDataChannel('bench');
  ch.binaryType = 'arraybuffer';
  const opened = once(ch, 'open');
  const remote = once(b, 'datachannel');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  for (const c of qb) await b.addIceCandidate(c);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  for (const c of qa) await a.addIceCandidate(c);
  await opened;
  const other = (await remote).channel;
  other.binaryType = 'arraybuffer';
  if (other.readyState !== 'open') await once(other, 'open');
  return { a, b, ch, other };
}

async function connectMs(lib, impl) {
  const times = [];
  for (let i = 0; i < CONNECTS; i++) {
    const t = performance.now();
    const { a, b } = await openPair(lib, impl);
    times.push(performance.now() - t);
    a.close();
    b.close();
  }
  return median(times);
}

async function throughput(lib, impl) {
  const { a, b, ch, other } = await openPair(lib, impl);
  let received = 0;
  const done = new Promise((r) => (other.onmessage = (e) => { received += e.data.byteLength; if (received >= BYTES) r(); }));
  ch.bufferedAmountLowThreshold = 1 << 20;
  const payload = new Uint8Array(CHUNK);
  const t = performance.now();
  let sent = 0;
  while (sent < BYTES) {
    if (ch.bufferedAmount > 4 << 20) {
      // onbufferedamountlow (wrtc does not deliver it to addEventListener), with a poll as a backstop.
      await new Promise((r) => { ch.onbufferedamountlow = r; setTimeout(r, 20); });
      continue;
    }
    ch.send(payload);
    sent += CHUNK;
  }
  await done;
  const rate = BYTES / ((performance.now() - t) / 1000) / 1e6;
  a.close();
  b.close();
  return rate;
}

async function pingpong(lib, impl) {
  const { a, b, ch, other } = await openPair(lib, impl);
  other.onmessage = (e) => other.send(e.data);
  const msg = new Uint8Array(32);
  const rtts = [];
  for (let i = 0; i < PINGS; i++) {
    const t = performance.now();
    const got = once(ch, 'message');
    ch.send(msg);
    await got;
    rtts.push((performance.now() - t) * 1000);
  }
  a.close();
  b.close();
  return median(rtts);
}

for (const impl of process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(IMPLS)) {
  const lib = IMPLS[impl]();
  const connect_ms = +(await connectMs(lib, impl)).toFixed(2);
  console.error(`${impl}: connect ${connect_ms} ms`);
  const throughput_mb_s = +(await throughput(lib, impl)).toFixed(1);
  console.error(`${impl}: throughput ${throughput_mb_s} MB/s`);
  const pingpong_us = +(await pingpong(lib, impl)).toFixed(1);
  const result = { lang: 'node', impl, connect_ms, throughput_mb_s, pingpong_us };
  console.log(JSON.stringify(result));
}
process.exit(0);
