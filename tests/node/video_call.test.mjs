// Media over a connection: video (VP8 by default) arrives decoded at the other peer with
// its size and frame numbers, and audio (Opus by default) at its pitch, from the fake
// devices and from RTCVideoSource/RTCAudioSource.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, connect, dominantFrequency, fakeMedia, nextEvent, waitUntil, withTimeout } from './helpers.mjs';

const { mediaDevices, nonstandard } = rtckit;

// The track event fires with the first packet: `feed()` pushes frames until it does.
// `codec` forces one by cutting the offer down to it.
async function call(track, streams = [], feed = null, codec = null) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const sender = a.addTrack(track, ...streams);
  assert.equal(sender.track, track);
  const arrived = nextEvent(b, 'track');
  await connect(a, b, { codec });
  if (codec) assert.match(b.localDescription.sdp, new RegExp(` ${codec}/`, 'i'));
  const timer = feed && setInterval(feed, 20);
  try {
    return { a, b, event: await arrived };
  } finally {
    if (timer) clearInterval(timer);
  }
}

for (const codec of [null, 'VP9', 'H264']) {
  test(`fake camera arrives decoded with its frame numbers (${codec ?? 'VP8, the default'})`, async () => {
    const stream = await fakeMedia({ video: { width: 320, height: 240 } });
    const [camera] = stream.getVideoTracks();
    const { a, b, event } = await call(camera, [stream], null, codec);
    assert.equal(event.track.kind, 'video');
    assert.equal(event.streams.length, 1);
    assert.equal(event.streams[0].id, stream.id); // the sender's stream id, as browsers have it
    assert.deepEqual(event.streams[0].getTracks(), [event.track]);
    const sink = new nonstandard.RTCVideoSink(event.track);
    const frames = await withTimeout(new Promise((resolve) => {
      const got = [];
      sink.onframe = ({ frame }) => {
        got.push(frame);
        if (got.length === 30) resolve(got);
      };
    }), 15000, '30 frames');
    sink.stop();
    const numbers = frames.map((f) => {
      assert.equal(f.width, 320);
      assert.equal(f.height, 240);
      return nonstandard.readFrameNumber(f);
    });
    assert.deepEqual([...numbers].sort((x, y) => x - y), numbers);
    assert.equal(new Set(numbers).size, 30);
    assert.ok(numbers.at(-1) - numbers[0] <= 40);
    camera.stop();
    a.close();
    b.close();
  });
}

test('frames from an RTCVideoSource arrive', async () => {
  const source = new nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const [width, height] = [320, 240];
  const data = new Uint8Array(width * height * 3 / 2);
  data.fill(220, 0, width * height);
  data.fill(128, width * height);
  const { a, b, event } = await call(track, [], () => source.onFrame({ width, height, data }));
  const sink = new nonstandard.RTCVideoSink(event.track);
  const arrived = new Promise((resolve) => (sink.onframe = ({ frame }) => resolve(frame)));
  const timer = setInterval(() => source.onFrame({ width, height, data }), 20);
  const frame = await withTimeout(arrived, 10000, 'a frame');
  clearInterval(timer);
  sink.stop();
  assert.equal(frame.width, width);
  assert.ok(Math.abs(frame.data[width * 120 + 160] - 220) < 10);
  source.close();
  a.close();
  b.close();
});

/** First channel of half a second of what an RTCAudioSink hears, after 100 ms settling. */
function receivedAudio(track) {
  const sink = new nonstandard.RTCAudioSink(track);
  return withTimeout(new Promise((resolve) => {
    const kept = [];
    let skipped = 0;
    sink.ondata = ({ samples, sampleRate, channelCount, numberOfFrames, bitsPerSample }) => {
      assert.equal(bitsPerSample, 16);
      if (skipped < sampleRate / 10) {
        skipped += numberOfFrames;
        return;
      }
      for (let i = 0; i < numberOfFrames; i++) kept.push(samples[i * channelCount]);
      if (kept.length >= sampleRate / 2) {
        sink.stop();
        resolve({ samples: kept, sampleRate });
      }
    };
  }), 10000, 'half a second of audio');
}

for (const [codec, rate] of [[null, 48000], ['PCMU', 8000], ['PCMA', 8000]]) {
  test(`fake microphone arrives as a 440 Hz tone (${codec ?? 'Opus, the default'})`, async () => {
    const stream = await fakeMedia({ audio: true });
    const [microphone] = stream.getAudioTracks();
    const { a, b, event } = await call(microphone, [stream], null, codec);
    assert.equal(event.track.kind, 'audio');
    const { samples, sampleRate } = await receivedAudio(event.track);
    assert.equal(sampleRate, rate);
    assert.ok(Math.max(...samples.map(Math.abs)) > 1000);
    assert.equal(dominantFrequency(samples, sampleRate), 440);
    microphone.stop();
    a.close();
    b.close();
  });
}

test('RTCAudioSource stereo at 16 kHz arrives at its pitch', async () => {
  const source = new nonstandard.RTCAudioSource();
  let count = 0;
  const feed = () => {
    // 10 ms of a 660 Hz tone, continuous across calls.
    const samples = new Int16Array(160 * 2);
    for (let i = 0; i < 160; i++) {
      const v = Math.round(Math.sin(2 * Math.PI * 660 * ((count * 160 + i) / 16000)) * 8000);
      samples[2 * i] = v;
      samples[2 * i + 1] = v;
    }
    count++;
    source.onData({ samples, sampleRate: 16000, bitsPerSample: 16, channelCount: 2, numberOfFrames: 160 });
  };
  const { a, b, event } = await call(source.createTrack(), [], feed);
  const timer = setInterval(feed, 10);
  try {
    const { samples, sampleRate } = await receivedAudio(event.track);
    assert.ok(Math.abs(dominantFrequency(samples, sampleRate) - 660) <= 5);
  } finally {
    clearInterval(timer);
  }
  assert.throws(() => a.addTrack({}), TypeError);
  source.close();
  a.close();
  b.close();
});

test('replaceTrack mid-call, then removeTrack mutes the remote track', async () => {
  const stream = await fakeMedia({ video: { width: 320, height: 240 }, audio: true });
  const [camera] = stream.getVideoTracks();
  const [microphone] = stream.getAudioTracks();
  const { a, b, event } = await call(camera, [stream]);
  const [sender] = a.getSenders();
  const sink = new nonstandard.RTCVideoSink(event.track);
  const widths = [];
  sink.onframe = ({ frame }) => widths.push(frame.width);
  await waitUntil(() => widths.includes(320), undefined, 'the camera');

  // replaceTrack: an RTCVideoSource at 160x120 takes over, with no renegotiation.
  const source = new nonstandard.RTCVideoSource();
  const pushed = source.createTrack();
  await sender.replaceTrack(pushed);
  assert.equal(sender.track, pushed);
  await assert.rejects(sender.replaceTrack(microphone), TypeError);
  const data = new Uint8Array(160 * 120 * 3 / 2);
  const timer = setInterval(() => source.onFrame({ width: 160, height: 120, data }), 20);
  try {
    await waitUntil(() => widths.includes(160), undefined, "the replacement's frames");
  } finally {
    clearInterval(timer);
  }

  // removeTrack: the sender stays, trackless; after renegotiation the remote track is muted
  // (W3C), not ended.
  const muted = nextEvent(event.track, 'mute');
  a.removeTrack(sender);
  assert.equal(sender.track, null);
  assert.deepEqual(a.getSenders(), [sender]);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  await muted;
  assert.equal(event.track.muted, true);
  assert.equal(event.track.readyState, 'live');
  sink.stop();

  const other = new rtckit.RTCPeerConnection(LOOPBACK);
  assert.throws(() => other.removeTrack(sender), { name: 'InvalidAccessError' });
  assert.throws(() => other.removeTrack({}), TypeError);
  other.close();
  a.close();
  assert.throws(() => a.removeTrack(sender), { name: 'InvalidStateError' });
  for (const track of [camera, microphone, pushed]) track.stop();
  source.close();
  b.close();
});

test('transceivers, codec preferences and directions', async () => {
  const video = rtckit.RTCRtpSender.getCapabilities('video').codecs;
  assert.deepEqual(video.map((c) => c.mimeType), ['video/VP8', 'video/rtx', 'video/VP9', 'video/H264', 'video/H264']);
  const audio = rtckit.RTCRtpReceiver.getCapabilities('audio').codecs;
  assert.ok(audio.some((c) => c.mimeType === 'audio/opus' && c.clockRate === 48000 && c.channels === 2));
  const stream = await fakeMedia({ video: { width: 320, height: 240 } });
  const [camera] = stream.getVideoTracks();
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const sending = a.addTransceiver(camera, { direction: 'sendonly', streams: [stream] });
  const receiving = a.addTransceiver('audio', { direction: 'recvonly' });
  assert.deepEqual(a.getTransceivers(), [sending, receiving]);
  assert.equal(sending.sender, a.getSenders()[0]);
  assert.equal(sending.sender.track, camera);
  assert.equal(receiving.sender.track, null);
  assert.deepEqual([sending.direction, sending.currentDirection, receiving.direction], ['sendonly', null, 'recvonly']);
  assert.throws(() => { sending.direction = 'sideways'; }, TypeError);
  assert.throws(() => a.addTransceiver('text'), TypeError);
  // H.264 (and its RTX) only; audio codecs on a video transceiver are refused.
  sending.setCodecPreferences(video.filter((c) => !['video/VP8', 'video/VP9'].includes(c.mimeType)));
  assert.throws(() => sending.setCodecPreferences(audio), { name: 'InvalidModificationError' });

  const arrived = nextEvent(b, 'track');
  await connect(a, b);
  assert.ok(!a.localDescription.sdp.includes('VP8') && b.localDescription.sdp.includes('H264/90000'));
  // b has nothing to send on the audio it was asked for: the W3C answer (and Chrome's) is
  // "inactive" there.
  assert.deepEqual([sending.currentDirection, receiving.currentDirection, sending.mid], ['sendonly', 'inactive', '0']);
  const [theirs] = b.getTransceivers();
  assert.deepEqual([theirs.currentDirection, theirs.mid], ['recvonly', '0']);
  const { track } = await arrived;
  const sink = new nonstandard.RTCVideoSink(track);
  const frame = await withTimeout(new Promise((resolve) => { sink.onframe = ({ frame: f }) => resolve(f); }), 10000, 'a frame');
  sink.stop();
  assert.deepEqual([frame.width, frame.height], [320, 240]);

  // getParameters/setParameters: the negotiated codec, and a bitrate cap.
  const parameters = sending.sender.getParameters();
  assert.equal(parameters.codecs[0].mimeType, 'video/H264');
  assert.equal(parameters.encodings[0].maxBitrate, undefined);
  parameters.encodings[0].maxBitrate = 150000;
  await sending.sender.setParameters(parameters);
  assert.equal(sending.sender.getParameters().encodings[0].maxBitrate, 150000);
  await assert.rejects(sending.sender.setParameters({ ...parameters, encodings: [] }), { name: 'InvalidModificationError' });
  await assert.rejects(sending.sender.setParameters({ ...parameters, encodings: [{ maxBitrate: 0 }] }), RangeError);

  // stop(): 'stopped' at once; after renegotiation the other side's track ends.
  const ended = nextEvent(track, 'ended');
  sending.stop();
  assert.deepEqual([sending.direction, sending.currentDirection], ['stopped', 'stopped']);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  await ended;
  camera.stop();
  a.close();
  b.close();
});

test('getStats, and the track event carries the transceiver the track came on', async () => {
  const stream = await fakeMedia({ video: { width: 320, height: 240 } });
  const [camera] = stream.getVideoTracks();
  const { a, b, event } = await call(camera, [stream]);
  const [transceiver] = b.getTransceivers();
  assert.ok(event.transceiver instanceof rtckit.RTCRtpTransceiver);
  assert.equal(event.transceiver, transceiver);
  assert.equal(event.receiver, transceiver.receiver);
  assert.equal(transceiver.receiver.track, event.track);
  assert.ok(transceiver.mid !== null);
  assert.deepEqual(b.getReceivers().map((r) => r.track), [event.track]);

  const sink = new nonstandard.RTCVideoSink(event.track);
  let frames = 0;
  sink.onframe = () => frames++;
  await waitUntil(() => frames >= 20, 15000, '20 frames');
  sink.stop();
  // TWCC feedback brings the estimate within a second or two.
  let sent;
  let pair;
  for (let i = 0; i < 100 && !pair; i++) {
    sent = await a.getStats();
    pair = [...sent.values()].find((s) => s.type === 'candidate-pair' && 'availableOutgoingBitrate' in s);
    if (!pair) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(sent instanceof rtckit.RTCStatsReport && sent instanceof Map);
  assert.ok(pair.availableOutgoingBitrate > 100000);
  const outbound = [...sent.values()].filter((s) => s.type === 'outbound-rtp');
  assert.equal(outbound.length, 1);
  const [out] = outbound;
  assert.equal(out.kind, 'video');
  assert.ok(out.packetsSent > 0 && out.bytesSent > 0 && out.targetBitrate > 0);
  assert.ok(out.framesEncoded >= 20 && out.keyFramesEncoded >= 1);
  assert.deepEqual([out.frameWidth, out.frameHeight], [320, 240]);
  assert.ok([...sent.values()].some((s) => s.type === 'codec' && s.mimeType === 'video/VP8'));
  sent.forEach((s, id) => assert.equal(s.id, id));

  const received = await b.getStats();
  const [inbound] = [...received.values()].filter((s) => s.type === 'inbound-rtp');
  assert.ok(inbound.framesDecoded >= 20);
  assert.deepEqual([inbound.frameWidth, inbound.frameHeight], [320, 240]);
  // getStats(track): that sender's or receiver's stats and what they refer to.
  const selected = [...(await a.getStats(camera)).values()];
  assert.equal(selected.filter((s) => s.type === 'outbound-rtp').length, 1);
  assert.ok(selected.some((s) => s.type === 'codec') && selected.length < sent.size);
  assert.equal([...(await b.getStats(event.track)).values()].filter((s) => s.type === 'inbound-rtp').length, 1);
  await assert.rejects(a.getStats(event.track), { name: 'InvalidAccessError' });
  await assert.rejects(a.getStats('camera'), TypeError);
  camera.stop();
  a.close();
  b.close();
  await assert.rejects(a.getStats(), { name: 'InvalidStateError' });
});
