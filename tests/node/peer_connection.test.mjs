// RTCPeerConnection: negotiation, trickle and non-trickle ICE, states and events.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, connect, exchange, nextEvent, openPair, waitUntil } from './helpers.mjs';

test('trickle connects with candidate events and states', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const candidates = [], signaling = [], gathering = [];
  a.onicecandidate = (e) => candidates.push(e.candidate);
  a.addEventListener('signalingstatechange', () => signaling.push(a.signalingState));
  a.addEventListener('icegatheringstatechange', () => gathering.push(a.iceGatheringState));
  assert.deepEqual([a.signalingState, a.connectionState, a.iceGatheringState, a.iceConnectionState], ['stable', 'new', 'new', 'new']);
  const negotiation = nextEvent(a, 'negotiationneeded');
  const connected = new Promise((r) => a.addEventListener('connectionstatechange', () => a.connectionState === 'connected' && r()));
  a.createDataChannel('x');
  await negotiation;
  await connect(a, b);
  await connected;
  await waitUntil(() => candidates.length > 0 && candidates.at(-1) === null, undefined, 'end-of-candidates');
  const real = candidates.filter(Boolean);
  assert.ok(real.length > 0);
  for (const c of real) {
    assert.ok(c instanceof rtckit.RTCIceCandidate);
    assert.equal(c.address, '127.0.0.1');
    assert.equal(c.type, 'host');
    assert.equal(c.protocol, 'udp');
    assert.ok(c.candidate.startsWith('candidate:') && c.sdpMid !== null);
  }
  assert.deepEqual(signaling, ['have-local-offer', 'stable']);
  assert.equal(gathering.at(-1), 'complete');
  assert.ok(['connected', 'completed'].includes(a.iceConnectionState));
  // DTLS finishes on one side a round trip before the other.
  await waitUntil(() => b.connectionState === 'connected', undefined, 'b connected');
  assert.equal(a.localDescription.type, 'offer');
  assert.equal(a.remoteDescription.type, 'answer');
  a.close();
  b.close();
  assert.equal(a.signalingState, 'closed');
  assert.equal(a.connectionState, 'closed');
});

test('non-trickle local description carries candidates', async () => {
  const { a, b, channel, remote } = await openPair({ trickle: false });
  assert.match(a.localDescription.sdp, /a=candidate:/);
  assert.match(b.localDescription.sdp, /127\.0\.0\.1/);
  assert.deepEqual(await exchange(channel, remote, ['over non-trickle']), ['over non-trickle']);
  a.close();
  b.close();
});

test('implicit setLocalDescription offers and answers', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.createDataChannel('x');
  await a.setLocalDescription();
  assert.equal(a.localDescription.type, 'offer');
  assert.equal(a.signalingState, 'have-local-offer');
  await b.setRemoteDescription(a.localDescription);
  assert.equal(b.signalingState, 'have-remote-offer');
  await b.setLocalDescription();
  assert.equal(b.localDescription.type, 'answer');
  assert.equal(b.signalingState, 'stable');
  a.close();
  b.close();
});

test('configuration round trip and setConfiguration', () => {
  const pc = new rtckit.RTCPeerConnection({
    iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }],
    bindAddresses: ['127.0.0.1'],
  });
  let c = pc.getConfiguration();
  // As given (W3C, wrtc): a string stays a string.
  assert.deepEqual(c.iceServers.map((s) => s.urls), ['stun:127.0.0.1:3478', ['turn:127.0.0.1:3478']]);
  assert.equal(c.iceServers[1].username, 'u');
  assert.equal(c.iceTransportPolicy, 'all');
  assert.deepEqual(c.bindAddresses, ['127.0.0.1']);
  pc.setConfiguration({ iceServers: [{ urls: 'stun:127.0.0.1:9' }], iceTransportPolicy: 'relay' });
  c = pc.getConfiguration();
  assert.equal(c.iceTransportPolicy, 'relay');
  assert.equal(c.iceServers[0].urls, 'stun:127.0.0.1:9');
  assert.throws(() => pc.setConfiguration({ bindAddresses: ['127.0.0.2'] }), { name: 'InvalidModificationError' });
  pc.close();
});

test('RTCKIT_BIND_ADDRESSES is the default', async () => {
  process.env.RTCKIT_BIND_ADDRESSES = '127.0.0.1';
  try {
    const a = new rtckit.RTCPeerConnection();
    const b = new rtckit.RTCPeerConnection();
    a.createDataChannel('env');
    await connect(a, b, { trickle: false });
    const lines = a.localDescription.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
    assert.ok(lines.length > 0 && lines.every((l) => l.includes(' 127.0.0.1 ')));
    await waitUntil(() => a.connectionState === 'connected');
    a.close();
    b.close();
  } finally {
    delete process.env.RTCKIT_BIND_ADDRESSES;
  }
});

test('addEventListener and onX handlers both fire', async () => {
  const { a, b, channel, remote } = await openPair();
  const got = [];
  remote.addEventListener('message', (e) => got.push(['listener', e.data]));
  remote.onmessage = (e) => got.push(['attr', e.data]);
  assert.equal(typeof remote.onmessage, 'function');
  channel.send('hi');
  await waitUntil(() => got.length === 2);
  assert.deepEqual(got.sort(), [['attr', 'hi'], ['listener', 'hi']]);
  a.close();
  b.close();
});
