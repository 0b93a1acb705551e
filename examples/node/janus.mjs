// Publish to and subscribe from a Janus VideoRoom (an SFU) over Janus's HTTP API: how an
// rtckit app grows past peer-to-peer, one upload fanned out to many viewers by the server.
//
//   const session = await JanusSession.create('http://janus:8088/janus');
//   const feed = await publish(session, pc, { room: 1234 });   // pc has its tracks added
//   ...                                                         // elsewhere, one pc per viewer:
//   await subscribe(session, viewerPc, { room: 1234, feed });
//   await session.destroy();
//
// Each PeerConnection has a plugin handle of its own. Janus answers requests that carry SDP
// with an "ack" and sends the result later, as an event on the session's long poll (GET
// /janus/<session>), which also keeps the session alive. Descriptions go across with every
// candidate in them (no trickle).
//
// As a command: node janus.mjs publish|subscribe URL [room] [feed] [seconds]
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const rtckit = require('../..'); // require('rtckit') once installed from npm

let transactions = 0;

async function http(method, url, body, signal) {
  const response = await fetch(url, {
    method,
    signal,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${url} answered ${response.status}: ${text.trim()}`);
  return JSON.parse(text);
}

export class JanusSession {
  #waiting = new Map();
  #polling = new AbortController();

  constructor(url, id) {
    this.url = url.replace(/\/$/, '');
    this.id = id;
    /** Per handle, what Janus sent it unasked. */
    this.events = new Map();
    this.#longPoll();
  }

  static async create(url) {
    const reply = await http('POST', url, { janus: 'create', transaction: String(++transactions) });
    return new JanusSession(url, reply.data.id);
  }

  async attach(plugin = 'janus.plugin.videoroom') {
    const reply = await this.send(null, { janus: 'attach', plugin });
    this.events.set(reply.data.id, []);
    return reply.data.id;
  }

  /** A request; for an asynchronous one (acked), the event that answers it. */
  async send(handle, message) {
    const transaction = String(++transactions);
    let timer;
    const answered = new Promise((resolve, reject) => {
      this.#waiting.set(transaction, resolve);
      timer = setTimeout(() => reject(new Error(`Janus sent no answer to ${JSON.stringify(message.body ?? message)} in 30 s`)), 30000);
    });
    let reply;
    try {
      reply = await http('POST', `${this.url}/${this.id}${handle ? `/${handle}` : ''}`, { ...message, transaction });
      if (reply.janus === 'ack') reply = await answered;
    } finally {
      clearTimeout(timer);
      this.#waiting.delete(transaction);
    }
    if (reply.janus === 'error') throw new Error(`Janus: ${reply.error.reason} (${reply.error.code})`);
    const data = reply.plugindata?.data ?? {};
    if (data.error) throw new Error(`Janus ${data.videoroom ?? 'plugin'}: ${data.error} (${data.error_code})`);
    return reply;
  }

  message(handle, body, jsep) {
    return this.send(handle, { janus: 'message', body, ...(jsep ? { jsep } : {}) });
  }

  async #longPoll() {
    while (!this.#polling.signal.aborted) {
      let events;
      try {
        events = await http('GET', `${this.url}/${this.id}?maxev=10`, undefined, this.#polling.signal);
      } catch {
        if (this.#polling.signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, 500)); // Janus restarting, or the session gone
        continue;
      }
      for (const event of Array.isArray(events) ? events : [events]) {
        const waiting = this.#waiting.get(event.transaction);
        if (waiting) waiting(event);
        else this.events.get(event.sender)?.push(event);
      }
    }
  }

  async destroy() {
    this.#polling.abort();
    await http('POST', `${this.url}/${this.id}`, { janus: 'destroy', transaction: String(++transactions) }).catch(() => {});
  }
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

/** Sends `pc`'s tracks to the room; resolves with the feed id subscribers ask for. */
export async function publish(session, pc, { room, display = 'rtckit' }) {
  const handle = await session.attach();
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.sender.track) transceiver.direction = 'sendonly';
  }
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const body = { request: 'joinandconfigure', ptype: 'publisher', room, display };
  const reply = await session.message(handle, body, { type: 'offer', sdp: pc.localDescription.sdp });
  await pc.setRemoteDescription({ type: reply.jsep.type, sdp: reply.jsep.sdp });
  return reply.plugindata.data.id;
}

/** Receives `feed` on `pc`: Janus offers, `pc` answers. */
export async function subscribe(session, pc, { room, feed }) {
  const handle = await session.attach();
  const reply = await session.message(handle, { request: 'join', ptype: 'subscriber', room, streams: [{ feed }] });
  await pc.setRemoteDescription({ type: reply.jsep.type, sdp: reply.jsep.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  await session.message(handle, { request: 'start' }, { type: 'answer', sdp: pc.localDescription.sdp });
}

async function main([command, url, room = '1234', feed, seconds = '10']) {
  if (!['publish', 'subscribe'].includes(command) || !url || (command === 'subscribe' && !feed)) {
    console.error('usage: node janus.mjs publish URL [room] | subscribe URL room feed [seconds]');
    process.exit(2);
  }
  const session = await JanusSession.create(url);
  const pc = new rtckit.RTCPeerConnection();
  pc.onconnectionstatechange = () => console.log('connection', pc.connectionState);
  let stream;
  try {
    if (command === 'publish') {
      rtckit.mediaDevices.useFakeDevices(true);
      stream = await rtckit.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      console.log('published as feed', await publish(session, pc, { room: Number(room) }));
    } else {
      let frames = 0;
      let size = 'nothing';
      pc.ontrack = ({ track }) => {
        if (track.kind !== 'video') return;
        new rtckit.nonstandard.RTCVideoSink(track).onframe = ({ frame }) => {
          frames += 1;
          size = `${frame.width}x${frame.height}`;
        };
      };
      await subscribe(session, pc, { room: Number(room), feed: Number(feed) });
      await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
      console.log(`video: ${frames} frames of ${size} in ${seconds} s`);
    }
    if (command === 'publish') await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
  } finally {
    pc.close();
    for (const track of stream?.getTracks() ?? []) track.stop();
    await session.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
