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

const ufrag = (sdp) => sdp.split('\r\n').find((l) => l.startsWith('a=ice-ufrag:'));

// restartIce() fires negotiationneeded and the next offer has new credentials; createOffer
// ({iceRestart: true}) does the same. Each restart gathers again, and the channel works after
// both.
test('restartIce renews credentials and the channel keeps working', async () => {
  const { a, b, channel, remote } = await openPair({ trickle: false });
  let before = ufrag(a.localDescription.sdp);
  const needed = nextEvent(a, 'negotiationneeded');
  a.restartIce();
  await needed;
  for (const restart of [() => a.createOffer(), () => a.createOffer({ iceRestart: true })]) {
    const offer = await restart();
    assert.notEqual(ufrag(offer.sdp), before);
    const states = [];
    a.onicegatheringstatechange = () => states.push(a.iceGatheringState);
    await a.setLocalDescription(offer);
    await waitUntil(() => a.iceGatheringState === 'complete' && states.includes('complete'), 10000, 'gathering again');
    // Two icegatheringstatechange events ("gathering", then "complete"; a handler reads the
    // state as it is when the event is delivered).
    assert.equal(states.length, 2);
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription();
    await waitUntil(() => b.iceGatheringState === 'complete', 10000, "the answerer's gathering");
    await a.setRemoteDescription(b.localDescription);
    before = ufrag(a.localDescription.sdp);
    assert.deepEqual(await exchange(channel, remote, ['after a restart']), ['after a restart']);
  }
  assert.equal(ufrag((await a.createOffer()).sdp), before, 'a plain offer keeps the credentials');
  a.close();
  b.close();
  assert.throws(() => a.restartIce(), { name: 'InvalidStateError' });
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

test('the legacy callback forms settle their callbacks and resolve to undefined', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const channel = a.createDataChannel('legacy');
  const opened = nextEvent(channel, 'open');
  /** Calls `method` in the legacy form; resolves with what reached success or failure. */
  const settle = (pc, method, ...args) => new Promise((resolve) => {
    const returned = pc[method](...args.map((x) => (x === OK ? (v) => resolve({ ok: v, returned }) : x === FAIL ? (e) => resolve({ error: e, returned }) : x)));
  });
  const OK = Symbol('success');
  const FAIL = Symbol('failure');
  // Candidates wait for the other side's remote description; each is added in the legacy form.
  const added = [];
  const queues = new Map([[a, []], [b, []]]);
  const add = (to, candidate) => added.push(settle(to, 'addIceCandidate', candidate, OK, FAIL));
  for (const [from, to] of [[a, b], [b, a]]) {
    from.addEventListener('icecandidate', ({ candidate }) => {
      if (!candidate) return;
      if (to.remoteDescription) add(to, candidate);
      else queues.get(to).push(candidate);
    });
  }
  const flush = (to) => queues.get(to).splice(0).forEach((c) => add(to, c));
  const offer = await settle(a, 'createOffer', OK, FAIL);
  assert.equal(offer.ok.type, 'offer');
  assert.equal(await offer.returned, undefined);
  const results = [
    await settle(a, 'setLocalDescription', offer.ok, OK, FAIL),
    await settle(b, 'setRemoteDescription', offer.ok, OK, FAIL),
  ];
  flush(b);
  const answer = await settle(b, 'createAnswer', OK, FAIL);
  assert.equal(answer.ok.type, 'answer');
  results.push(await settle(b, 'setLocalDescription', answer.ok, OK, FAIL), await settle(a, 'setRemoteDescription', answer.ok, OK, FAIL));
  flush(a);
  await opened;
  results.push(...await Promise.all(added));
  assert.ok(added.length > 0);
  for (const r of results) {
    assert.deepEqual(Object.keys(r), ['ok', 'returned']);
    assert.equal(r.ok, undefined);
    assert.equal(await r.returned, undefined);
  }
  // Failures reach the failure callback, with the error the Promise form rejects with.
  const bad = await settle(a, 'setRemoteDescription', { type: 'answer', sdp: 'not sdp' }, OK, FAIL);
  assert.equal(bad.error.name, 'InvalidStateError');
  assert.equal(await bad.returned, undefined);
  const badCandidate = await settle(a, 'addIceCandidate', { candidate: 'candidate:nonsense', sdpMid: '0' }, OK, FAIL);
  assert.ok(badCandidate.error instanceof Error);
  // getStats(callback) (Chrome's old form) and getStats(selector, success, failure) (Firefox's).
  const stats = await settle(a, 'getStats', OK);
  assert.ok(stats.ok instanceof rtckit.RTCStatsReport);
  assert.ok([...stats.ok.values()].some((s) => s.type === 'peer-connection'));
  const selected = await settle(a, 'getStats', null, OK, FAIL);
  assert.ok(selected.ok instanceof rtckit.RTCStatsReport);
  assert.equal(await selected.returned, undefined);
  a.close();
  b.close();
});

test('getStats ids link up: pairs name their candidates, the transport its selected pair', async () => {
  const { a, b } = await openPair();
  for (const pc of [a, b]) {
    const report = await pc.getStats();
    const pairs = [...report.values()].filter((s) => s.type === 'candidate-pair');
    assert.ok(pairs.length > 0);
    for (const pair of pairs) {
      assert.equal(report.get(pair.localCandidateId)?.type, 'local-candidate', pair.localCandidateId);
      assert.equal(report.get(pair.remoteCandidateId)?.type, 'remote-candidate', pair.remoteCandidateId);
    }
    const transport = [...report.values()].find((s) => s.type === 'transport');
    const selected = report.get(transport.selectedCandidatePairId);
    assert.equal(selected?.type, 'candidate-pair');
    // What simple-peer reads to learn the addresses in use.
    assert.equal(report.get(selected.localCandidateId).address, '127.0.0.1');
    assert.equal(report.get(selected.remoteCandidateId).address, '127.0.0.1');
    assert.ok(Number.isInteger(report.get(selected.remoteCandidateId).port));
  }
  a.close();
  b.close();
});
