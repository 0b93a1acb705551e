'use strict';
// A peer written for @roamhq/wrtc, in the style of node-webrtc's own examples: an
// RTCVideoSource fed from an RGBA canvas (Uint8ClampedArray, rgbaToI420), an RTCAudioSource
// fed 10 ms of a sine at a time, RTCVideoSink/RTCAudioSink on what arrives (ontrack), and a
// data channel. wrtc_dropin.test.mjs runs this file as it is against wrtc, and with only
// the require below swapped against rtckit.
//
//   node wrtc_example_peer.js ROLE COLOR HZ
//     ROLE  offer | answer
//     COLOR the r,g,b this peer's video shows
//     HZ    the pitch this peer sends
// Signaling is JSON lines: on stdout {description} and {candidate}, on stdin the other
// side's, {status} for what it has so far, and {bye} to finish. Once it has seen 10 frames,
// heard half a second and got a message, it prints {result: {width, height, rgb, hz,
// message, frames}}.
const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, MediaStream, nonstandard } = require('@roamhq/wrtc');

const { RTCVideoSource, RTCVideoSink, RTCAudioSource, RTCAudioSink, rgbaToI420, i420ToRgba } = nonstandard;
const [role, color, hz] = process.argv.slice(2);
const [red, green, blue] = color.split(',').map(Number);
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const pc = new RTCPeerConnection({ iceServers: [], sdpSemantics: 'unified-plan' });

// Video: a canvas-sized RGBA picture, converted to I420 and sent 30 times a second.
const width = 320;
const height = 240;
const rgba = new Uint8ClampedArray(width * height * 4);
for (let i = 0; i < width * height; i++) rgba.set([red, green, blue, 255], i * 4);
const i420 = new Uint8ClampedArray(width * height * 1.5);
rgbaToI420({ width, height, data: rgba }, { width, height, data: i420 });
const videoSource = new RTCVideoSource();
const videoTrack = videoSource.createTrack();
const videoTimer = setInterval(() => videoSource.onFrame({ width, height, data: i420 }), 33);

// Audio: 10 ms of a sine at a time, at 48 kHz.
const sampleRate = 48000;
const audioSource = new RTCAudioSource();
const audioTrack = audioSource.createTrack();
let sent = 0;
const audioTimer = setInterval(() => {
  const samples = new Int16Array(sampleRate / 100);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.sin((2 * Math.PI * Number(hz) * (sent + i)) / sampleRate) * 8000;
  }
  sent += samples.length;
  audioSource.onData({ samples, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
}, 10);

const stream = new MediaStream();
stream.addTrack(videoTrack);
stream.addTrack(audioTrack);
// The offerer's video on a transceiver of its own; an answerer's tracks must be added with
// addTrack to be sent on the offer's m-sections.
if (role === 'offer') pc.addTransceiver(videoTrack, { direction: 'sendrecv', streams: [stream] });
else pc.addTrack(videoTrack, stream);
pc.addTrack(audioTrack, stream);

// What arrives.
const result = { frames: 0 };
const sinks = [];
let heard = [];
let skipped = 0;
pc.ontrack = ({ track }) => {
  if (track.kind === 'video') {
    const sink = new RTCVideoSink(track);
    sinks.push(sink);
    sink.onframe = ({ frame }) => {
      const picture = { width: frame.width, height: frame.height, data: new Uint8ClampedArray(frame.width * frame.height * 4) };
      i420ToRgba(frame, picture);
      const centre = (frame.width * (frame.height >> 1) + (frame.width >> 1)) * 4;
      result.width = frame.width;
      result.height = frame.height;
      result.rgb = [...picture.data.subarray(centre, centre + 3)];
      result.frames += 1;
      check();
    };
  } else {
    const sink = new RTCAudioSink(track);
    sinks.push(sink);
    sink.ondata = (data) => {
      if (result.hz !== undefined) return;
      // Past the first 200 ms (the decoder settling), half a second, counted in zero crossings.
      if (skipped < data.sampleRate / 5) {
        skipped += data.numberOfFrames;
        return;
      }
      for (let i = 0; i < data.numberOfFrames; i++) heard.push(data.samples[i * data.channelCount]);
      if (heard.length >= data.sampleRate / 2) {
        let crossings = 0;
        for (let i = 1; i < heard.length; i++) if (heard[i - 1] < 0 && heard[i] >= 0) crossings++;
        result.hz = Math.round(crossings / (heard.length / data.sampleRate));
        heard = [];
        check();
      }
    };
  }
};

// The offerer says hello once its channel opens; the answerer replies to what it gets.
function useChannel(channel) {
  if (role === 'offer') channel.onopen = () => channel.send('hello from the offerer');
  channel.onmessage = ({ data }) => {
    result.message = data;
    if (role === 'answer') channel.send('hello from the answerer');
    check();
  };
}

let reported = false;
function check() {
  if (reported || result.frames < 10 || result.hz === undefined || result.message === undefined) return;
  reported = true;
  send({ result });
}

pc.onicecandidate = ({ candidate }) => {
  if (candidate) send({ candidate });
};

const pending = [];
async function onSignal(message) {
  if (message.description) {
    await pc.setRemoteDescription(new RTCSessionDescription(message.description));
    for (const candidate of pending.splice(0)) await pc.addIceCandidate(candidate);
    if (message.description.type === 'offer') {
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      send({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
    }
  } else if (message.candidate) {
    const candidate = new RTCIceCandidate(message.candidate);
    if (pc.remoteDescription) await pc.addIceCandidate(candidate);
    else pending.push(candidate);
  } else if (message.status) {
    send({ status: { ...result, connectionState: pc.connectionState } });
  } else if (message.bye) {
    clearInterval(videoTimer);
    clearInterval(audioTimer);
    sinks.forEach((sink) => sink.stop());
    pc.close();
    process.stdin.destroy();
  }
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (line.trim()) onSignal(JSON.parse(line)).catch((err) => send({ error: `${err.name}: ${err.message}` }));
  }
});

if (role === 'offer') {
  useChannel(pc.createDataChannel('chat'));
  pc.createOffer()
    .then((offer) => pc.setLocalDescription(offer))
    .then(() => send({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } }))
    .catch((err) => send({ error: `${err.name}: ${err.message}` }));
} else {
  pc.ondatachannel = ({ channel }) => useChannel(channel);
}
