// rtckit (Node) <-> headless Chromium data channels with trickle ICE, both offering
// directions. The browser peer lives in an about:blank page; signaling goes through
// page.evaluate (Node -> browser) and page.exposeFunction (browser -> Node). rtckit binds
// 127.0.0.1; Chromium is allowed loopback candidates and shows raw IPs (no mDNS names).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  require, rtckit, RTCKIT_CONFIG, MESSAGES, withTimeout, waitOpen, nextDataChannel, collect,
  checkReceived, wire,
} from './helpers.mjs';

const CHROMIUM = '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} does not exist (this test never downloads a browser)`;
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Messages cross page.evaluate as JSON: {t: text} or {b: base64}.
const encode = (m) => (typeof m === 'string' ? { t: m } : { b: Buffer.from(m).toString('base64') });
function decode(e) {
  if ('t' in e) return e.t;
  const buf = Buffer.from(e.b, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

/** Installed in the page as window.peer: one RTCPeerConnection driven from Node. Runs in the
 * browser, so it may only use browser globals. */
function installBrowserPeer() {
  const b64encode = (buf) => {
    const u8 = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const b64decode = (s) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
  const pc = new RTCPeerConnection({ iceServers: [] });
  const queued = [];
  const errors = [];
  const received = [];
  let waiter = null;
  let channelResolve;
  const channelReady = new Promise((resolve) => (channelResolve = resolve));
  let channel = null;

  const useChannel = (dc) => {
    channel = dc;
    dc.binaryType = 'arraybuffer';
    dc.onmessage = (e) => {
      received.push(typeof e.data === 'string' ? { t: e.data } : { b: b64encode(e.data) });
      if (waiter && received.length >= waiter.count) waiter.resolve(received.slice());
    };
    if (dc.readyState === 'open') channelResolve();
    else dc.onopen = () => channelResolve();
  };
  pc.onicecandidate = (e) => {
    if (e.candidate) window.rtckitSignal(JSON.stringify(e.candidate));
  };
  pc.ondatachannel = (e) => useChannel(e.channel);
  const add = (c) => pc.addIceCandidate(c).catch((err) => errors.push(`${c.candidate}: ${err.name}: ${err.message}`));
  const flush = async () => {
    for (const c of queued.splice(0)) await add(c);
  };
  const plain = (d) => ({ type: d.type, sdp: d.sdp });

  window.peer = {
    async offer(label) {
      useChannel(pc.createDataChannel(label, { ordered: true }));
      await pc.setLocalDescription(await pc.createOffer());
      return plain(pc.localDescription);
    },
    async answer(offer) {
      await pc.setRemoteDescription(offer);
      await flush();
      await pc.setLocalDescription(await pc.createAnswer());
      return plain(pc.localDescription);
    },
    async accept(answer) {
      await pc.setRemoteDescription(answer);
      await flush();
    },
    async addCandidate(c) {
      if (pc.remoteDescription) await add(c);
      else queued.push(c);
    },
    async open() {
      await channelReady;
      return { label: channel.label, ordered: channel.ordered, state: pc.connectionState };
    },
    send(messages) {
      for (const m of messages) channel.send('t' in m ? m.t : b64decode(m.b));
    },
    messages(count) {
      if (received.length >= count) return received.slice();
      return new Promise((resolve) => (waiter = { count, resolve }));
    },
    errors: () => errors.slice(),
    close: () => pc.close(),
  };
}

let browser;

before(async () => {
  if (skip) return;
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 20000 });
});

after(async () => {
  await browser?.close();
});

async function run(rtckitOffers) {
  const page = await browser.newPage();
  const ours = new rtckit.RTCPeerConnection(RTCKIT_CONFIG);
  try {
    // Browser -> Node candidates, queued until rtckit has the remote description.
    const queued = [];
    const rtckitErrors = [];
    const add = (c) => ours.addIceCandidate(c).catch((e) => rtckitErrors.push(`${c.candidate}: ${e.name}: ${e.message}`));
    const flush = async () => {
      for (const c of queued.splice(0)) await add(c);
    };
    await page.exposeFunction('rtckitSignal', (json) => {
      const c = JSON.parse(json);
      if (ours.remoteDescription) add(c);
      else queued.push(c);
    });
    // Node -> browser candidates (the page queues them until it has a remote description).
    ours.onicecandidate = ({ candidate }) => {
      if (candidate) page.evaluate((c) => window.peer.addCandidate(c), wire(candidate)).catch(() => {});
    };
    await page.goto('about:blank');
    await page.evaluate(installBrowserPeer);

    let channel;
    if (rtckitOffers) {
      channel = ours.createDataChannel('from-rtckit', { ordered: true });
      await ours.setLocalDescription(await ours.createOffer());
      const answer = await withTimeout(page.evaluate((o) => window.peer.answer(o), wire(ours.localDescription)), 10000, "chromium's answer");
      assert.equal(answer.type, 'answer');
      await ours.setRemoteDescription(answer);
      await flush();
    } else {
      const remote = nextDataChannel(ours);
      const offer = await withTimeout(page.evaluate((label) => window.peer.offer(label), 'from-chromium'), 10000, "chromium's offer");
      assert.equal(offer.type, 'offer');
      await ours.setRemoteDescription(offer);
      await flush();
      await ours.setLocalDescription(await ours.createAnswer());
      await withTimeout(page.evaluate((a) => window.peer.accept(a), wire(ours.localDescription)), 10000, 'chromium accepting the answer');
      channel = await withTimeout(remote, 10000, 'the datachannel event');
    }
    channel.binaryType = 'arraybuffer';
    const label = rtckitOffers ? 'from-rtckit' : 'from-chromium';
    const [, info] = await withTimeout(
      Promise.all([waitOpen(channel), page.evaluate(() => window.peer.open())]),
      15000,
      'both channels open',
    );
    assert.equal(channel.label, label);
    assert.equal(info.label, label);
    assert.equal(info.ordered, true);

    for (const line of ours.localDescription.sdp.match(/^a=candidate:.*$/gm) ?? []) {
      assert.match(line, / 127\.0\.0\.1 \d+ typ host/, 'rtckit must bind 127.0.0.1 only');
    }

    // rtckit sends MESSAGES in order, Chromium sends them reversed; each checks the other's.
    const atRtckit = collect(channel, MESSAGES.length);
    const reversed = [...MESSAGES].reverse();
    for (const m of MESSAGES) channel.send(m);
    await page.evaluate((msgs) => window.peer.send(msgs), reversed.map(encode));
    const [atChromium, gotHere] = await withTimeout(
      Promise.all([page.evaluate((n) => window.peer.messages(n), MESSAGES.length), atRtckit]),
      15000,
      'all messages both ways',
    );
    checkReceived(atChromium.map(decode), MESSAGES);
    checkReceived(gotHere, reversed);

    assert.equal(ours.connectionState, 'connected');
    assert.deepEqual(rtckitErrors, [], "rtckit accepted every Chromium candidate");
    assert.deepEqual(await page.evaluate(() => window.peer.errors()), [], 'Chromium accepted every rtckit candidate');
  } finally {
    ours.close();
    await page.evaluate(() => window.peer?.close()).catch(() => {});
    await page.close();
  }
}

test('Chromium offers, rtckit answers (trickle ICE)', { skip, timeout: 30000 }, async () => {
  await run(false);
});

test('rtckit offers, Chromium answers (trickle ICE)', { skip, timeout: 30000 }, async () => {
  await run(true);
});
