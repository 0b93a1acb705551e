// rtckit (Node) <-> @roamhq/wrtc (libwebrtc) data channels with trickle ICE, both offering
// directions. rtckit binds 127.0.0.1 only; wrtc gathers on every interface (it has no bind
// option), and the pair still meets on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  require, rtckit, closeAtEnd, RTCKIT_CONFIG, withTimeout, waitOpen, nextDataChannel, negotiate, exchange,
} from './helpers.mjs';

let wrtc;
try {
  wrtc = require('@roamhq/wrtc');
} catch (err) {
  wrtc = null;
}
const skip = wrtc ? false : '@roamhq/wrtc is not installed (npm install in the repo root)';

async function run(rtckitOffers) {
  const ours = new rtckit.RTCPeerConnection(RTCKIT_CONFIG);
  const theirs = new wrtc.RTCPeerConnection({ iceServers: [] });
  closeAtEnd(theirs);
  const [offerer, answerer] = rtckitOffers ? [ours, theirs] : [theirs, ours];
  try {
    const label = rtckitOffers ? 'from-rtckit' : 'from-wrtc';
    const local = offerer.createDataChannel(label, { ordered: true });
    local.binaryType = 'arraybuffer';
    const remotePromise = nextDataChannel(answerer);
    const errors = await withTimeout(negotiate(offerer, answerer), 10000, 'negotiation');

    const remote = await withTimeout(remotePromise, 10000, 'the datachannel event');
    remote.binaryType = 'arraybuffer';
    await withTimeout(Promise.all([waitOpen(local), waitOpen(remote)]), 10000, 'both channels open');
    assert.equal(remote.label, label);
    assert.equal(remote.ordered, true);

    const oursCandidates = ours.localDescription.sdp.match(/^a=candidate:.*$/gm) ?? [];
    assert.ok(oursCandidates.length > 0, 'rtckit gathered no candidates');
    for (const line of oursCandidates) assert.match(line, / 127\.0\.0\.1 \d+ typ host/, 'rtckit must bind 127.0.0.1 only');

    const [rtckitChannel, wrtcChannel] = rtckitOffers ? [local, remote] : [remote, local];
    await exchange(rtckitChannel, wrtcChannel);
    assert.equal(ours.connectionState, 'connected');
    assert.deepEqual(errors, [], 'every trickled candidate was accepted');
  } finally {
    ours.close();
    theirs.close();
  }
}

test('rtckit offers, wrtc answers (trickle ICE)', { skip, timeout: 30000 }, async () => {
  await run(true);
});

test('wrtc offers, rtckit answers (trickle ICE)', { skip, timeout: 30000 }, async () => {
  await run(false);
});
