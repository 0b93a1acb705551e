// The W3C remote-track lifecycle: receiver.track from the start (muted), `track` dispatched
// before setRemoteDescription resolves (so a reply track added in the handler is
// negotiated), unmute when media arrives, mute after removeTrack, ended when the sender
// stops its transceiver.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, connect, fakeMedia, gathered, nextEvent, waitUntil, withTimeout, renegotiate } from './helpers.mjs';

const { nonstandard } = rtckit;

test('receiver.track exists from the start, muted, and is the track event\'s track', async () => {
  const pc = new rtckit.RTCPeerConnection(LOOPBACK);
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const { track } = transceiver.receiver;
  assert.equal(track.kind, 'video');
  assert.equal(track.muted, true);
  assert.equal(track.readyState, 'live');
  assert.equal(pc.getReceivers()[0].track, track);
  assert.equal(pc.getTransceivers()[0], transceiver);
  assert.equal(transceiver.sender.track, null);
  assert.equal(pc.getSenders().length, 1);
  assert.match(track.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  pc.close();
});

test('a reply track added in the track handler is negotiated, and the echo arrives', async () => {
  const stream = await fakeMedia({ video: { width: 160, height: 120 } });
  const [camera] = stream.getVideoTracks();
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.addTrack(camera, stream);
  let event = null;
  b.ontrack = (e) => {
    assert.equal(b.signalingState, 'have-remote-offer');
    event = e;
    // An echo service: what arrives is sent back (the browser's way: a sink feeding a source).
    const source = new nonstandard.RTCVideoSource();
    const sink = new nonstandard.RTCVideoSink(e.track);
    sink.onframe = ({ frame }) => source.onFrame(frame);
    b.addTrack(source.createTrack());
    e.track.addEventListener('ended', () => sink.stop());
  };
  const echoed = nextEvent(a, 'track');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(await gathered(a));
  assert.ok(event, 'the track event fired before setRemoteDescription resolved');
  const [transceiver] = b.getTransceivers();
  assert.equal(event.transceiver, transceiver);
  assert.equal(event.receiver, transceiver.receiver);
  assert.equal(event.track, transceiver.receiver.track);
  assert.equal(event.streams[0].id, stream.id);
  assert.ok(transceiver.sender.track, 'the reply is sent on the offer\'s transceiver');
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(await gathered(b));
  const back = await echoed;
  assert.equal(back.track, a.getTransceivers()[0].receiver.track);
  const sink = new nonstandard.RTCVideoSink(back.track);
  const frame = await withTimeout(new Promise((resolve) => { sink.onframe = ({ frame: f }) => resolve(f); }));
  sink.stop();
  assert.equal(frame.width, 160);
  camera.stop();
  a.close();
  b.close();
});

test('unmute with media, mute after removeTrack, ended when the sender stops', async () => {
  const stream = await fakeMedia({ video: { width: 160, height: 120 } });
  const [camera] = stream.getVideoTracks();
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const sender = a.addTrack(camera, stream);
  const arrived = nextEvent(b, 'track');
  await connect(a, b);
  const { track } = await arrived;
  const events = [];
  for (const name of ['mute', 'unmute', 'ended']) track.addEventListener(name, () => events.push(name));
  await waitUntil(() => !track.muted, undefined, 'media to unmute the track');

  a.removeTrack(sender);
  assert.equal(sender.track, null);
  await renegotiate(a, b);
  await waitUntil(() => events.includes('mute'), undefined, 'mute');
  assert.equal(track.readyState, 'live');

  assert.equal(a.addTrack(camera, stream), sender, 'the same transceiver and sender are reused');
  await renegotiate(a, b);
  await waitUntil(() => events.filter((e) => e === 'unmute').length === 2, undefined, 'unmute again');
  assert.equal(b.getTransceivers()[0].receiver.track, track);

  a.getTransceivers()[0].stop();
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  assert.equal(track.readyState, 'ended');
  await waitUntil(() => events.includes('ended'), undefined, 'ended');
  camera.stop();
  a.close();
  b.close();
});

test('an echo built only on receiver.track, with no track handler', async () => {
  const stream = await fakeMedia({ video: { width: 160, height: 120 } });
  const [camera] = stream.getVideoTracks();
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.addTrack(camera, stream);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(await gathered(a));
  // The browser pattern: read the transceiver's receiver.track right after the offer applied.
  const [transceiver] = b.getTransceivers();
  assert.equal(transceiver.receiver.track.kind, 'video');
  const source = new nonstandard.RTCVideoSource();
  const inbound = new nonstandard.RTCVideoSink(transceiver.receiver.track);
  inbound.onframe = ({ frame }) => source.onFrame(frame);
  await transceiver.sender.replaceTrack(source.createTrack());
  transceiver.direction = 'sendrecv';
  const echoed = nextEvent(a, 'track');
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(await gathered(b));
  const { track } = await echoed;
  const outbound = new nonstandard.RTCVideoSink(track);
  const frame = await withTimeout(new Promise((resolve) => { outbound.onframe = ({ frame: f }) => resolve(f); }));
  assert.deepEqual([frame.width, frame.height], [160, 120]);
  inbound.stop();
  outbound.stop();
  camera.stop();
  a.close();
  b.close();
});

test('addTransceiver(kind) with every direction, sending nothing until replaceTrack', async () => {
  const pc = new rtckit.RTCPeerConnection(LOOPBACK);
  for (const direction of ['sendrecv', 'sendonly', 'recvonly', 'inactive']) {
    const t = pc.addTransceiver('audio', { direction });
    assert.equal(t.direction, direction);
    assert.equal(t.sender.track, null);
    assert.equal(t.receiver.track.kind, 'audio');
  }
  assert.throws(() => pc.addTransceiver('audio', { direction: 'sideways' }), TypeError);
  const offer = await pc.createOffer();
  const directions = offer.sdp.split('\r\n').filter((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l));
  assert.deepEqual(directions, ['a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive']);
  pc.close();
});
