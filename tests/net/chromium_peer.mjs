// Headless Chromium as the offering peer of a network test, speaking peer.mjs's JSON lines:
// its offer (with every candidate, as Chromium gathered them) on stdout, the answer on
// stdin, then "connected", and "sent" once the answerer has counted `bytes` sent over the
// data channel "net" (16 KiB messages, each starting with its 64-bit sequence number).
//   ip netns exec NS node chromium_peer.mjs '{"bytes": 262144, "timeout": 20}'
// Chromium runs with its defaults, so its host candidates hide behind mDNS names. Never
// downloads a browser.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const options = JSON.parse(process.argv[2] ?? '{}');
const timeout = (options.timeout ?? 20) * 1000;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
async function readLine() {
  const { value, done } = await lines.next();
  if (done) throw new Error('stdin closed');
  return JSON.parse(value);
}

const { chromium } = require('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
try {
  const page = await browser.newPage();
  const started = performance.now();
  const offer = await page.evaluate(async () => {
    const pc = (window.pc = new RTCPeerConnection());
    window.channel = pc.createDataChannel('net');
    window.channel.binaryType = 'arraybuffer';
    await pc.setLocalDescription();
    while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 10));
    return pc.localDescription.sdp;
  });
  say({ type: 'description', description: { type: 'offer', sdp: offer } });
  const answer = (await readLine()).description;
  const state = await page.evaluate(async ([answer, timeout]) => {
    const pc = window.pc;
    await pc.setRemoteDescription(answer);
    const deadline = Date.now() + timeout;
    while (!['connected', 'failed'].includes(pc.connectionState) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    while (window.channel.readyState !== 'open' && pc.connectionState === 'connected' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return pc.connectionState;
  }, [answer, timeout]);
  if (state !== 'connected') {
    say({ type: 'failed', state, ms: performance.now() - started });
  } else {
    say({ type: 'connected', ms: performance.now() - started });
    const counts = await page.evaluate(async (total) => {
      const channel = window.channel;
      const counted = new Promise((resolve) => { channel.onmessage = ({ data }) => resolve(JSON.parse(data)); });
      channel.bufferedAmountLowThreshold = 256 * 1024;
      for (let sent = 0, seq = 0; sent < total; seq += 1) {
        const size = Math.min(16 * 1024, total - sent);
        const chunk = new ArrayBuffer(size);
        new DataView(chunk).setBigUint64(0, BigInt(seq));
        if (channel.bufferedAmount > 1024 * 1024) await new Promise((r) => channel.addEventListener('bufferedamountlow', r, { once: true }));
        channel.send(chunk);
        sent += size;
      }
      channel.send('end');
      return counted;
    }, options.bytes ?? 0);
    say({ type: 'sent', sentBytes: options.bytes ?? 0, ...counts });
    await readLine(); // "bye"
  }
} finally {
  await browser.close();
}
process.exit(0);
