// What code written for @roamhq/wrtc (and the browser) relies on beyond the basics: frame
// data in any byte view, wrtc's plain sink objects, onFrame floods dropped and counted,
// clones with their own enabled/stop, disabled tracks sending black and silence, the
// MediaStream constructors, receiver.getParameters, sender/receiver.transport, rollback and
// the top-level getUserMedia. Real peers on 127.0.0.1.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, connect, fakeMedia, nextEvent, waitUntil, withTimeout } from './helpers.mjs';

const { MediaStream, MediaStreamTrack, nonstandard } = rtckit;
const { RTCVideoSource, RTCVideoSink, RTCAudioSource, RTCAudioSink } = nonstandard;

const [W, H] = [64, 48];
const i420Size = (w, h) => w * h * 3 / 2;

/** An I420 picture of one luma, in a fresh Uint8Array. */
function picture(luma, width = W, height = H) {
  const data = new Uint8Array(i420Size(width, height)).fill(128);
  data.fill(luma, 0, width * height);
  return data;
}

/** The centre luma of the frames a sink shows, and a wait for one that matches. */
function watch(track) {
  const sink = new RTCVideoSink(track);
  const state = { luma: null, frames: 0 };
  sink.onframe = ({ frame }) => {
    state.frames += 1;
    state.luma = frame.data[frame.width * (frame.height >> 1) + (frame.width >> 1)];
  };
  const until = (predicate, what) => waitUntil(() => state.luma !== null && predicate(state.luma), 15000, what);
  return { sink, state, until };
}

/** Pushes `luma()` frames every 20 ms until stopped. */
function feed(source, luma, width = W, height = H) {
  const timer = setInterval(() => source.onFrame({ width, height, data: picture(luma(), width, height) }), 20);
  return () => clearInterval(timer);
}

/** a sends `tracks` to b; resolves once b has them (the track event fires in setRemoteDescription). */
async function call(...tracks) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const received = [];
  b.addEventListener('track', (e) => received.push(e.track));
  const senders = tracks.map((t) => a.addTrack(t));
  await connect(a, b);
  assert.equal(received.length, tracks.length);
  return { a, b, senders, received };
}

test('frame data may be any byte view, also one into a larger buffer', async () => {
  const source = new RTCVideoSource();
  const track = source.createTrack();
  const sink = new RTCVideoSink(track);
  const frames = [];
  sink.onframe = ({ frame }) => frames.push(frame);
  const size = i420Size(W, H);
  const big = new ArrayBuffer(size + 100);
  new Uint8Array(big).fill(7); // the bytes around the view must not be read
  const inside = new Uint8ClampedArray(big, 40, size);
  inside.set(picture(90));
  const views = [
    new Uint8ClampedArray(picture(30)), // wrtc's own README uses Uint8ClampedArray
    picture(50),
    Buffer.from(picture(70)),
    inside,
  ];
  for (const data of views) source.onFrame({ width: W, height: H, data });
  await waitUntil(() => frames.length === views.length, 10000, 'four frames');
  assert.deepEqual(frames.map((f) => [f.data[0], f.data.length, f.data[size - 1]]), [
    [30, size, 128], [50, size, 128], [70, size, 128], [90, size, 128],
  ]);
  assert.throws(() => source.onFrame({ width: W, height: H, data: new Uint8ClampedArray(big, 40, size - 1) }), TypeError);
  assert.throws(() => source.onFrame({ width: W, height: H, data: new Float32Array(size) }), TypeError);
  sink.stop();

  // Audio: an Int16Array view with a byteOffset gives exactly its samples.
  const audio = new RTCAudioSource();
  const audioSink = new RTCAudioSink(audio.createTrack());
  const got = new Promise((resolve) => (audioSink.ondata = resolve));
  const all = Int16Array.from({ length: 1000 }, (_, i) => i - 500);
  audio.onData({ samples: all.subarray(100, 580), sampleRate: 48000, channelCount: 1 });
  const data = await withTimeout(got, 10000, 'audio data');
  assert.deepEqual([...data.samples], [...all.subarray(100, 580)]);
  audioSink.stop();
  source.close();
  audio.close();
});

test('sinks give wrtc\'s plain objects; RTCVideoSource options default as wrtc\'s', async () => {
  const defaults = new RTCVideoSource();
  assert.equal(defaults.isScreencast, false);
  assert.equal(defaults.needsDenoising, null);
  const screen = new RTCVideoSource({ isScreencast: true, needsDenoising: false });
  assert.equal(screen.isScreencast, true);
  assert.equal(screen.needsDenoising, false);

  const video = new RTCVideoSource();
  const sink = new RTCVideoSink(video.createTrack());
  const order = [];
  const frame = new Promise((resolve) => {
    sink.addEventListener('frame', (e) => order.push(['listener', e]));
    sink.onframe = (e) => {
      order.push(['handler', e]);
      resolve(e);
    };
  });
  video.onFrame({ width: W, height: H, data: picture(100) });
  const event = await withTimeout(frame, 10000, 'a frame');
  assert.equal(Object.getPrototypeOf(event), Object.prototype);
  assert.deepEqual(Object.keys(event), ['type', 'frame']);
  assert.equal(event.type, 'frame');
  assert.deepEqual(Object.keys(event.frame), ['width', 'height', 'rotation', 'data']);
  assert.deepEqual([event.frame.width, event.frame.height, event.frame.rotation], [W, H, 0]);
  assert.ok(event.frame.data instanceof Uint8Array);
  // Listeners first, then the handler, all with the same object (as wrtc's EventTarget).
  assert.deepEqual(order.map(([who]) => who), ['listener', 'handler']);
  assert.equal(order[0][1], order[1][1]);
  sink.stop();

  const audio = new RTCAudioSource();
  const audioSink = new RTCAudioSink(audio.createTrack());
  const data = new Promise((resolve) => (audioSink.ondata = resolve));
  audio.onData({ samples: new Int16Array(960), sampleRate: 48000, channelCount: 2 });
  const d = await withTimeout(data, 10000, 'audio data');
  assert.equal(Object.getPrototypeOf(d), Object.prototype);
  assert.deepEqual(Object.keys(d), ['samples', 'bitsPerSample', 'sampleRate', 'channelCount', 'numberOfFrames', 'type']);
  assert.ok(d.samples instanceof Int16Array);
  assert.deepEqual([d.bitsPerSample, d.sampleRate, d.channelCount, d.numberOfFrames, d.type], [16, 48000, 2, 480, 'data']);
  audioSink.stop();
  video.close();
  audio.close();
});

test('an onFrame flood is dropped, counted in framesDropped, and the call goes on', async () => {
  const source = new RTCVideoSource();
  const [width, height] = [320, 240];
  const { a, b, received: [remote] } = await call(source.createTrack());
  const seen = watch(remote);
  let luma = 200;
  let stop = feed(source, () => luma, width, height);
  await seen.until((l) => Math.abs(l - 200) < 20, 'the first frames');
  stop();
  const outbound = async () => [...(await a.getStats()).values()].find((s) => s.type === 'outbound-rtp' && s.kind === 'video');
  const before = await outbound();
  const flood = picture(120, width, height);
  for (let i = 0; i < 2000; i++) source.onFrame({ width, height, data: flood });
  // The sender reports the drops as it catches up with the flood.
  let after = await outbound();
  const deadline = Date.now() + 15000;
  while (after.framesDropped === before.framesDropped && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    after = await outbound();
  }
  const dropped = after.framesDropped - before.framesDropped;
  assert.ok(dropped > 0 && dropped <= 2000, `${dropped} frames dropped`);
  // The call goes on: new frames arrive and the connection is up.
  luma = 60;
  stop = feed(source, () => luma, width, height);
  await seen.until((l) => Math.abs(l - 60) < 20, 'frames after the flood');
  stop();
  assert.equal(a.connectionState, 'connected');
  assert.equal(b.connectionState, 'connected');
  seen.sink.stop();
  source.close();
  a.close();
  b.close();
});

test('clones of local, getUserMedia and remote tracks have their own id, enabled and stop', async () => {
  // A local source's track.
  const source = new RTCVideoSource();
  const original = source.createTrack();
  const clone = original.clone();
  assert.ok(clone instanceof MediaStreamTrack);
  assert.notEqual(clone.id, original.id);
  assert.deepEqual([clone.kind, clone.label, clone.enabled, clone.readyState], [original.kind, original.label, true, 'live']);
  const seenOriginal = watch(original);
  const seenClone = watch(clone);
  clone.enabled = false;
  let stop = feed(source, () => 200);
  await seenOriginal.until((l) => l === 200, 'the original\'s frames');
  await seenClone.until((l) => l === 16, 'the disabled clone\'s black frames');
  assert.equal(original.enabled, true);
  clone.stop();
  assert.equal(clone.readyState, 'ended');
  assert.equal(original.readyState, 'live');
  await waitUntil(() => seenClone.sink.stopped, 5000, 'the clone\'s sink to end');
  const framesBefore = seenOriginal.state.frames;
  await waitUntil(() => seenOriginal.state.frames > framesBefore + 2, 10000, 'the original to go on');
  // Stopping the original leaves a clone running.
  const second = original.clone();
  const seenSecond = watch(second);
  original.stop();
  await seenSecond.until((l) => l === 200, 'the second clone\'s frames');
  stop();
  seenOriginal.sink.stop();
  seenSecond.sink.stop();
  second.stop();

  // A camera's track: the clone keeps the camera running after the original stops.
  const stream = await fakeMedia({ video: { width: 160, height: 120 } });
  const [camera] = stream.getVideoTracks();
  const cameraClone = camera.clone();
  camera.stop();
  const cameraSink = new RTCVideoSink(cameraClone);
  const cameraFrame = await withTimeout(new Promise((resolve) => (cameraSink.onframe = ({ frame }) => resolve(frame))), 10000, 'a camera frame');
  assert.deepEqual([cameraFrame.width, cameraFrame.height], [160, 120]);
  cameraSink.stop();
  cameraClone.stop();

  // A received track: a clone made in the track handler is muted like it, and unmutes with it.
  const sent = new RTCVideoSource();
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.addTrack(sent.createTrack());
  let remoteClone;
  let unmuted;
  b.ontrack = ({ track }) => {
    remoteClone = track.clone();
    assert.equal(remoteClone.muted, true);
    unmuted = nextEvent(remoteClone, 'unmute', 15000);
  };
  await connect(a, b);
  stop = feed(sent, () => 180);
  await unmuted;
  assert.equal(remoteClone.muted, false);
  const [receiver] = b.getReceivers();
  assert.notEqual(remoteClone.id, receiver.track.id);
  const seenRemote = watch(receiver.track);
  const seenRemoteClone = watch(remoteClone);
  await seenRemoteClone.until((l) => Math.abs(l - 180) < 20, 'the remote clone\'s frames');
  remoteClone.stop();
  assert.equal(receiver.track.readyState, 'live');
  const remoteFrames = seenRemote.state.frames;
  await waitUntil(() => seenRemote.state.frames > remoteFrames + 2, 10000, 'the receiver track\'s frames after the clone stopped');
  stop();
  seenRemote.sink.stop();
  sent.close();
  a.close();
  b.close();
});

test('disabled tracks send black video and silence; a disabled received track gives black', async () => {
  const video = new RTCVideoSource();
  const audio = new RTCAudioSource();
  const [videoTrack, audioTrack] = [video.createTrack(), audio.createTrack()];
  const { a, b, received } = await call(videoTrack, audioTrack);
  const remoteVideo = received.find((t) => t.kind === 'video');
  const remoteAudio = received.find((t) => t.kind === 'audio');
  const stopVideo = feed(video, () => 200);
  let n = 0;
  const tone = setInterval(() => {
    const samples = Int16Array.from({ length: 480 }, (_, i) => Math.round(Math.sin((2 * Math.PI * 440 * (n * 480 + i)) / 48000) * 8000));
    audio.onData({ samples, sampleRate: 48000, channelCount: 1 });
    n++;
  }, 10);
  const loudness = [];
  const audioSink = new RTCAudioSink(remoteAudio);
  audioSink.ondata = ({ samples }) => loudness.push(Math.max(...samples.map(Math.abs)));
  /** Waits for `count` chunks in a row that pass `test` (arriving after this call). */
  const chunks = (check, count, what) => {
    const from = loudness.length;
    return waitUntil(() => {
      let run = 0;
      for (let i = from; i < loudness.length; i++) run = check(loudness[i]) ? run + 1 : 0;
      return run >= count;
    }, 15000, what);
  };
  const seen = watch(remoteVideo);
  try {
    await seen.until((l) => Math.abs(l - 200) < 20, 'bright frames');
    await chunks((x) => x > 4000, 5, 'the tone');
    // The sender's tracks disabled: black frames and silence go out.
    videoTrack.enabled = false;
    audioTrack.enabled = false;
    await seen.until((l) => l < 30, 'black frames');
    await chunks((x) => x < 50, 20, 'silence');
    videoTrack.enabled = true;
    audioTrack.enabled = true;
    await seen.until((l) => Math.abs(l - 200) < 20, 'bright frames again');
    await chunks((x) => x > 4000, 5, 'the tone again');
    // The receiving side's track disabled: its sink gets black, an enabled clone does not.
    const clone = remoteVideo.clone();
    const seenClone = watch(clone);
    remoteVideo.enabled = false;
    await seen.until((l) => l === 16, 'black frames from the disabled received track');
    await seenClone.until((l) => Math.abs(l - 200) < 20, 'bright frames in the clone');
    seenClone.sink.stop();
    clone.stop();
  } finally {
    stopVideo();
    clearInterval(tone);
    seen.sink.stop();
    audioSink.stop();
    video.close();
    audio.close();
    a.close();
    b.close();
  }
});

test('MediaStream constructors and clone, with local and received tracks', async () => {
  const stream = await fakeMedia({ video: { width: 160, height: 120 }, audio: true });
  const copy = new MediaStream(stream);
  assert.notEqual(copy.id, stream.id);
  assert.deepEqual(copy.getTracks(), stream.getTracks());
  const fromTracks = new MediaStream(stream.getTracks());
  assert.deepEqual(fromTracks.getTracks(), stream.getTracks());
  // wrtc's RTCMediaStreamInit: {id}.
  const named = new MediaStream({ id: 'my-stream' });
  assert.equal(named.id, 'my-stream');
  assert.deepEqual(named.getTracks(), []);
  assert.match(new MediaStream({}).id, /^[0-9a-f-]{36}$/);
  assert.throws(() => new MediaStream(42), TypeError);
  const cloned = stream.clone();
  assert.notEqual(cloned.id, stream.id);
  assert.equal(cloned.getTracks().length, 2);
  for (const [i, t] of cloned.getTracks().entries()) {
    assert.notEqual(t.id, stream.getTracks()[i].id);
    assert.equal(t.kind, stream.getTracks()[i].kind);
  }

  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  for (const t of stream.getTracks()) a.addTrack(t, stream);
  const events = [];
  b.ontrack = (e) => events.push(e);
  await connect(a, b);
  const remote = events[0].streams[0];
  const mixed = new MediaStream([...remote.getTracks(), ...cloned.getTracks()]);
  assert.equal(mixed.getTracks().length, 4);
  assert.deepEqual(new MediaStream(remote).getTracks(), remote.getTracks());
  for (const t of [...stream.getTracks(), ...cloned.getTracks()]) t.stop();
  a.close();
  b.close();
});

test('receiver.getParameters, sender/receiver.transport, rollback, and the top-level getUserMedia', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const source = new RTCVideoSource();
  const sender = a.addTrack(source.createTrack());
  const [receiver] = a.getReceivers();
  assert.equal(sender.transport, null);
  assert.deepEqual(receiver.getParameters(), { codecs: [], headerExtensions: [], rtcp: { cname: '', reducedSize: false } });

  // Rollback: back to stable, and the next negotiation still works.
  await a.setLocalDescription(await a.createOffer());
  assert.equal(a.signalingState, 'have-local-offer');
  const transport = sender.transport;
  assert.ok(transport instanceof rtckit.RTCDtlsTransport);
  assert.ok(transport.iceTransport instanceof rtckit.RTCIceTransport);
  assert.equal(transport.state, 'new');
  await a.setLocalDescription({ type: 'rollback' });
  assert.equal(a.signalingState, 'stable');
  assert.equal(a.localDescription, null);
  assert.equal(sender.transport, null);

  const states = [];
  const stop = feed(source, () => 150);
  try {
    await connect(a, b);
    await waitUntil(() => a.connectionState === 'connected' && b.connectionState === 'connected', 15000, 'connected');
    assert.equal(sender.transport, transport); // one object per connection
    assert.equal(receiver.transport, transport);
    transport.onstatechange = () => states.push(transport.state);
    assert.equal(transport.state, 'connected');
    assert.ok(['connected', 'completed'].includes(transport.iceTransport.state));
    assert.equal(transport.iceTransport.role, 'controlling');
    assert.equal(transport.iceTransport.component, 'rtp');
    const [bReceiver] = b.getReceivers();
    // webrtc-rs knows a receiving-only side's transport once media arrived.
    await watch(bReceiver.track).until((l) => Math.abs(l - 150) < 20, 'frames at b');
    assert.equal(bReceiver.transport, b.getTransceivers()[0].sender.transport);
    assert.equal(bReceiver.transport.state, 'connected');
    assert.equal(bReceiver.transport.iceTransport.role, 'controlled');

    const params = bReceiver.getParameters();
    const codecs = params.codecs.map((c) => c.mimeType);
    assert.equal(codecs[0], 'video/VP8');
    assert.ok(params.codecs.every((c) => Number.isInteger(c.payloadType) && c.clockRate === 90000));
    assert.ok(params.headerExtensions.some((h) => h.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid' && Number.isInteger(h.id)));
    assert.equal(typeof params.rtcp.reducedSize, 'boolean');
    // The same as the sender's negotiated codecs.
    assert.deepEqual(sender.getParameters().codecs.map((c) => c.mimeType).sort(), [...codecs].sort());
  } finally {
    stop();
    source.close();
    a.close();
    b.close();
  }
  assert.equal(transport.state, 'closed');
  assert.deepEqual(states, []); // close() fires no event, as in browsers

  // wrtc's top-level getUserMedia.
  assert.equal(typeof rtckit.getUserMedia, 'function');
  rtckit.mediaDevices.useFakeDevices(true);
  try {
    const stream = await rtckit.getUserMedia({ audio: true });
    assert.ok(stream instanceof MediaStream);
    assert.equal(stream.getAudioTracks().length, 1);
    stream.getTracks().forEach((t) => t.stop());
  } finally {
    rtckit.mediaDevices.useFakeDevices(false);
  }
});
