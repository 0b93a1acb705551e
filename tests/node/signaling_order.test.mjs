// The orderings browser code relies on: candidates forwarded straight into the other
// peer's addIceCandidate (they fire after setLocalDescription resolved, and the other peer's
// operations chain puts them after its setRemoteDescription), calls made without awaiting
// the previous one, and a remote channel's `open` right after `datachannel`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, nextEvent, withTimeout } from './helpers.mjs';

/** The tutorial pattern: each candidate goes straight to the other side, no queueing. */
async function forwardingPair(onDataChannel = null) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  if (onDataChannel) b.ondatachannel = onDataChannel;
  const failures = [];
  a.onicecandidate = ({ candidate }) => b.addIceCandidate(candidate).catch((e) => failures.push(e));
  b.onicecandidate = ({ candidate }) => a.addIceCandidate(candidate).catch((e) => failures.push(e));
  const channel = a.createDataChannel('chat');
  const remote = nextEvent(b, 'datachannel');
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  return { a, b, channel, remote, failures };
}

test('candidates forwarded straight to the other peer connect it, 100 times in a row', async () => {
  for (let i = 0; i < 100; i += 1) {
    const { a, b, channel, remote, failures } = await forwardingPair();
    if (channel.readyState !== 'open') await nextEvent(channel, 'open');
    const { channel: theirs } = await remote;
    const got = nextEvent(theirs, 'message');
    channel.send(`hello ${i}`);
    assert.equal((await got).data, `hello ${i}`);
    assert.deepEqual(failures, [], `run ${i}`);
    a.close();
    b.close();
  }
});

test('a candidate event fires only after setLocalDescription resolved', async () => {
  const pc = new rtckit.RTCPeerConnection(LOOPBACK);
  pc.createDataChannel('x');
  let resolved = false;
  const early = [];
  pc.onicecandidate = () => early.push(resolved);
  pc.onicegatheringstatechange = () => early.push(resolved);
  await pc.setLocalDescription(await pc.createOffer());
  resolved = true;
  await withTimeout(new Promise((resolve) => {
    const wait = () => (pc.iceGatheringState === 'complete' && early.length >= 3 ? resolve() : setTimeout(wait, 5));
    wait();
  }));
  assert.ok(early.every((after) => after), `events before the promise resolved: ${early}`);
  await assert.rejects(new rtckit.RTCPeerConnection(LOOPBACK).addIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' }), { name: 'InvalidStateError' });
  pc.close();
});

test('calls made without awaiting the previous one run in order (the operations chain)', async () => {
  for (let i = 0; i < 20; i += 1) {
    const a = new rtckit.RTCPeerConnection(LOOPBACK);
    const b = new rtckit.RTCPeerConnection(LOOPBACK);
    a.createDataChannel('x');
    const offer = await a.createOffer();
    a.setLocalDescription(offer);
    b.setRemoteDescription(offer); // not awaited
    const answer = await b.createAnswer(); // queued behind it
    const applied = b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    await applied;
    assert.equal(b.signalingState, 'stable');
    assert.equal(a.signalingState, 'stable');
    a.close();
    b.close();
  }
});

test("the other side's channel fires open right after datachannel, every time", async () => {
  for (let i = 0; i < 25; i += 1) {
    const order = [];
    let opened;
    const done = new Promise((resolve) => { opened = resolve; });
    const { a, b } = await forwardingPair(({ channel }) => {
      order.push(`datachannel ${channel.readyState}`);
      channel.onopen = () => { order.push('open'); opened(); };
      channel.onmessage = () => order.push('message');
    });
    await withTimeout(done, undefined, `open after datachannel (run ${i})`);
    assert.deepEqual(order, ['datachannel open', 'open']);
    a.close();
    b.close();
  }
});

test('no candidate event of an offer that was rolled back surfaces after the rollback', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const mids = [];
  a.onicecandidate = ({ candidate }) => { if (candidate) mids.push(candidate.sdpMid); };
  a.addTransceiver('video');
  await a.setLocalDescription(await a.createOffer());
  await a.setLocalDescription({ type: 'rollback' });
  mids.length = 0;
  await a.setLocalDescription(await a.createOffer());
  await new Promise((r) => setTimeout(r, 300));
  const inForce = a.localDescription.sdp.match(/a=mid:(\S+)/g).map((l) => l.slice(6));
  // A candidate for the rolled-back offer's mid would be refused by the remote peer.
  for (const mid of mids) assert.ok(inForce.includes(mid), `a candidate for mid ${mid}, not in ${inForce}`);
  assert.ok(a.localDescription.sdp.includes('a=candidate:'), 'the new offer carries the gathered candidates');
  a.close();
});
