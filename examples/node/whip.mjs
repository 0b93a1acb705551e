// WHIP (RFC 9725) and WHEP clients: publish to, or play from, a media server with one HTTP
// POST. The offer goes out with every candidate in it (no trickle), the answer comes back in
// the 201 response, and DELETE on the resource it names ends the session.
//
//   import { publish, play } from './whip.mjs';
//   const session = await publish(pc, 'https://server/whip/room', { token });
//   ...
//   await session.stop();          // DELETE, then pc.close()
//
// As a command, with rtckit's fake camera and microphone:
//   node whip.mjs publish http://127.0.0.1:8080/whip [seconds]
//   node whip.mjs play http://127.0.0.1:8080/whep [seconds]
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const rtckit = require('../..'); // require('rtckit') once installed from npm

/** Sends `pc`'s tracks (each transceiver with a track is made sendonly) to a WHIP endpoint. */
export async function publish(pc, url, options = {}) {
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.sender.track) transceiver.direction = 'sendonly';
  }
  return exchange(pc, url, options);
}

/** Receives a WHEP endpoint's media on `pc` (a recvonly audio and video unless it has some). */
export async function play(pc, url, options = {}) {
  if (pc.getTransceivers().length === 0) {
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
  }
  return exchange(pc, url, options);
}

async function exchange(pc, url, { token } = {}) {
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', accept: 'application/sdp', ...auth },
    body: pc.localDescription.sdp,
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`${url} answered ${response.status} ${response.statusText}: ${body.trim()}`);
  const location = response.headers.get('location');
  if (!location) throw new Error(`${url} answered 201 without a Location`);
  const resource = new URL(location, url).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  return {
    resource,
    /** Ends the session on the server (DELETE), then closes the connection. */
    async stop() {
      try {
        const done = await fetch(resource, { method: 'DELETE', headers: auth });
        if (!done.ok) throw new Error(`DELETE ${resource} answered ${done.status} ${done.statusText}`);
      } finally {
        pc.close();
      }
    },
  };
}

function gathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const check = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

async function main([command, url, seconds = '5']) {
  if (!['publish', 'play'].includes(command) || !url) {
    console.error('usage: node whip.mjs publish|play URL [seconds]');
    process.exit(2);
  }
  const pc = new rtckit.RTCPeerConnection(); // RTCKIT_BIND_ADDRESSES=127.0.0.1 keeps it on loopback
  const log = (...args) => console.log(`[whip ${command}]`, ...args);
  pc.onconnectionstatechange = () => log('connection', pc.connectionState);
  let stream;
  let frames = 0;
  let size = '';
  if (command === 'publish') {
    rtckit.mediaDevices.useFakeDevices(true);
    stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
  } else {
    pc.ontrack = ({ track }) => {
      if (track.kind !== 'video') return;
      new rtckit.nonstandard.RTCVideoSink(track).onframe = ({ frame }) => {
        frames += 1;
        size = `${frame.width}x${frame.height}`;
      };
    };
  }
  const session = await (command === 'publish' ? publish : play)(pc, url);
  log(`session ${session.resource}`);
  await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
  if (command === 'play') log(`video: ${frames} frames of ${size} decoded`);
  await session.stop();
  for (const track of stream?.getTracks() ?? []) track.stop();
  log('stopped');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
