// Shared helpers: real rtckit peers on 127.0.0.1, every wait bounded.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { after } from 'node:test';

const require = createRequire(import.meta.url);
const api = require(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));

// An open connection keeps Node alive (as in wrtc and the browser), so a test that fails
// before its close() would leave its file's process running forever: close what is left.
const live = new Set();
after(() => {
  for (const pc of live) pc.close();
});
/** Closes these peers (anyone's, e.g. wrtc's) when the test file ends, whatever happened. */
export function closeAtEnd(...peers) {
  for (const pc of peers) live.add(pc);
}
class RTCPeerConnection extends api.RTCPeerConnection {
  constructor(...args) {
    super(...args);
    live.add(this);
  }

  close() {
    live.delete(this);
    return super.close();
  }
}
/** rtckit's Node API; its peers are closed at the end of the test file. */
export const rtckit = { ...api, RTCPeerConnection };
export const LOOPBACK = { bindAddresses: ['127.0.0.1'] };
export const TIMEOUT = 20000;

export function withTimeout(promise, ms = TIMEOUT, what = 'event') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function nextEvent(target, name, ms = TIMEOUT) {
  return withTimeout(new Promise((resolve) => target.addEventListener(name, resolve, { once: true })), ms, name);
}

export async function waitUntil(predicate, ms = TIMEOUT, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * pc's local description once ICE gathering is complete. Node's setLocalDescription resolves
 * before gathering ends, as a browser's does: a description handed over without trickle must
 * wait for this, or it may carry no candidate and never connect.
 */
export async function gathered(pc) {
  await waitUntil(() => pc.iceGatheringState === 'complete', TIMEOUT, 'ICE gathering');
  return pc.localDescription;
}

/** Signals a <-> b; `codec` forces one (non-trickle then: the whole offer is cut at once). */
export async function connect(a, b, { trickle = true, codec = null } = {}) {
  if (codec) trickle = false;
  if (trickle) {
    const queues = new Map([[a, []], [b, []]]);
    for (const [src, dst] of [[a, b], [b, a]]) {
      src.addEventListener('icecandidate', ({ candidate }) => {
        if (!candidate) return;
        // A candidate still in flight when a test closes dst is the only acceptable failure.
        const add = () => dst.addIceCandidate(candidate).catch((err) => {
          if (dst.connectionState !== 'closed') throw err;
        });
        if (dst.remoteDescription) add();
        else queues.get(dst).push(candidate);
      });
    }
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    for (const c of queues.get(b)) await b.addIceCandidate(c);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    for (const c of queues.get(a)) await a.addIceCandidate(c);
  } else {
    await a.setLocalDescription();
    const { type, sdp } = await gathered(a);
    await b.setRemoteDescription(codec ? { type, sdp: onlyCodec(sdp, codec) } : { type, sdp });
    await b.setLocalDescription();
    await a.setRemoteDescription(await gathered(b));
  }
}

export async function openPair({ trickle = true, ...options } = {}) {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const channel = a.createDataChannel('chat', options);
  const opened = nextEvent(channel, 'open');
  const remote = nextEvent(b, 'datachannel');
  await connect(a, b, { trickle });
  await opened;
  const remoteChannel = (await remote).channel;
  if (remoteChannel.readyState !== 'open') await nextEvent(remoteChannel, 'open');
  return { a, b, channel, remote: remoteChannel };
}

/** Sends messages and resolves with what arrived, in order. */
export async function exchange(sender, receiver, messages) {
  const got = [];
  const done = new Promise((resolve) => {
    const listener = (e) => {
      got.push(e.data);
      if (got.length === messages.length) {
        receiver.removeEventListener('message', listener);
        resolve();
      }
    };
    receiver.addEventListener('message', listener);
  });
  for (const m of messages) sender.send(m);
  await withTimeout(done, TIMEOUT, 'messages');
  return got;
}

export const bytes = (data) => (typeof data === 'string' ? data : Buffer.from(data));

/**
 * Forces a codec: keeps only `codec`'s payload types in the media section that offers it
 * (other sections untouched), so negotiation can pick nothing else.
 */
export function onlyCodec(sdp, codec) {
  const lines = sdp.split('\r\n');
  const keep = new Set(lines.filter((l) => new RegExp(`^a=rtpmap:\\d+ ${codec}/`, 'i').test(l)).map((l) => l.split(/[: ]/)[1]));
  const sections = [];
  for (const line of lines) {
    if (line.startsWith('m=') || sections.length === 0) sections.push([]);
    sections.at(-1).push(line);
  }
  return sections.map((section) => {
    const [first, ...rest] = section;
    if (!first.startsWith('m=') || !first.split(' ').slice(3).some((pt) => keep.has(pt))) return section;
    const parts = first.split(' ');
    return [[...parts.slice(0, 3), ...parts.slice(3).filter((pt) => keep.has(pt))].join(' '), ...rest.filter((l) => {
      const pt = /^a=(rtpmap|fmtp|rtcp-fb):(\d+)/.exec(l);
      return !pt || keep.has(pt[2]);
    })];
  }).flat().join('\r\n');
}

/** The strongest frequency from 100 to 2000 Hz, 5 Hz apart (Goertzel at each). */
export function dominantFrequency(samples, rate) {
  let best = 0;
  let bestPower = -1;
  for (let f = 100; f <= 2000; f += 5) {
    const c = 2 * Math.cos((2 * Math.PI * f) / rate);
    let s1 = 0;
    let s2 = 0;
    for (const x of samples) {
      const s0 = x + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - c * s1 * s2;
    if (power > bestPower) [best, bestPower] = [f, power];
  }
  return best;
}

/** getUserMedia on the fake devices, which are switched off again after. */
export async function fakeMedia(constraints) {
  rtckit.mediaDevices.useFakeDevices(true);
  try {
    return await rtckit.mediaDevices.getUserMedia(constraints);
  } finally {
    rtckit.mediaDevices.useFakeDevices(false);
  }
}

/** Every frame of each track a file plays (nonstandard.MediaPlayer), until its tracks end. */
export async function playAll(path, options) {
  const { MediaPlayer, RTCVideoSink, RTCAudioSink } = rtckit.nonstandard;
  const player = new MediaPlayer(path, options);
  const read = async (track) => {
    if (!track) return [];
    const frames = [];
    const ended = nextEvent(track, 'ended');
    const sink = track.kind === 'video' ? new RTCVideoSink(track) : new RTCAudioSink(track);
    if (track.kind === 'video') sink.onframe = ({ frame }) => frames.push(frame);
    else sink.ondata = (data) => frames.push(data);
    await ended;
    await waitUntil(() => sink.stopped, 5000, 'the sink to drain');
    return frames;
  };
  const [video, audio] = await Promise.all([read(player.video), read(player.audio)]);
  return { player, video, audio };
}

/** a offers again (after addTrack, removeTrack, stop()); candidates are already known. */
export async function renegotiate(a, b) {
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
}
