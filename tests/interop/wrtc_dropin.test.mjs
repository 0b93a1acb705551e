// rtckit as a drop-in for @roamhq/wrtc: wrtc_example_peer.js, a peer written for wrtc (video
// from an RGBA canvas, a sine, sinks on what arrives, a data channel), runs unchanged with
// only its require swapped to rtckit, and calls wrtc itself (either one offering) and
// headless Chromium (either one offering): media both ways, checked by colour and pitch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { require, repoRoot, withTimeout } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(here, 'wrtc_example_peer.js');
const WRTC_REQUIRE = "require('@roamhq/wrtc')";
const CHROMIUM = '/usr/bin/chromium';

let hasWrtc = true;
try {
  require.resolve('@roamhq/wrtc');
} catch {
  hasWrtc = false;
}
const skipWrtc = hasWrtc ? false : '@roamhq/wrtc is not installed (npm install in the repo root)';
const skipChromium = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} does not exist (this test never downloads a browser)`;

/** The script with its one require swapped to rtckit, in a temporary directory. */
function rtckitCopy() {
  const text = fs.readFileSync(SCRIPT, 'utf8');
  assert.equal(text.split(WRTC_REQUIRE).length, 2, 'the script requires wrtc exactly once');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtckit-dropin-'));
  const copy = path.join(dir, 'wrtc_example_peer.js');
  fs.writeFileSync(copy, text.replace(WRTC_REQUIRE, `require(${JSON.stringify(repoRoot)})`));
  return { copy, dir };
}

/** Runs the script (`lib`: 'wrtc' as it is, 'rtckit' swapped) as one peer. */
function peer(lib, role, color, hz) {
  let file = SCRIPT;
  let dir = null;
  if (lib === 'rtckit') ({ copy: file, dir } = rtckitCopy());
  const child = spawn(process.execPath, [file, role, color.join(','), String(hz)], {
    cwd: here,
    env: { ...process.env, RTCKIT_BIND_ADDRESSES: '127.0.0.1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const listeners = [];
  const errors = [];
  let stderr = '';
  let buffered = '';
  let result = null;
  let status = null;
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const message = JSON.parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (message.result) result = message.result;
      else if (message.status) status = message.status;
      else if (message.error) errors.push(message.error);
      else listeners.forEach((l) => l(message));
    }
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => dir && fs.rmSync(dir, { recursive: true, force: true }));
  return {
    lib,
    role,
    errors,
    exited,
    get result() { return result; },
    get status() { return status; },
    get stderr() { return stderr; },
    onSignal: (l) => listeners.push(l),
    signal: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  };
}

/** Waits until `p.result` is there (or the script reported an error or exited). */
async function resultOf(p, ms = 30000) {
  const deadline = Date.now() + ms;
  while (!p.result && !p.errors.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(p.errors, [], `the ${p.lib} peer reported errors; stderr: ${p.stderr}`);
  if (!p.result) {
    p.signal({ status: true });
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(p.result, `the ${p.lib} peer (${p.role}) has no result after ${ms} ms, only ${JSON.stringify(p.status)}; stderr: ${p.stderr}`);
  return p.result;
}

/** What a peer sending `color` and `hz` from role `role` looks like at the other end. */
function checkReceived(result, { color, hz, role }, who) {
  assert.deepEqual([result.width, result.height], [320, 240], `${who}: frame size`);
  result.rgb.forEach((v, i) => assert.ok(Math.abs(v - color[i]) <= 30, `${who}: colour ${result.rgb} vs ${color}`));
  assert.ok(Math.abs(result.hz - hz) <= hz * 0.03, `${who}: ${result.hz} Hz vs ${hz} Hz`);
  assert.equal(result.message, `hello from the ${role}er`, `${who}: message`);
}

/** rtckit's copy exits on its own once the peer closed, with code 0; wrtc's process is
 * killed (wrtc keeps Node running while its tracks live, and crashes at exit once they are
 * stopped: its own bug). */
async function finish(p) {
  p.signal({ bye: true });
  if (p.lib === 'rtckit') {
    const { code } = await withTimeout(p.exited, 10000, 'the rtckit peer to exit on its own');
    assert.equal(code, 0, `the rtckit peer exited with ${code}; stderr: ${p.stderr}`);
  } else {
    await new Promise((r) => setTimeout(r, 200));
    p.kill();
  }
}

const RED = { color: [200, 40, 40], hz: 440 };
const BLUE = { color: [40, 60, 200], hz: 660 };

const named = (lib) => (lib === 'rtckit' ? 'rtckit (its require swapped)' : 'wrtc');

for (const [offerer, answerer] of [['rtckit', 'wrtc'], ['wrtc', 'rtckit']]) {
  test(`the wrtc example peer: ${named(offerer)} offers, ${named(answerer)} answers`, { skip: skipWrtc, timeout: 60000 }, async () => {
    const a = peer(offerer, 'offer', RED.color, RED.hz);
    const b = peer(answerer, 'answer', BLUE.color, BLUE.hz);
    a.onSignal((m) => b.signal(m));
    b.onSignal((m) => a.signal(m));
    try {
      const [atA, atB] = await Promise.all([resultOf(a), resultOf(b)]);
      checkReceived(atA, { ...BLUE, role: 'answer' }, `${offerer} (offerer)`);
      checkReceived(atB, { ...RED, role: 'offer' }, `${answerer} (answerer)`);
      await Promise.all([finish(a), finish(b)]);
    } finally {
      a.kill();
      b.kill();
    }
  });
}

/** The Chromium side: a canvas of `color` and an oscillator at `hz`, a channel, and what
 * arrives (the centre pixel of the video, the analyser's peak, the message). */
function installChromiumPeer({ color, hz, role }) {
  const pc = new RTCPeerConnection();
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const ctx = canvas.getContext('2d');
  const paint = () => {
    ctx.fillStyle = `rgb(${color.join(',')})`;
    ctx.fillRect(0, 0, 320, 240);
  };
  paint();
  const painter = setInterval(paint, 33);
  const audio = new AudioContext();
  const oscillator = audio.createOscillator();
  oscillator.frequency.value = hz;
  const destination = audio.createMediaStreamDestination();
  const gain = audio.createGain();
  gain.gain.value = 0.25;
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  const stream = new MediaStream([...canvas.captureStream(30).getVideoTracks(), ...destination.stream.getAudioTracks()]);
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const got = { message: null, video: null, peakHz: null };
  pc.ontrack = ({ track }) => {
    const element = document.createElement(track.kind);
    element.autoplay = true;
    element.muted = track.kind === 'video';
    element.srcObject = new MediaStream([track]);
    document.body.appendChild(element);
    element.play().catch(() => {});
    if (track.kind === 'video') {
      got.video = element;
      return;
    }
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    got.peakHz = () => {
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      return (bins.indexOf(Math.max(...bins)) * context.sampleRate) / analyser.fftSize;
    };
  };
  const useChannel = (channel) => {
    if (role === 'offer') channel.onopen = () => channel.send('hello from the offerer');
    channel.onmessage = ({ data }) => {
      got.message = data;
      if (role === 'answer') channel.send('hello from the answerer');
    };
  };
  if (role === 'offer') useChannel(pc.createDataChannel('chat'));
  else pc.ondatachannel = ({ channel }) => useChannel(channel);
  pc.onicecandidate = ({ candidate }) => candidate && window.toNode(JSON.stringify({ candidate: candidate.toJSON() }));
  const pending = [];
  window.fromNode = async (message) => {
    if (message.description) {
      await pc.setRemoteDescription(message.description);
      for (const c of pending.splice(0)) await pc.addIceCandidate(c);
      if (message.description.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        window.toNode(JSON.stringify({ description: pc.localDescription.toJSON() }));
      }
    } else if (message.candidate) {
      if (pc.remoteDescription) await pc.addIceCandidate(message.candidate);
      else pending.push(message.candidate);
    }
  };
  window.offer = async () => {
    await pc.setLocalDescription(await pc.createOffer());
    window.toNode(JSON.stringify({ description: pc.localDescription.toJSON() }));
  };
  window.report = async () => {
    const stats = [...(await pc.getStats()).values()];
    const video = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    let rgb = null;
    if (got.video && got.video.videoWidth) {
      const c = document.createElement('canvas');
      c.width = got.video.videoWidth;
      c.height = got.video.videoHeight;
      const g = c.getContext('2d');
      g.drawImage(got.video, 0, 0);
      rgb = [...g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data.slice(0, 3)];
    }
    return {
      framesDecoded: video?.framesDecoded ?? 0,
      width: video?.frameWidth,
      height: video?.frameHeight,
      rgb,
      peakHz: got.peakHz ? got.peakHz() : null,
      message: got.message,
    };
  };
  window.closePeer = () => {
    clearInterval(painter);
    pc.close();
  };
}

for (const scriptOffers of [true, false]) {
  test(`the wrtc example peer on rtckit (its require swapped) and Chromium, ${scriptOffers ? 'the script' : 'Chromium'} offering`, { skip: skipChromium, timeout: 60000 }, async () => {
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20000,
      args: [
        '--no-sandbox', '--disable-gpu', '--allow-loopback-in-peer-connection',
        '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
      ],
    });
    let ours = null;
    try {
      const page = await browser.newPage();
      await page.exposeFunction('toNode', (json) => ours.signal(JSON.parse(json)));
      await page.goto('about:blank');
      await page.evaluate(installChromiumPeer, { ...BLUE, role: scriptOffers ? 'answer' : 'offer' });
      // Started once the page listens: an offering script signals at once.
      ours = peer('rtckit', scriptOffers ? 'offer' : 'answer', RED.color, RED.hz);
      ours.onSignal((m) => page.evaluate((msg) => window.fromNode(msg), m).catch(() => {}));
      if (!scriptOffers) await page.evaluate(() => window.offer());
      // Chromium decodes rtckit's video at its size and colour, hears its pitch, gets its message.
      let report;
      const deadline = Date.now() + 30000;
      do {
        await new Promise((r) => setTimeout(r, 200));
        report = await page.evaluate(() => window.report());
      } while (Date.now() < deadline && !(ours.result && report.framesDecoded >= 10 && report.rgb && report.message
        && Math.abs(report.peakHz - RED.hz) <= 10 && report.rgb.every((v, i) => Math.abs(v - RED.color[i]) <= 30)));
      const atOurs = await resultOf(ours, 0).catch((err) => {
        err.message += `; Chromium has ${JSON.stringify(report)}`;
        throw err;
      });
      checkReceived(atOurs, { ...BLUE, role: scriptOffers ? 'answer' : 'offer' }, 'rtckit');
      assert.deepEqual([report.width, report.height], [320, 240]);
      assert.ok(report.framesDecoded >= 10, `Chromium decoded ${report.framesDecoded} frames`);
      report.rgb.forEach((v, i) => assert.ok(Math.abs(v - RED.color[i]) <= 30, `Chromium sees ${report.rgb}`));
      assert.ok(Math.abs(report.peakHz - RED.hz) <= 10, `Chromium hears ${report.peakHz} Hz`);
      assert.equal(report.message, `hello from the ${scriptOffers ? 'offer' : 'answer'}er`);
      await page.evaluate(() => window.closePeer());
      await finish(ours);
    } finally {
      ours?.kill();
      await browser.close();
    }
  });
}
