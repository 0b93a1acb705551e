// Renegotiation on a live connection: tracks and data channels added and removed both ways,
// negotiationneeded once per batch, and W3C's perfect negotiation surviving glare (implicit
// rollback, setLocalDescription() with no argument), written as the spec's example is.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rtckit, LOOPBACK, connect, fakeMedia, nextEvent, waitUntil, withTimeout, renegotiate } from './helpers.mjs';

const { nonstandard } = rtckit;

/** An in-memory signaling channel; while held, messages wait (glare for sure). */
class Signaling {
  constructor() {
    this.held = false;
    this.waiting = [];
  }

  send(to, message) {
    if (this.held) this.waiting.push([to, message]);
    else to.deliver(message);
  }

  release() {
    this.held = false;
    for (const [to, message] of this.waiting.splice(0)) to.deliver(message);
  }
}

/** The W3C spec's perfect-negotiation example (section 10.7), line for line. */
class Negotiator {
  constructor(pc, polite, signaling) {
    Object.assign(this, { pc, polite, signaling, other: null });
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.offersSent = 0;
    this.offersIgnored = 0;
    this.errors = [];
    this.states = [];
    this.chain = Promise.resolve(); // messages are handled one at a time, in order
    this.inFlight = 0;
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.offersSent += 1;
        this.send({ description: pc.localDescription });
      } catch (err) {
        this.errors.push(err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => this.send({ candidate });
    pc.onsignalingstatechange = () => this.states.push(pc.signalingState);
  }

  send(message) {
    this.signaling.send(this.other, message);
  }

  deliver(message) {
    this.inFlight += 1;
    this.chain = this.chain
      .then(() => this.onMessage(message))
      .catch((err) => this.errors.push(err))
      .finally(() => { this.inFlight -= 1; });
  }

  async onMessage({ description, candidate }) {
    const { pc } = this;
    if (description) {
      const offerCollision = description.type === 'offer'
        && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) {
        this.offersIgnored += 1;
        return;
      }
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.send({ description: pc.localDescription });
      }
    } else if (candidate !== undefined) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (err) {
        if (!this.ignoreOffer) throw err;
      }
    }
  }
}

function pair() {
  const signaling = new Signaling();
  const polite = new Negotiator(new rtckit.RTCPeerConnection(LOOPBACK), true, signaling);
  const impolite = new Negotiator(new rtckit.RTCPeerConnection(LOOPBACK), false, signaling);
  polite.other = impolite;
  impolite.other = polite;
  return { polite, impolite, signaling };
}

const describe = (n) => `${n.pc.signalingState} sent ${n.offersSent} ignored ${n.offersIgnored} `
  + `mids ${JSON.stringify(n.pc.getTransceivers().map((t) => t.mid))} states ${n.states.join(',')}`;

/** Holds signaling until both peers have offered, then waits until both are stable with
 * every transceiver negotiated. */
async function glare({ polite, impolite, signaling }, what) {
  const sent = [polite.offersSent, impolite.offersSent];
  await waitUntil(() => polite.offersSent > sent[0] && impolite.offersSent > sent[1],
    undefined, `both peers to offer (${what})`);
  signaling.release();
  try {
    await waitUntil(() => polite.errors.length || impolite.errors.length || (
      polite.pc.signalingState === 'stable' && impolite.pc.signalingState === 'stable'
      && !polite.makingOffer && !impolite.makingOffer && !polite.inFlight && !impolite.inFlight
      && [polite, impolite].every((n) => n.pc.getTransceivers().every((t) => t.mid !== null))
    ), undefined, `both peers stable (${what})`);
  } catch (err) {
    throw new Error(`${err.message}: polite ${describe(polite)}; impolite ${describe(impolite)}`);
  }
  assert.deepEqual(polite.errors, []);
  assert.deepEqual(impolite.errors, []);
}

/** Resolves after `count` frames (video) or sample batches (audio) of a remote track. */
function framesOf(track, count = 3) {
  const sink = track.kind === 'video' ? new nonstandard.RTCVideoSink(track) : new nonstandard.RTCAudioSink(track);
  let seen = 0;
  const done = new Promise((resolve) => {
    const on = () => { seen += 1; if (seen === count) resolve(); };
    if (track.kind === 'video') sink.onframe = on;
    else sink.ondata = on;
  });
  return withTimeout(done, undefined, `${count} ${track.kind} frames`).finally(() => sink.stop());
}

test('perfect negotiation survives glare at the start and on a live connection', async () => {
  const { polite, impolite, signaling } = pair();
  const got = { polite: [], impolite: [] };
  polite.pc.ontrack = ({ track }) => got.polite.push(track);
  impolite.pc.ontrack = ({ track }) => got.impolite.push(track);
  const remoteChannel = nextEvent(impolite.pc, 'datachannel');
  const media = await fakeMedia({ audio: true, video: { width: 160, height: 120 } });
  const more = await fakeMedia({ audio: true, video: { width: 160, height: 120 } });

  // Glare at the start: both add media before either has heard of the other.
  signaling.held = true;
  polite.pc.addTrack(media.getVideoTracks()[0], media);
  const channel = polite.pc.createDataChannel('chat');
  impolite.pc.addTrack(more.getAudioTracks()[0], more);
  await glare({ polite, impolite, signaling }, 'start');
  // The polite peer rolled its offer back to take the other's, answered, then offered again:
  // each state in turn, as a handler reads it.
  assert.deepEqual(polite.states.slice(0, 6),
    ['have-local-offer', 'stable', 'have-remote-offer', 'stable', 'have-local-offer', 'stable']);
  assert.ok(impolite.offersIgnored >= 1);
  await waitUntil(() => polite.pc.connectionState === 'connected' && impolite.pc.connectionState === 'connected');
  await waitUntil(() => got.polite.length === 1 && got.impolite.length === 1, undefined, 'both tracks');
  assert.deepEqual([got.polite[0].kind, got.impolite[0].kind], ['audio', 'video']);
  await framesOf(got.impolite[0]);
  await framesOf(got.polite[0]);
  if (channel.readyState !== 'open') await nextEvent(channel, 'open');

  // Glare on the live connection: each adds the kind the other sent.
  signaling.held = true;
  polite.pc.addTrack(media.getAudioTracks()[0], media);
  impolite.pc.addTrack(more.getVideoTracks()[0], more);
  const before = polite.states.length;
  await glare({ polite, impolite, signaling }, 'live');
  assert.ok(polite.states.slice(before).includes('have-remote-offer'));
  await waitUntil(() => got.polite.length === 2 && got.impolite.length === 2, undefined, 'the new tracks');
  assert.deepEqual([got.polite[1].kind, got.impolite[1].kind], ['video', 'audio']);
  await framesOf(got.polite[1]);
  await framesOf(got.impolite[1]);
  // The first tracks still flow, and the channel survived both negotiations.
  await framesOf(got.impolite[0]);
  const { channel: remote } = await remoteChannel;
  const arrived = nextEvent(remote, 'message');
  channel.send('still here');
  assert.equal((await arrived).data, 'still here');
  for (const t of [...media.getTracks(), ...more.getTracks()]) t.stop();
  polite.pc.close();
  impolite.pc.close();
});

test('a first data channel on a media-only connection opens after renegotiation', async () => {
  const media = await fakeMedia({ video: { width: 160, height: 120 } });
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.addTrack(media.getVideoTracks()[0], media);
  await connect(a, b);
  await waitUntil(() => a.connectionState === 'connected' && b.connectionState === 'connected');
  const needed = nextEvent(a, 'negotiationneeded');
  const channel = a.createDataChannel('late');
  await needed;
  const remote = nextEvent(b, 'datachannel');
  await renegotiate(a, b);
  if (channel.readyState !== 'open') await nextEvent(channel, 'open');
  const { channel: other } = await remote;
  const arrived = nextEvent(other, 'message');
  channel.send('hello');
  assert.equal((await arrived).data, 'hello');
  for (const t of media.getTracks()) t.stop();
  a.close();
  b.close();
});

test('tracks and channels added and removed both ways, one negotiationneeded per batch', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const first = a.createDataChannel('first');
  await connect(a, b);
  if (first.readyState !== 'open') await nextEvent(first, 'open');
  const needed = { a: 0, b: 0 };
  a.onnegotiationneeded = () => { needed.a += 1; };
  b.onnegotiationneeded = () => { needed.b += 1; };
  const gotA = [];
  const gotB = [];
  const channelsB = [];
  a.ontrack = ({ track }) => gotA.push(track);
  b.ontrack = ({ track }) => gotB.push(track);
  // "first" may still be announced to b after it opened at a.
  b.ondatachannel = ({ channel }) => { if (channel.label === 'second') channelsB.push(channel); };
  const media = await fakeMedia({ audio: true, video: { width: 160, height: 120 } });
  const more = await fakeMedia({ audio: true, video: { width: 160, height: 120 } });

  // a adds two tracks and a channel in one batch: one event.
  const senders = media.getTracks().map((t) => a.addTrack(t, media));
  const second = a.createDataChannel('second');
  await waitUntil(() => needed.a === 1, undefined, "a's negotiationneeded");
  await renegotiate(a, b);
  if (second.readyState !== 'open') await nextEvent(second, 'open');
  await waitUntil(() => gotB.length === 2 && channelsB.length === 1, undefined, "b's tracks and channel");
  for (const track of gotB) await framesOf(track);

  // b sends both kinds back in one batch.
  for (const t of more.getTracks()) b.addTrack(t, more);
  await waitUntil(() => needed.b === 1, undefined, "b's negotiationneeded");
  await renegotiate(b, a);
  await waitUntil(() => gotA.length === 2, undefined, "a's tracks");
  for (const track of gotA) await framesOf(track);

  // a removes both tracks and closes its second channel: one event; b's tracks mute, the
  // channel closes there, and b's own tracks still reach a.
  const muted = gotB.map((t) => nextEvent(t, 'mute'));
  const closed = nextEvent(channelsB[0], 'close');
  for (const sender of senders) a.removeTrack(sender);
  second.close();
  await waitUntil(() => needed.a === 2, undefined, "a's second negotiationneeded");
  await renegotiate(a, b);
  await Promise.all([...muted, closed]);
  assert.ok(gotB.every((t) => t.muted && t.readyState === 'live'));
  assert.deepEqual(a.getTransceivers().map((t) => t.currentDirection), ['recvonly', 'recvonly']);
  for (const track of gotA) await framesOf(track);
  assert.equal(first.readyState, 'open');

  // Nothing more was asked for: each batch fired once.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(needed, { a: 2, b: 1 });
  for (const t of [...media.getTracks(), ...more.getTracks()]) t.stop();
  a.close();
  b.close();
});
