// Shared helpers for the Node interop tests (not a test file itself).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const require = createRequire(import.meta.url);
export const repoRoot = path.join(here, '..', '..');
/** rtckit's Node API (the browser's WebRTC API); its peers are closed when the file ends. */
export { rtckit, closeAtEnd, dominantFrequency, onlyCodec } from '../node/helpers.mjs';
export const RTCKIT_CONFIG = { bindAddresses: ['127.0.0.1'] };

/** Rejects with a clear message if `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function bytes(n, seed = 0) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3 + seed) & 0xff;
  return out;
}

/** Sent in this order; text must arrive as a string, binary as an ArrayBuffer. */
export const MESSAGES = [
  'hello from the sender',
  new Uint8Array([0, 1, 2, 0xfe, 0xff]),
  '',
  new Uint8Array(0),
  'unicode: h\u00e9llo w\u00f6rld \u2713 \u{1f680}',
  bytes(60000),
  'x'.repeat(60000),
  'last',
];

/** A JSON-safe description of a message, for readable assertion failures. */
export function describe(m) {
  if (typeof m === 'string') return { text: m.length > 40 ? `${m.slice(0, 40)}... (${m.length})` : m };
  const b = Buffer.from(m instanceof ArrayBuffer ? new Uint8Array(m) : m);
  return { binary: b.length > 16 ? `${b.subarray(0, 16).toString('hex')}... (${b.length})` : b.toString('hex') };
}

/** Asserts `got` (message event data) equals `sent`, in order, text as string, binary as
 * ArrayBuffer. */
export function checkReceived(got, sent) {
  assert.equal(got.length, sent.length, 'message count');
  got.forEach((g, i) => {
    const s = sent[i];
    if (typeof s === 'string') {
      assert.equal(typeof g, 'string', `message ${i} should be text, got ${JSON.stringify(describe(g))}`);
      assert.equal(g, s, `message ${i} text differs`);
    } else {
      assert.equal(Object.prototype.toString.call(g), '[object ArrayBuffer]', `message ${i} should be an ArrayBuffer, got ${typeof g}`);
      assert.ok(Buffer.from(new Uint8Array(g)).equals(Buffer.from(s)), `message ${i} bytes differ: ${JSON.stringify(describe(g))} vs ${JSON.stringify(describe(s))}`);
    }
  });
}

/** Collects `count` messages from a channel (resolves with their data). */
export function collect(channel, count) {
  const got = [];
  return new Promise((resolve) => {
    channel.addEventListener('message', (e) => {
      got.push(e.data);
      if (got.length === count) resolve(got);
    });
  });
}

export function waitOpen(channel) {
  if (channel.readyState === 'open') return Promise.resolve(channel);
  return new Promise((resolve, reject) => {
    channel.addEventListener('open', () => resolve(channel), { once: true });
    channel.addEventListener('close', () => reject(new Error(`channel ${channel.label} closed before opening`)), { once: true });
  });
}

export function nextDataChannel(pc) {
  return new Promise((resolve) => pc.addEventListener('datachannel', (e) => resolve(e.channel), { once: true }));
}

/** JSON round trip, as over a real signaling channel. */
export const wire = (x) => JSON.parse(JSON.stringify(x));

/**
 * Trickle ICE from `from` to `to`: candidates are sent as JSON and queued until `to` has a
 * remote description. Returns { flush, errors }; call flush() right after
 * to.setRemoteDescription. addIceCandidate failures are recorded in errors.
 */
export function trickle(from, to, name) {
  const queue = [];
  const errors = [];
  const add = (c) => to.addIceCandidate(c).catch((e) => errors.push(`${name}: ${c.candidate}: ${e.name}: ${e.message}`));
  from.addEventListener('icecandidate', ({ candidate }) => {
    if (!candidate) return; // end of candidates
    const c = wire(candidate);
    if (to.remoteDescription) add(c);
    else queue.push(c);
  });
  return {
    errors,
    flush: async () => {
      for (const c of queue.splice(0)) await add(c);
    },
  };
}

/**
 * Offer/answer with trickle ICE between two W3C-style peers; `offerer` has already created
 * its data channel.
 */
export async function negotiate(offerer, answerer) {
  const toAnswerer = trickle(offerer, answerer, 'offerer->answerer');
  const toOfferer = trickle(answerer, offerer, 'answerer->offerer');
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(wire(offerer.localDescription));
  await toAnswerer.flush();
  await answerer.setLocalDescription(await answerer.createAnswer());
  await offerer.setRemoteDescription(wire(answerer.localDescription));
  await toOfferer.flush();
  return [...toAnswerer.errors, ...toOfferer.errors];
}

/** Both channels send MESSAGES (one in order, the other reversed) and check receipt. */
export async function exchange(a, b, ms = 15000) {
  const atB = collect(b, MESSAGES.length);
  const atA = collect(a, MESSAGES.length);
  const reversed = [...MESSAGES].reverse();
  for (const m of MESSAGES) a.send(m);
  for (const m of reversed) b.send(m);
  const [gotB, gotA] = await withTimeout(Promise.all([atB, atA]), ms, 'all messages both ways');
  checkReceived(gotB, MESSAGES);
  checkReceived(gotA, reversed);
}

/** Headless Chromium for the browser tests: never downloaded, so a test skips without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumSkip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} does not exist (this test never downloads a browser)`;
/** Loopback candidates, shown as addresses (no mDNS), autoplay; the fake devices are added
 * by the tests that use them. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
];

/** What a page's `<video id="remote">` shows (its size and mean brightness: the fake
 * camera's pattern averages about 115 of 255) and how many frames its `window.pc` decoded. */
export function videoShown(page) {
  return page.evaluate(async () => {
    let framesDecoded = 0;
    for (const r of (await window.pc.getStats()).values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded = r.framesDecoded || 0;
    }
    const video = document.getElementById('remote');
    let brightness = null;
    if (video.videoWidth > 0) {
      const canvas = Object.assign(document.createElement('canvas'), { width: video.videoWidth, height: video.videoHeight });
      const context = canvas.getContext('2d');
      context.drawImage(video, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
      brightness = sum / (data.length / 4);
    }
    return { framesDecoded, width: video.videoWidth, height: video.videoHeight, brightness };
  });
}
