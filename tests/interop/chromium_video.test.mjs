// Media between headless Chromium and rtckit-Node, each way of offering:
// - rtckit's fake camera and microphone, sent with the codecs Chromium's answer picks (VP8,
//   Opus), or H.264 when the offer is cut to it: Chromium's getStats shows frames decoded at
//   the size sent and audio samples received;
// - Chromium's fake camera and microphone offered to rtckit: rtckit decodes both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip as skip, onlyCodec, require, rtckit, withTimeout } from './helpers.mjs';

const gathered = (pc) => new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
});

async function launch() {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    headless: true,
  });
  // getUserMedia needs a secure context: a page from 127.0.0.1 is one, about:blank is not.
  const server = http.createServer((_, res) => res.end('<!doctype html><title>rtckit</title>'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const close = async () => {
    await browser.close();
    server.close();
  };
  return { browser: { close }, page };
}

async function fakeMedia() {
  rtckit.mediaDevices.useFakeDevices(true);
  try {
    return await rtckit.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
  } finally {
    rtckit.mediaDevices.useFakeDevices(false);
  }
}

/** Chromium answers `offer`; returns its answer. */
const chromiumAnswers = (page, offer) => page.evaluate(async (offer) => {
  const peer = new RTCPeerConnection();
  window.peer = peer;
  // Played out, as a page would: Chromium decodes remote audio only when something pulls it.
  // WebAudio's analyser also tells the pitch it hears.
  peer.ontrack = ({ track }) => {
    const element = document.createElement(track.kind);
    element.autoplay = true;
    element.srcObject = new MediaStream([track]);
    document.body.appendChild(element);
    element.play().catch(() => {});
    if (track.kind !== 'audio') return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    window.peakHz = () => {
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      const peak = bins.indexOf(Math.max(...bins));
      return (peak * context.sampleRate) / analyser.fftSize;
    };
  };
  await peer.setRemoteDescription(offer);
  await peer.setLocalDescription(await peer.createAnswer());
  await new Promise((resolve) => {
    if (peer.iceGatheringState === 'complete') return resolve();
    peer.onicegatheringstatechange = () => peer.iceGatheringState === 'complete' && resolve();
  });
  return { type: peer.localDescription.type, sdp: peer.localDescription.sdp };
}, offer);

/** Polls Chromium's inbound-rtp stats until 10 frames are decoded and audio samples arrived. */
const chromiumReceived = async (page) => {
  let last = null;
  try {
    return await withTimeout(pollReceived(page, (s) => { last = s; }), 30000, 'Chromium decoding 10 frames and 100 ms of audio');
  } catch (err) {
    err.message += `; last stats: ${JSON.stringify(last)}`;
    throw err;
  }
};

async function pollReceived(page, seen) {
  for (;;) {
    const s = await page.evaluate(async () => {
      const out = {};
      const stats = await window.peer.getStats();
      for (const r of stats.values()) {
        if (r.type !== 'inbound-rtp') continue;
        out[r.kind] = { ...r, mimeType: stats.get(r.codecId)?.mimeType };
      }
      out.peakHz = window.peakHz?.();
      return out;
    });
    seen(s);
    if (s.video?.framesDecoded >= 10 && s.audio?.totalSamplesReceived > 4800) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const codec of ['VP8', 'VP9', 'H264']) {
  test(`Chromium decodes rtckit ${codec} video and Opus audio, rtckit offering`, { skip, timeout: 60000 }, async () => {
    const { browser, page } = await launch();
    const stream = await fakeMedia();
    const pc = new rtckit.RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
    try {
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      await pc.setLocalDescription(await pc.createOffer());
      await withTimeout(gathered(pc), 10000, 'rtckit gathering');
      const sdp = codec === 'VP8' ? pc.localDescription.sdp : onlyCodec(pc.localDescription.sdp, codec);
      await pc.setRemoteDescription(await chromiumAnswers(page, { type: 'offer', sdp }));
      const stats = await chromiumReceived(page);
      assert.deepEqual([stats.video.frameWidth, stats.video.frameHeight], [320, 240]);
      assert.equal(stats.video.mimeType, `video/${codec}`);
      assert.equal(stats.audio.mimeType, 'audio/opus');
      // The fake microphone's tone, as Chromium hears it (bins are 5.9 Hz wide at 48 kHz).
      assert.ok(Math.abs(stats.peakHz - 440) < 12, `Chromium hears ${stats.peakHz} Hz`);
    } finally {
      for (const t of stream.getTracks()) t.stop();
      pc.close();
      await browser.close();
    }
  });
}

test('rtckit decodes Chromium\'s fake camera and microphone, Chromium offering', { skip, timeout: 60000 }, async () => {
  const { browser, page } = await launch();
  const pc = new rtckit.RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
  try {
    const offer = await page.evaluate(async () => {
      const peer = new RTCPeerConnection();
      window.peer = peer;
      const media = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
      for (const track of media.getTracks()) peer.addTrack(track, media);
      await peer.setLocalDescription(await peer.createOffer());
      await new Promise((resolve) => {
        if (peer.iceGatheringState === 'complete') return resolve();
        peer.onicegatheringstatechange = () => peer.iceGatheringState === 'complete' && resolve();
      });
      return { type: peer.localDescription.type, sdp: peer.localDescription.sdp };
    });
    const tracks = new Map();
    const bothTracks = withTimeout(new Promise((resolve) => {
      pc.ontrack = ({ track }) => {
        tracks.set(track.kind, track);
        if (tracks.size === 2) resolve();
      };
    }), 20000, 'both tracks');
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await withTimeout(gathered(pc), 10000, 'rtckit gathering');
    await page.evaluate((answer) => window.peer.setRemoteDescription(answer), {
      type: 'answer', sdp: pc.localDescription.sdp,
    });
    await bothTracks;
    const { nonstandard } = rtckit;
    const video = new nonstandard.RTCVideoSink(tracks.get('video'));
    const audio = new nonstandard.RTCAudioSink(tracks.get('audio'));
    const [frame, sound] = await withTimeout(Promise.all([
      new Promise((resolve) => { video.onframe = ({ frame }) => resolve(frame); }),
      new Promise((resolve) => { audio.ondata = (data) => resolve(data); }),
    ]), 20000, 'a decoded frame and audio');
    video.stop();
    audio.stop();
    assert.deepEqual([frame.width, frame.height], [320, 240]);
    assert.equal(frame.data.length, 320 * 240 * 3 / 2);
    assert.equal(sound.sampleRate, 48000);
    assert.ok(sound.numberOfFrames > 0);
  } finally {
    pc.close();
    await browser.close();
  }
});
