// Node scenarios of bench/ (see README.md) for one implementation, in one process:
//   node node_bench.mjs --impl rtckit|rtckit-base|wrtc|node-datachannel|werift --scenarios S1,S2,S3,S5 [--round N] [--caps JSON]
// S4 is run alone in a fresh process (`--scenarios S4`) so its RSS is clean. Prints one JSON
// line per figure: {lang, impl, round, row, value} or {lang, impl, round, row, error}.
// Every wait is bounded: a stuck peer gives an error line ("no result"), never a hang.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const require = createRequire(path.join(here, 'package.json'));

/** Where each implementation's module is, and its configuration for 127.0.0.1 only. */
export function modulePath(impl) {
  switch (impl) {
    case 'rtckit': return root;
    case 'rtckit-base': {
      const base = process.env.RTCKIT_BASE_NODE;
      if (!base) throw new Error('rtckit-base needs RTCKIT_BASE_NODE');
      // A copy of bindings-node's lib/ and rtckit.node side by side, or a package.
      const lib = path.join(base, 'lib', 'index.js');
      return fs.existsSync(lib) ? lib : base;
    }
    case 'wrtc': return path.join(root, 'node_modules', '@roamhq', 'wrtc');
    case 'node-datachannel': return require.resolve('node-datachannel/polyfill');
    case 'werift': return require.resolve('werift');
    default: throw new Error(`unknown implementation ${impl}`);
  }
}

const CONFIG = {
  rtckit: { bindAddresses: ['127.0.0.1'] },
  'rtckit-base': { bindAddresses: ['127.0.0.1'] },
  wrtc: {}, // no bind option: its candidates are filtered to 127.0.0.1 below
  'node-datachannel': { bindAddress: '127.0.0.1' },
  // werift leaves loopback out of its host candidates unless added; its socket binds 127.0.0.1.
  werift: { iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false },
};

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const IMPL = args.impl;
const ROUND = Number(args.round ?? 0);
const SCENARIOS = (args.scenarios ?? 'S1,S2,S3,S5').split(',');
const CAPS = JSON.parse(args.caps ?? '{}');

const MIB = 1024 * 1024;
const S1_CONNECTS = 20;
const S2_BYTES = 64 * MIB, S2_CHUNK = 16 * 1024;
const S3_PINGS = 1000;
const S4_PAIRS = 50;
const VIDEO = { width: 640, height: 480, fps: 60, warmup: 1, calibrate: 1, calibrations: 3, settle: 0.4, window: 3 }; // seconds

function emit(row, value, extra = {}) {
  const line = { lang: 'node', impl: IMPL, round: ROUND, row, ...extra };
  if (value instanceof Error) line.error = value.message;
  else line.value = value;
  console.log(JSON.stringify(line));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
/** Nearest-rank percentile. */
const percentile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]; };
const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** One event on a target, through its on<name> attribute (each library has them; wrtc does
 * not give bufferedamountlow to addEventListener, werift has no onbufferedamountlow). */
function listen(target, name, fn) {
  if (IMPL === 'werift' && name === 'bufferedamountlow') {
    target.removeAllListeners?.(name);
    target.addEventListener(name, fn);
  } else {
    target[`on${name}`] = fn;
  }
}
const next = (target, name, ms, what = name) => withTimeout(new Promise((r) => listen(target, name, r)), ms, what);

const loopback = (c) => / 127\.0\.0\.1 \d+ typ host/.test(c) && / udp /i.test(c);
/** The description with only its 127.0.0.1 UDP candidates (wrtc gathers every interface). */
function loopbackOnly(desc) {
  const sdp = desc.sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:') || loopback(l)).join('\r\n');
  return { type: desc.type, sdp };
}

let lib;
const peers = new Set();
function newPeer() {
  const pc = new lib.RTCPeerConnection({ iceServers: [], ...CONFIG[IMPL] });
  peers.add(pc);
  return pc;
}
function closePeer(pc) {
  peers.delete(pc);
  try { pc.close(); } catch { /* closing twice, or a peer that failed */ }
}

/** Offer/answer between a and b with trickled candidates (127.0.0.1 UDP only). */
async function negotiate(a, b, ms = 20000) {
  const queues = new Map([[a, []], [b, []]]);
  for (const [src, dst] of [[a, b], [b, a]]) {
    src.onicecandidate = ({ candidate }) => {
      if (!candidate || !candidate.candidate || !loopback(candidate.candidate)) return;
      if (dst.remoteDescription) dst.addIceCandidate(candidate).catch(() => {});
      else queues.get(dst).push(candidate);
    };
  }
  const steps = async () => {
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(loopbackOnly(a.localDescription));
    for (const c of queues.get(b).splice(0)) await b.addIceCandidate(c).catch(() => {});
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(loopbackOnly(b.localDescription));
    for (const c of queues.get(a).splice(0)) await a.addIceCandidate(c).catch(() => {});
  };
  await withTimeout(steps(), ms, 'offer/answer');
}

async function openChannel(ch, ms) {
  if (ch.readyState === 'open') return;
  await next(ch, 'open', ms, 'the channel to open');
}

/** Two peers and a channel open on both ends; `started` is called right before createOffer. */
async function openPair(ms = 20000, started = () => {}) {
  const a = newPeer(), b = newPeer();
  const ch = a.createDataChannel('bench');
  ch.binaryType = 'arraybuffer';
  const remote = next(b, 'datachannel', ms, 'the datachannel event');
  const opened = openChannel(ch, ms);
  remote.catch(() => {}); // awaited below; a failure before that must not be unhandled
  opened.catch(() => {});
  started();
  await negotiate(a, b, ms);
  await opened;
  const other = (await remote).channel;
  other.binaryType = 'arraybuffer';
  await openChannel(other, ms);
  return { a, b, ch, other };
}

// ---------------------------------------------------------------------------------------

async function s1() {
  const times = [];
  for (let i = 0; i < S1_CONNECTS; i++) {
    let t0;
    const { a, b } = await openPair(20000, () => { t0 = performance.now(); });
    times.push(performance.now() - t0);
    closePeer(a);
    closePeer(b);
  }
  emit('S1 connect median', +median(times).toFixed(2));
  emit('S1 connect p90', +percentile(times, 90).toFixed(2));
}

/** 64 MiB one way in 16 KiB messages: send while bufferedAmount < window, then wait for
 * bufferedamountlow (threshold). MB/s and the process's CPU seconds over the transfer. */
async function s2(window, threshold, tag) {
  const { a, b, ch, other } = await openPair();
  let received = 0;
  const done = withTimeout(new Promise((r) => {
    other.onmessage = (e) => { received += e.data.byteLength ?? e.data.length; if (received >= S2_BYTES) r(); };
  }), 120000, 'all the bytes to arrive');
  ch.bufferedAmountLowThreshold = threshold;
  const payload = Buffer.alloc(S2_CHUNK, 120);
  const count = S2_BYTES / S2_CHUNK;
  let sent = 0, waits = 0, waited = 0;
  const atWake = [];
  const t0 = performance.now(), cpu0 = cpuSeconds();
  while (sent < count) {
    while (sent < count && ch.bufferedAmount < window) {
      ch.send(payload);
      sent++;
    }
    if (sent >= count) break;
    const w = performance.now();
    if (IMPL === 'wrtc') {
      // wrtc 0.10 never fires bufferedamountlow (neither onbufferedamountlow nor
      // addEventListener): poll bufferedAmount every millisecond instead.
      const deadline = w + 30000;
      while (ch.bufferedAmount > threshold) {
        if (performance.now() > deadline) throw new Error('bufferedAmount stayed above the threshold for 30 s');
        await sleep(1);
      }
    } else {
      await next(ch, 'bufferedamountlow', 30000, 'bufferedamountlow');
    }
    waited += performance.now() - w;
    waits++;
    atWake.push(ch.bufferedAmount);
  }
  await done;
  const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - cpu0;
  const info = { waits, wait_ms: +waited.toFixed(1), buffered_at_wake_median: waits ? median(atWake) : null };
  emit(`S2 ${tag} MB/s`, +(S2_BYTES / seconds / 1e6).toFixed(1), info);
  emit(`S2 ${tag} CPU`, +cpu.toFixed(3), info);
  closePeer(a);
  closePeer(b);
}

async function s3() {
  const { a, b, ch, other } = await openPair();
  other.onmessage = (e) => other.send(e.data);
  let resolve = null;
  ch.onmessage = () => resolve?.();
  const msg = Buffer.alloc(32, 112);
  const rtts = [];
  const deadline = performance.now() + 60000;
  for (let i = 0; i < S3_PINGS && performance.now() < deadline; i++) {
    const got = new Promise((r) => { resolve = r; });
    const t = performance.now();
    ch.send(msg);
    await withTimeout(got, 5000, 'the echo');
    rtts.push((performance.now() - t) * 1000);
  }
  if (rtts.length < S3_PINGS) throw new Error(`only ${rtts.length} round trips in 60 s`);
  emit('S3 rtt median', +median(rtts).toFixed(1));
  emit('S3 rtt p99', +percentile(rtts, 99).toFixed(1));
  closePeer(a);
  closePeer(b);
}

/** 50 pairs created at once, each opening a channel: time until all are open, and the RSS
 * they add per pair. Run in a fresh process. */
async function s4() {
  // One pair opened and closed first: what a library sets up once is not a pair's cost.
  const warm = await withTimeout(openPair(60000), 60000, 'a warm-up pair to open');
  closePeer(warm.a);
  closePeer(warm.b);
  await sleep(200);
  global.gc?.();
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const pairs = await withTimeout(Promise.all(Array.from({ length: S4_PAIRS }, () => openPair(60000))), 90000, `${S4_PAIRS} pairs to open`);
  const ms = performance.now() - t0;
  await sleep(200);
  const rss = process.memoryUsage().rss;
  emit('S4 50 pairs open', +ms.toFixed(1));
  emit('S4 RSS per pair', +((rss - before) / S4_PAIRS / MIB).toFixed(3), { rss_before_mib: +(before / MIB).toFixed(1), rss_open_mib: +(rss / MIB).toFixed(1) });
  for (const { a, b } of pairs) { closePeer(a); closePeer(b); }
}

// -- S5: video -------------------------------------------------------------------------

/** A second of moving diagonal stripes as I420 frames, made beforehand. */
function patternFrames(width, height, count) {
  const frames = [];
  const lumaSize = width * height;
  for (let n = 0; n < count; n++) {
    const data = new Uint8Array(lumaSize * 3 / 2).fill(128);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[y * width + x] = 16 + ((x + y + 4 * n) % 220);
    }
    frames.push(IMPL === 'wrtc' ? new Uint8ClampedArray(data.buffer) : data);
  }
  return frames;
}

async function inboundBytes(pc) {
  const report = await pc.getStats();
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video') return s.bytesReceived;
  }
  return undefined;
}

/** Only `codec` in a description's video section (for libraries without setCodecPreferences). */
function onlyCodec(desc, codec) {
  const lines = desc.sdp.split('\r\n');
  const keep = new Set();
  for (const l of lines) {
    const m = l.match(/^a=rtpmap:(\d+) ([^/]+)\//);
    if (m && m[2].toUpperCase() === codec) keep.add(m[1]);
  }
  for (const l of lines) { // their rtx
    const m = l.match(/^a=fmtp:(\d+) apt=(\d+)/);
    if (m && keep.has(m[2])) keep.add(m[1]);
  }
  if (!keep.size) throw new Error(`the offer has no ${codec}`);
  const out = [];
  for (const l of lines) {
    const media = l.match(/^m=video (\d+) ([^ ]+) (.*)$/);
    if (media) { out.push(`m=video ${media[1]} ${media[2]} ${media[3].split(' ').filter((pt) => keep.has(pt)).join(' ')}`); continue; }
    const pt = l.match(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/);
    if (pt && !keep.has(pt[1])) continue;
    out.push(l);
  }
  return { type: desc.type, sdp: out.join('\r\n') };
}

/** rtckit or wrtc: a RTCVideoSource fed `fps` frames a second, received by a RTCVideoSink.
 * Received fps, CPU per received frame (whole process) and received kbit/s over the window. */
async function s5(codec, tag) {
  const { RTCVideoSource, RTCVideoSink } = lib.nonstandard ?? {};
  if (!RTCVideoSource) throw new Error(`${IMPL} has no nonstandard.RTCVideoSource`);
  const { width, height, fps } = VIDEO;
  const frames = patternFrames(width, height, fps);
  const source = new RTCVideoSource();
  const track = source.createTrack();
  const a = newPeer(), b = newPeer();
  const sender = a.addTrack(track);
  let sink = null, received = 0, badFrame = null;
  b.ontrack = (e) => {
    sink ??= new RTCVideoSink(e.track);
    sink.onframe = ({ frame }) => {
      if (frame.width !== width && !badFrame) badFrame = `${frame.width}x${frame.height}`;
      received++;
    };
  };
  let timer = null, n = 0, pushError = null;
  const start = performance.now();
  const push = () => {
    try {
      source.onFrame({ width, height, data: frames[n % frames.length] });
    } catch (err) {
      pushError ??= err;
    }
    n++;
    timer = setTimeout(push, Math.max(0, start + (n * 1000) / fps - performance.now()));
  };
  try {
    if (codec === 'VP8') await negotiate(a, b);
    else {
      // Cut the offer to this codec (wrtc has no setCodecPreferences).
      const steps = async () => {
        await a.setLocalDescription(await a.createOffer());
        await waitGathered(a);
        await b.setRemoteDescription(onlyCodec(loopbackOnly(a.localDescription), codec));
        await b.setLocalDescription(await b.createAnswer());
        await waitGathered(b);
        await a.setRemoteDescription(loopbackOnly(b.localDescription));
      };
      await withTimeout(steps(), 20000, 'offer/answer');
    }
    const cap = CAPS[tag];
    let setCap = null;
    const applyCap = async (bps) => {
      const p = sender.getParameters();
      p.encodings[0].maxBitrate = Math.round(bps);
      await sender.setParameters(p);
      return bps;
    };
    if (cap) setCap = await applyCap(cap);
    push();
    const deadline = performance.now() + 15000;
    while (received === 0 && performance.now() < deadline) {
      if (pushError) throw new Error(`onFrame rejected the frame: ${pushError.name}: ${pushError.message}`);
      await sleep(20);
    }
    if (!received) throw new Error('no frame arrived in 15 s');
    await sleep(VIDEO.warmup * 1000);
    if (cap) {
      // The received bitrate need not be the cap (rate control, bandwidth estimate; an rtckit
      // build sent twice it at 60 fps): measure and correct the cap until the received
      // bitrate is within 15% of the peer's.
      for (let i = 0; i < VIDEO.calibrations; i++) {
        const b0 = await inboundBytes(b), t = performance.now();
        await sleep(VIDEO.calibrate * 1000);
        const measured = ((await inboundBytes(b)) - b0) * 8 / ((performance.now() - t) / 1000);
        if (!(measured > 0) || Math.abs(measured / cap - 1) < 0.15) break;
        setCap = await applyCap(setCap * Math.min(4, Math.max(0.25, cap / measured)));
      }
      await sleep(VIDEO.settle * 1000);
    }
    const bytes0 = await inboundBytes(b);
    const t0 = performance.now(), cpu0 = cpuSeconds(), frames0 = received;
    await sleep(VIDEO.window * 1000);
    const count = received - frames0, cpu = cpuSeconds() - cpu0, t1 = performance.now();
    const bytes1 = await inboundBytes(b);
    const wall = (t1 - t0) / 1000;
    if (pushError) throw new Error(`onFrame rejected the frame: ${pushError.name}: ${pushError.message}`);
    if (badFrame) throw new Error(`frames arrived at ${badFrame}`);
    if (!count) throw new Error('no frame arrived in the window');
    const kbps = bytes0 === undefined || bytes1 === undefined ? null : ((bytes1 - bytes0) * 8) / ((performance.now() - t0) / 1000) / 1000;
    const info = { target_bps: cap ?? null, cap_bps: setCap && Math.round(setCap), pushed: n };
    emit(`S5 ${tag} CPU/frame`, +((cpu * 1000) / count).toFixed(2), info);
    emit(`S5 ${tag} fps`, +(count / wall).toFixed(1), info);
    emit(`S5 ${tag} kbit/s`, kbps === null ? new Error('getStats has no inbound-rtp bytesReceived') : +kbps.toFixed(0), info);
  } finally {
    clearTimeout(timer);
    sink?.stop();
    track.stop?.();
    source.close?.();
    closePeer(a);
    closePeer(b);
  }
}

async function waitGathered(pc) {
  const deadline = performance.now() + 10000;
  while (pc.iceGatheringState !== 'complete' && performance.now() < deadline) await sleep(5);
}

const S5_ROWS = [['VP8', 'VP8 paced'], ['H264', 'H.264 paced']];
const ROWS = {
  S1: ['S1 connect median', 'S1 connect p90'],
  S2a: ['S2 1MiB MB/s', 'S2 1MiB CPU'],
  S2b: ['S2 4MiB MB/s', 'S2 4MiB CPU'],
  S3: ['S3 rtt median', 'S3 rtt p99'],
  S4: ['S4 50 pairs open', 'S4 RSS per pair'],
};
const s5Rows = (tag) => [`S5 ${tag} CPU/frame`, `S5 ${tag} fps`, `S5 ${tag} kbit/s`];

/** Runs a scenario; on failure or timeout every row it owns gets the error. */
async function attempt(rows, fn, ms) {
  try {
    await withTimeout(fn(), ms, rows[0]);
  } catch (err) {
    for (const row of rows) emit(row, err instanceof Error ? err : new Error(String(err)));
    for (const pc of [...peers]) closePeer(pc);
  }
}

process.on('unhandledRejection', (err) => console.error(`unhandled: ${err?.message ?? err}`));
try {
  lib = require(modulePath(IMPL));
} catch (err) {
  for (const s of SCENARIOS) {
    const rows = s === 'S2' ? [...ROWS.S2a, ...ROWS.S2b] : s === 'S5' ? S5_ROWS.flatMap(([, t]) => s5Rows(t)) : ROWS[s] ?? [];
    for (const row of rows) emit(row, new Error(`cannot load ${IMPL}: ${err.message}`));
  }
  process.exit(0);
}

for (const s of SCENARIOS) {
  if (s === 'S1') await attempt(ROWS.S1, s1, 120000);
  else if (s === 'S2') {
    await attempt(ROWS.S2a, () => s2(1 * MIB, 256 * 1024, '1MiB'), 130000);
    await attempt(ROWS.S2b, () => s2(4 * MIB, 1 * MIB, '4MiB'), 130000);
  } else if (s === 'S3') await attempt(ROWS.S3, s3, 70000);
  else if (s === 'S4') await attempt(ROWS.S4, s4, 100000);
  else if (s === 'S5') {
    if (IMPL === 'node-datachannel' || IMPL === 'werift') continue; // no encoder: not a video peer
    for (const [codec, tag] of S5_ROWS) await attempt(s5Rows(tag), () => s5(codec, tag), 45000);
  }
}
for (const pc of [...peers]) closePeer(pc);
process.exit(0);
