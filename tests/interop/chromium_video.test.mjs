// Headless Chromium decodes the video rtckit-Node sends: the fake camera as H.264, rtckit
// offering, Chromium answering; the browser's getStats shows frames decoded at the size
// sent. (Chromium -> rtckit video comes with VP8 decoding; Chromium's camera offers VP8.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { require, rtckit, withTimeout } from './helpers.mjs';

const CHROMIUM = '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} does not exist (this test never downloads a browser)`;
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
];

const gathered = (pc) => new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
});

test('Chromium decodes rtckit H.264 video', { skip, timeout: 60000 }, async () => {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  rtckit.mediaDevices.useFakeDevices(true);
  let stream;
  try {
    stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  } finally {
    rtckit.mediaDevices.useFakeDevices(false);
  }
  const pc = new rtckit.RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    pc.addTrack(stream.getVideoTracks()[0], stream);
    await pc.setLocalDescription(await pc.createOffer());
    await withTimeout(gathered(pc), 10000, 'rtckit gathering');
    const offer = { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
    assert.match(offer.sdp, /H264/);
    const answer = await page.evaluate(async (offer) => {
      const peer = new RTCPeerConnection();
      window.peer = peer;
      peer.ontrack = (e) => {
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.srcObject = e.streams[0] || new MediaStream([e.track]);
        document.body.appendChild(video);
        video.play().catch(() => {});
      };
      await peer.setRemoteDescription(offer);
      await peer.setLocalDescription(await peer.createAnswer());
      await new Promise((resolve) => {
        if (peer.iceGatheringState === 'complete') return resolve();
        peer.onicegatheringstatechange = () => peer.iceGatheringState === 'complete' && resolve();
      });
      return { type: peer.localDescription.type, sdp: peer.localDescription.sdp };
    }, offer);
    await pc.setRemoteDescription(answer);
    const stats = await withTimeout((async () => {
      for (;;) {
        const s = await page.evaluate(async () => {
          for (const r of (await window.peer.getStats()).values()) {
            if (r.type === 'inbound-rtp' && r.kind === 'video') {
              return { framesDecoded: r.framesDecoded || 0, width: r.frameWidth, height: r.frameHeight };
            }
          }
          return null;
        });
        if (s && s.framesDecoded >= 10) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
    })(), 30000, 'Chromium decoding 10 frames');
    assert.deepEqual([stats.width, stats.height], [320, 240]);
  } finally {
    for (const t of stream.getTracks()) t.stop();
    pc.close();
    await browser.close();
  }
});
