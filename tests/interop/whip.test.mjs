// WHIP and WHEP (issue 15): rtckit-Node's client (examples/node/whip.mjs) publishes the fake
// camera and microphone to an endpoint written with rtckit-Node (whip_endpoint.mjs); rtckit-Node's
// WHEP client and headless Chromium, each a WHEP player, decode what it relays; DELETE ends
// each session on the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip as skip, require, rtckit, videoShown, withTimeout } from './helpers.mjs';
import { publish, play } from '../../examples/node/whip.mjs';
import { startEndpoint } from './whip_endpoint.mjs';

const CONFIG = { bindAddresses: ['127.0.0.1'] };

/** Resolves with the first `count` decoded frames' sizes and the time the first one took. */
function decoded(pc, count) {
  const started = performance.now();
  return new Promise((resolve) => {
    pc.ontrack = ({ track }) => {
      if (track.kind !== 'video') return;
      const sizes = [];
      let first;
      const sink = new rtckit.nonstandard.RTCVideoSink(track);
      sink.onframe = ({ frame }) => {
        first ??= performance.now() - started;
        sizes.push(`${frame.width}x${frame.height}`);
        if (sizes.length === count) {
          sink.stop();
          resolve({ sizes, firstMs: first });
        }
      };
    };
  });
}

async function chromiumPlays(url) {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${url}player.html`);
    await page.evaluate('play()');
    return await withTimeout((async () => {
      for (;;) {
        assert.deepEqual(errors, []);
        const shown = await videoShown(page);
        if (shown.framesDecoded >= 10 && shown.width > 0) {
          await page.evaluate(async () => {
            await fetch(window.resource, { method: 'DELETE' });
            window.pc.close();
          });
          return shown;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })(), 30000, 'Chromium to show the WHEP stream');
  } finally {
    await browser.close();
  }
}

test('WHIP publish from rtckit-Node; rtckit-Node and Chromium play it over WHEP; DELETE ends each', { skip, timeout: 90000 }, async (t) => {
  const endpoint = await startEndpoint();
  const camera = [];
  try {
    // A player before any publisher: the endpoint's 409 comes back as a clear error.
    const early = new rtckit.RTCPeerConnection(CONFIG);
    await assert.rejects(play(early, `${endpoint.url}whep`), /answered 409 Conflict: nothing is published yet/);
    early.close();

    rtckit.mediaDevices.useFakeDevices(true);
    const stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    camera.push(...stream.getTracks());
    const publisher = new rtckit.RTCPeerConnection(CONFIG);
    for (const track of stream.getTracks()) publisher.addTrack(track, stream);
    const published = await publish(publisher, `${endpoint.url}whip`);
    assert.match(published.resource, /^http:\/\/127\.0\.0\.1:\d+\/resources\/\d+$/);
    assert.deepEqual(publisher.getTransceivers().map((tr) => tr.currentDirection), ['sendonly', 'sendonly']);
    await withTimeout(new Promise((resolve) => {
      if (publisher.connectionState === 'connected') return resolve();
      publisher.onconnectionstatechange = () => publisher.connectionState === 'connected' && resolve();
    }), 10000, 'the publisher to connect');

    const player = new rtckit.RTCPeerConnection(CONFIG);
    const frames = decoded(player, 30);
    const playing = await play(player, `${endpoint.url}whep`);
    assert.notEqual(playing.resource, published.resource);
    assert.deepEqual(player.getTransceivers().map((tr) => tr.currentDirection), ['recvonly', 'recvonly']);
    const { sizes, firstMs } = await withTimeout(frames, 15000, 'the rtckit player to decode 30 frames');
    assert.deepEqual(new Set(sizes), new Set(['640x480']));
    t.diagnostic(`rtckit WHEP player: first frame ${firstMs.toFixed(0)} ms after play()`);
    let audioPackets = 0;
    for (const r of (await player.getStats()).values()) if (r.type === 'inbound-rtp' && r.kind === 'audio') audioPackets = r.packetsReceived;
    assert.ok(audioPackets > 0, 'the player receives the published audio too');

    const shown = await chromiumPlays(endpoint.url);
    assert.equal(shown.width, 640);
    assert.equal(shown.height, 480);
    // The fake camera's test pattern averages about 115 of 255: a black frame would be 0.
    assert.ok(shown.brightness > 40, `Chromium shows the camera's pattern, not a dark frame (${shown.brightness})`);
    assert.equal(endpoint.state.deleted, 1, 'Chromium deleted its session');

    await playing.stop();
    await published.stop();
    assert.deepEqual(endpoint.state, { publishers: 0, players: 0, deleted: 3 });
    assert.equal(player.connectionState, 'closed');
    // DELETE of a session already ended is a 404, and says so.
    await assert.rejects(playing.stop(), /answered 404/);
  } finally {
    for (const track of camera) track.stop();
    await endpoint.close();
  }
});
