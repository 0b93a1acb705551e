'use strict';
const native = require('./native');
const { call, callAsync } = require('./errors');
const { RTCStatsReport } = require('./stats');
const { defineEventAttributes, pump } = require('./events');
const { RTCDataChannel } = require('./data_channel');
const { RTCIceCandidate, toInit: candidateInit } = require('./ice_candidate');
const { RTCSessionDescription, toInit: descriptionInit } = require('./session_description');
const { MediaStream, MediaStreamTrack, NATIVE } = require('./track');
const { RTCRtpSender, RTCRtpReceiver, SENDER, REMOVED } = require('./rtp_sender');
const { RTCRtpTransceiver } = require('./rtp_transceiver');

const EVENTS = [
  'icecandidate',
  'icegatheringstatechange',
  'iceconnectionstatechange',
  'connectionstatechange',
  'signalingstatechange',
  'negotiationneeded',
  'datachannel',
  'track',
];

class RTCPeerConnectionIceEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.candidate = init.candidate ?? null;
    this.url = init.url ?? null;
  }
}

class RTCTrackEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.track = init.track;
    this.streams = init.streams ?? [];
    this.receiver = init.receiver ?? null;
    this.transceiver = init.transceiver ?? null;
  }
}

class RTCDataChannelEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.channel = init.channel;
  }
}

function configurationInit(configuration = {}) {
  if (configuration === null || typeof configuration !== 'object') {
    throw new TypeError('the RTCPeerConnection configuration must be an object');
  }
  const iceServers = (configuration.iceServers || []).map((server) => {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (!Array.isArray(urls)) throw new TypeError('an iceServers entry needs urls: a string or an array of strings');
    return {
      urls: urls.map(String),
      username: server.username ?? undefined,
      credential: server.credential ?? undefined,
    };
  });
  let bindAddresses = configuration.bindAddresses;
  if (typeof bindAddresses === 'string') bindAddresses = [bindAddresses];
  return {
    iceServers,
    iceTransportPolicy: configuration.iceTransportPolicy ?? 'all',
    bindAddresses: bindAddresses ? bindAddresses.map(String) : undefined,
  };
}

function description(init) {
  return init ? new RTCSessionDescription(init) : null;
}

class RTCPeerConnection extends EventTarget {
  #native;
  #senders = [];
  #transceivers = new Map();
  /** Received tracks by id: one JS object per track, for receiver.track. */
  #remoteTracks = new Map();
  #remoteStreams = new Map();

  constructor(configuration = {}) {
    super();
    const config = configurationInit(configuration ?? {});
    this.#native = call(() => new native.NativePeerConnection(config));
    pump(() => this.#native.nextEvents(), (e) => this.#dispatch(e));
  }

  #dispatch(e) {
    switch (e.name) {
      case 'icecandidate': {
        const candidate = e.candidate ? new RTCIceCandidate(e.candidate) : null;
        this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate }));
        break;
      }
      case 'track': {
        const announced = this.#native.takeTrack(e.track);
        if (!announced) return;
        const track = MediaStreamTrack._wrap(announced.takeTrack());
        // Core keeps one stream per remote stream id; here, one JS object per stream.
        const streams = announced.takeStreams().map((nativeStream) => {
          let stream = this.#remoteStreams.get(nativeStream.id);
          if (!stream) this.#remoteStreams.set(nativeStream.id, (stream = MediaStream._wrap(nativeStream)));
          stream.addTrack(track);
          return stream;
        });
        this.#remoteTracks.set(track.id, track);
        const nativeTransceiver = this.#native.transceiverOfTrack(track[NATIVE]);
        // Its receiver.track is this track from now on. Without an m-section to match (a
        // remote that names no track id), the event gets a receiver of its own.
        const transceiver = nativeTransceiver ? this.#transceiver(nativeTransceiver) : null;
        const receiver = transceiver ? transceiver.receiver : new RTCRtpReceiver(track);
        this.dispatchEvent(new RTCTrackEvent('track', { track, streams, receiver, transceiver }));
        break;
      }
      case 'datachannel': {
        const nativeChannel = this.#native.takeDataChannel(e.channel);
        if (!nativeChannel) return;
        const channel = RTCDataChannel._wrap(nativeChannel);
        this.dispatchEvent(new RTCDataChannelEvent('datachannel', { channel }));
        channel._start();
        break;
      }
      default:
        this.dispatchEvent(new Event(e.name));
    }
  }

  get signalingState() { return this.#native.states().signalingState; }
  get iceGatheringState() { return this.#native.states().iceGatheringState; }
  get iceConnectionState() { return this.#native.states().iceConnectionState; }
  get connectionState() { return this.#native.states().connectionState; }
  /** The local description with every candidate gathered so far. */
  get localDescription() { return description(this.#native.localDescription()); }
  get remoteDescription() { return description(this.#native.remoteDescription()); }
  get currentLocalDescription() { return this.localDescription; }
  get currentRemoteDescription() { return this.remoteDescription; }
  get canTrickleIceCandidates() { return this.remoteDescription ? true : null; }

  getConfiguration() {
    const c = this.#native.getConfiguration();
    const out = {
      iceServers: c.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
      iceTransportPolicy: c.iceTransportPolicy,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
    if (c.bindAddresses) out.bindAddresses = c.bindAddresses;
    return out;
  }

  setConfiguration(configuration = {}) {
    const config = configurationInit(configuration ?? {});
    call(() => this.#native.setConfiguration(config));
  }

  /**
   * W3C stats, as a browser's RTCStatsReport (a Map of id to stats object); with a track,
   * only what its sender or receiver refers to (InvalidAccessError if neither).
   */
  async getStats(selector = null) {
    if (selector !== null && !(selector instanceof MediaStreamTrack)) throw new TypeError('getStats takes a MediaStreamTrack or null');
    return RTCStatsReport._fromJson(await callAsync(() => this.#native.getStats(selector?.id ?? null)));
  }

  async createOffer() {
    return new RTCSessionDescription(await callAsync(() => this.#native.createOffer()));
  }

  async createAnswer() {
    return new RTCSessionDescription(await callAsync(() => this.#native.createAnswer()));
  }

  async setLocalDescription(desc) {
    const init = desc == null ? undefined : descriptionInit(desc);
    await callAsync(() => this.#native.setLocalDescription(init));
  }

  async setRemoteDescription(desc) {
    const init = descriptionInit(desc);
    await callAsync(() => this.#native.setRemoteDescription(init));
  }

  async addIceCandidate(candidate) {
    const init = candidateInit(candidate);
    await callAsync(() => this.#native.addIceCandidate(init ?? undefined));
  }

  /** Sends the track with the negotiated codec (VP8/H.264, Opus/G.711); renegotiate afterwards. */
  addTrack(track, ...streams) {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('addTrack takes a MediaStreamTrack');
    const nativeSender = call(() => this.#native.addTrack(track[NATIVE], streams.map((s) => s.id)));
    const sender = new RTCRtpSender(nativeSender, track);
    this.#senders.push(sender);
    return sender;
  }

  /** Stops sending the sender's track; renegotiate, and the other side's track ends. */
  removeTrack(sender) {
    if (!(sender instanceof RTCRtpSender)) throw new TypeError('removeTrack takes an RTCRtpSender');
    call(() => this.#native.removeTrack(sender[SENDER]));
    sender[REMOVED]();
  }

  getSenders() {
    return [...this.#senders];
  }

  /** A transceiver sending a track (with that direction), or of a kind to receive on. */
  addTransceiver(trackOrKind, init = {}) {
    const direction = init?.direction ?? 'sendrecv';
    let nativeTransceiver;
    if (trackOrKind instanceof MediaStreamTrack) {
      const streams = (init?.streams ?? []).map((s) => s.id);
      nativeTransceiver = call(() => this.#native.addTransceiver(null, trackOrKind[NATIVE], direction, streams));
      this.#senders.push(new RTCRtpSender(nativeTransceiver.sender(), trackOrKind));
    } else if (typeof trackOrKind === 'string') {
      nativeTransceiver = call(() => this.#native.addTransceiver(trackOrKind, null, direction, []));
    } else {
      throw new TypeError("addTransceiver takes a MediaStreamTrack or a kind ('audio' or 'video')");
    }
    return this.#transceiver(nativeTransceiver);
  }

  /** Every transceiver's receiver; its track is set once media arrived on it. */
  getReceivers() {
    return this.getTransceivers().map((t) => t.receiver);
  }

  getTransceivers() {
    return call(() => this.#native.getTransceivers()).map((t) => this.#transceiver(t));
  }

  /** One object per transceiver, with the RTCRtpSender addTrack returned. */
  #transceiver(nativeTransceiver) {
    const key = nativeTransceiver.key;
    if (!this.#transceivers.has(key)) {
      const nativeSender = nativeTransceiver.sender();
      const sender = nativeSender ? this.#senders.find((s) => s[SENDER].same(nativeSender)) ?? null : null;
      this.#transceivers.set(key, new RTCRtpTransceiver(nativeTransceiver, sender));
    }
    const transceiver = this.#transceivers.get(key);
    const trackId = nativeTransceiver.receiverTrackId;
    if (transceiver.receiver.track === null && trackId != null) {
      transceiver.receiver.track = this.#remoteTracks.get(trackId) ?? null;
    }
    return transceiver;
  }

  createDataChannel(label, options = {}) {
    if (arguments.length === 0) throw new TypeError('createDataChannel needs a label');
    const o = options ?? {};
    const nativeChannel = call(() =>
      this.#native.createDataChannel(String(label), {
        ordered: o.ordered ?? undefined,
        maxPacketLifeTime: o.maxPacketLifeTime ?? undefined,
        maxRetransmits: o.maxRetransmits ?? undefined,
        protocol: o.protocol ?? undefined,
        negotiated: o.negotiated ?? undefined,
        id: o.id ?? undefined,
      }),
    );
    const channel = RTCDataChannel._wrap(nativeChannel);
    channel._start();
    return channel;
  }

  /** Closes the connection and its channels. Synchronous as in the browser; the sockets are
   * released in the background. */
  close() {
    this.#native.close();
  }
}

defineEventAttributes(RTCPeerConnection.prototype, EVENTS);

module.exports = { RTCPeerConnection, RTCPeerConnectionIceEvent, RTCDataChannelEvent, RTCTrackEvent };
