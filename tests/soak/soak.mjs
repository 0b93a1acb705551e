// Soak: SOAK_CYCLES (default 1000) connect -> media + data -> close cycles in one process.
// Open fds, threads, RSS and rtckit's runtime tasks are sampled every 100 cycles and printed
// as a curve; the run fails if any of them grows between the first sample and the last beyond
// what a warm process wobbles by. Run by scripts/soak.sh (make soak, and CI's test stage).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { rtckit, LOOPBACK, until, connect } from '../node/standalone.mjs';

const require = createRequire(import.meta.url);
const native = require('../../bindings-node/lib/native.js');
const { RTCPeerConnection, mediaDevices, nonstandard } = rtckit;

const CYCLES = Number(process.env.SOAK_CYCLES ?? 1000);
const EVERY = 100;
const BUDGET_MS = 600000; // bounded in time too: a run this slow is itself a finding
// Growth allowed from the first sample (cycle 100, warm) to the last.
const LIMITS = { fds: 16, threads: 8, tasks: 32, rssMiB: 64 };

function sample() {
  return {
    fds: fs.readdirSync('/proc/self/fd').length,
    threads: fs.readdirSync('/proc/self/task').length,
    rssMiB: process.memoryUsage.rss() / 1048576,
    tasks: native.runtimeTasks(),
  };
}

async function cycle() {
  const a = new RTCPeerConnection(LOOPBACK);
  const b = new RTCPeerConnection(LOOPBACK);
  mediaDevices.useFakeDevices(true);
  const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } });
  for (const track of stream.getTracks()) a.addTrack(track, stream);
  const channel = a.createDataChannel('soak');
  const got = [];
  const frames = { video: 0, audio: 0 };
  const sinks = [];
  b.ondatachannel = ({ channel: ch }) => { ch.onmessage = ({ data }) => got.push(data); };
  b.ontrack = ({ track }) => {
    const sink = track.kind === 'video' ? new nonstandard.RTCVideoSink(track) : new nonstandard.RTCAudioSink(track);
    if (track.kind === 'video') sink.onframe = () => frames.video++;
    else sink.ondata = () => frames.audio++;
    sinks.push(sink);
  };
  await connect(a, b);
  await until(() => channel.readyState === 'open', 'the channel');
  channel.send('ping');
  channel.send(new Uint8Array(1000));
  await until(() => got.length === 2, 'both messages');
  if (got[0] !== 'ping' || got[1].byteLength !== 1000) throw new Error(`messages changed: ${got}`);
  await until(() => frames.video > 0 && frames.audio > 0, 'media decoded, both kinds');
  for (const sink of sinks) sink.stop();
  for (const track of stream.getTracks()) track.stop();
  a.close();
  b.close();
}

const start = performance.now();
let last = start;
const samples = [];
console.log(`${'cycle'.padStart(6)} ${'fds'.padStart(5)} ${'threads'.padStart(7)} ${'rss MiB'.padStart(8)} ${'tasks'.padStart(6)} ${'ms/cycle'.padStart(8)}`);
for (let n = 1; n <= CYCLES; n++) {
  await cycle();
  if (n % EVERY === 0) {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 200)); // closes finish their teardown in the background
    const s = sample();
    const now = performance.now();
    samples.push([n, s]);
    console.log(`${String(n).padStart(6)} ${String(s.fds).padStart(5)} ${String(s.threads).padStart(7)} ${s.rssMiB.toFixed(1).padStart(8)} ${String(s.tasks).padStart(6)} ${((now - last) / EVERY).toFixed(1).padStart(8)}`);
    last = now;
  }
  if (performance.now() - start > BUDGET_MS) {
    console.log(`!! soak: only ${n} cycles in ${BUDGET_MS / 1000} s`);
    process.exit(1);
  }
}
const [first, final] = [samples[0][1], samples[samples.length - 1][1]];
const grown = Object.fromEntries(Object.keys(LIMITS).map((k) => [k, final[k] - first[k]]));
const over = Object.entries(grown).filter(([k, v]) => v > LIMITS[k]);
console.log(`node soak: ${CYCLES} cycles in ${((performance.now() - start) / 1000).toFixed(0)} s; growth after cycle ${samples[0][0]}: `
  + Object.entries(grown).map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${v.toFixed(1)}`).join(', '));
if (over.length) {
  console.log(`!! soak: grew beyond the limits ${JSON.stringify(LIMITS)}: ${JSON.stringify(Object.fromEntries(over))}`);
  process.exit(1);
}
