'use strict';
const native = require('./native');
const { call, callAsync } = require('./errors');
const { RTCStatsReport } = require('./stats');
const { defineEventAttributes, pump, deliver } = require('./events');
const { RTCDataChannel } = require('./data_channel');
const { RTCIceCandidate, toInit: candidateInit } = require('./ice_candidate');
const { RTCSessionDescription, toInit: descriptionInit } = require('./session_description');
const { MediaStream, MediaStreamTrack, NATIVE } = require('./track');
const { RTCRtpSender, SENDER } = require('./rtp_sender');
const { RTCRtpTransceiver } = require('./rtp_transceiver');
const { transportOf } = require('./dtls_transport');
const { isLegacy, legacy } = require('./legacy');

const EVENTS = [
  'icecandidate',
  'icecandidateerror',
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

/** W3C's icecandidateerror event: a STUN or TURN server that could not be used. */
class RTCPeerConnectionIceErrorEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.address = init.address ?? null;
    this.port = init.port ?? null;
    this.url = init.url ?? '';
    this.errorCode = init.errorCode ?? 0;
    this.errorText = init.errorText ?? '';
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

/** wrtc's portRange bound: a number (core checks its range), or left out. */
function port(value, name) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`portRange.${name} must be a number from 0 to 65535`);
  return value;
}

/** The RTCConfiguration dictionary with its W3C (and wrtc) defaults; core checks the values. */
function configurationInit(configuration = {}) {
  if (configuration === null || typeof configuration !== 'object') {
    throw new TypeError('the RTCPeerConnection configuration must be an object');
  }
  const iceServers = (configuration.iceServers || []).map((server) => {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (!Array.isArray(urls)) throw new TypeError('an iceServers entry needs urls: a string or an array of strings');
    return {
      urls: urls.map(String),
      urlsAsString: typeof server.urls === 'string',
      username: server.username ?? undefined,
      credential: server.credential ?? undefined,
    };
  });
  const certificates = configuration.certificates ?? [];
  if (!Array.isArray(certificates)) throw new TypeError('certificates must be an array of RTCCertificate');
  // rtckit makes each connection's DTLS certificate itself and has no RTCCertificate.
  if (certificates.length > 0) throw new TypeError('certificates: rtckit has no RTCCertificate (generateCertificate); leave it out or empty');
  const range = configuration.portRange;
  if (range !== undefined && range !== null && typeof range !== 'object') throw new TypeError('portRange must be an object {min, max}');
  let bindAddresses = configuration.bindAddresses;
  if (typeof bindAddresses === 'string') bindAddresses = [bindAddresses];
  return {
    iceServers,
    iceTransportPolicy: String(configuration.iceTransportPolicy ?? 'all'),
    bundlePolicy: String(configuration.bundlePolicy ?? 'balanced'),
    rtcpMuxPolicy: String(configuration.rtcpMuxPolicy ?? 'require'),
    iceCandidatePoolSize: Number(configuration.iceCandidatePoolSize ?? 0),
    portRange: range ? { min: port(range.min, 'min'), max: port(range.max, 'max') } : undefined,
    sdpSemantics: String(configuration.sdpSemantics ?? 'unified-plan'),
    bindAddresses: bindAddresses ? bindAddresses.map(String) : undefined,
  };
}

function description(init) {
  return init ? new RTCSessionDescription(init) : null;
}

/** Events a browser queues after a signaling method's promise (see #dispatchGathering). */
const HELD = new Set(['icecandidate', 'icegatheringstatechange', 'negotiationneeded']);

class RTCPeerConnection extends EventTarget {
  #native;
  /** One object per transceiver (core keeps what belongs to which). */
  #transceivers = new Map();
  #remoteStreams = new Map();
  /** Its key with the event hub. */
  #events;
  /** As of the last signalingstatechange dispatched (see signalingState). */
  #signalingState = 'stable';
  /** Signaling methods running: some events wait for them (see #dispatchGathering). */
  #describing = 0;
  #held = [];
  #draining = false;
  /** The one bundled RTCDtlsTransport (sender.transport, receiver.transport). */
  #transport;

  constructor(configuration = {}) {
    super();
    const config = configurationInit(configuration ?? {});
    this.#native = call(() => new native.NativePeerConnection(config));
    this.#transport = transportOf(this, this.#native);
    this.#events = pump(this.#native, (e) => this.#dispatch(e));
  }

  /**
   * Browsers fire candidates after setLocalDescription resolved, each in a task of its own:
   * code that forwards them straight to another connection's addIceCandidate has called that
   * connection's setRemoteDescription by then (the operations chain orders the two). And
   * negotiationneeded, queued when the chain empties, comes after the continuation of the
   * last await on it: perfect negotiation's polite peer sends its answer before the next
   * offer replaces it.
   */
  #dispatchGathering(e) {
    if (this.#describing === 0 && this.#held.length === 0) return false;
    this.#held.push(e);
    this.#drain();
    return true;
  }

  #drain() {
    if (this.#describing > 0 || this.#draining || this.#held.length === 0) return;
    this.#draining = true;
    setImmediate(() => {
      this.#draining = false;
      if (this.#describing > 0) return;
      const e = this.#held.shift();
      this.#dispatch(e, true);
      this.#drain();
    });
  }

  #dispatch(e, released = false) {
    if (!released && HELD.has(e.name) && this.#dispatchGathering(e)) return;
    switch (e.name) {
      case 'icecandidate': {
        const candidate = e.candidate ? new RTCIceCandidate(e.candidate) : null;
        this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate }));
        break;
      }
      case 'signalingstatechange':
        this.#signalingState = e.state;
        this.dispatchEvent(new Event(e.name));
        break;
      case 'icecandidateerror':
        this.dispatchEvent(new RTCPeerConnectionIceErrorEvent('icecandidateerror', e.error));
        break;
      case 'track': {
        const announced = this.#native.takeTrack(e.track);
        if (!announced) return;
        const nativeTransceiver = this.#native.transceiverOfTrack(announced.takeTrack());
        if (!nativeTransceiver) return;
        const transceiver = this.#transceiver(nativeTransceiver);
        const { receiver } = transceiver;
        const { track } = receiver;
        // Core keeps one stream per remote stream id; here, one JS object per stream.
        const streams = announced.takeStreams().map((nativeStream) => {
          let stream = this.#remoteStreams.get(nativeStream.id);
          if (!stream) this.#remoteStreams.set(nativeStream.id, (stream = MediaStream._wrap(nativeStream)));
          stream.addTrack(track);
          return stream;
        });
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

  /** The state its last signalingstatechange event announced (each in turn, as in a browser:
   * an implicit rollback passes through "stable"); "closed" once closed. */
  get signalingState() {
    const native = this.#native.states().signalingState;
    return native === 'closed' ? 'closed' : this.#signalingState;
  }
  get iceGatheringState() { return this.#native.states().iceGatheringState; }
  get iceConnectionState() { return this.#native.states().iceConnectionState; }
  get connectionState() { return this.#native.states().connectionState; }
  /** The local description with every candidate gathered so far. */
  get localDescription() { return description(this.#native.localDescription()); }
  get remoteDescription() { return description(this.#native.remoteDescription()); }
  get currentLocalDescription() { return this.localDescription; }
  get currentRemoteDescription() { return this.remoteDescription; }
  get canTrickleIceCandidates() { return this.remoteDescription ? true : null; }

  /** The configuration as set, W3C's dictionary with wrtc's portRange ({} when unset) and
   * sdpSemantics, and rtckit's bindAddresses when given. */
  getConfiguration() {
    const c = this.#native.getConfiguration();
    const server = (s) => {
      const out = { urls: s.urlsAsString ? s.urls[0] : s.urls };
      if (s.username != null) out.username = s.username;
      if (s.credential != null) out.credential = s.credential;
      return out;
    };
    const portRange = {};
    if (c.portRange?.min != null) portRange.min = c.portRange.min;
    if (c.portRange?.max != null) portRange.max = c.portRange.max;
    const out = {
      iceServers: c.iceServers.map(server),
      iceTransportPolicy: c.iceTransportPolicy,
      bundlePolicy: c.bundlePolicy,
      rtcpMuxPolicy: c.rtcpMuxPolicy,
      iceCandidatePoolSize: c.iceCandidatePoolSize,
      certificates: [],
      portRange,
      sdpSemantics: 'unified-plan',
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
    if (isLegacy(arguments, 0)) return legacy(this.getStats(arguments[1] ?? null), selector, arguments[2]);
    if (isLegacy(arguments, 1)) return legacy(this.getStats(selector), arguments[1], arguments[2]);
    if (selector !== null && !(selector instanceof MediaStreamTrack)) throw new TypeError('getStats takes a MediaStreamTrack or null');
    return RTCStatsReport._fromJson(await callAsync(() => this.#native.getStats(selector?.id ?? null)));
  }

  async createOffer(options) {
    if (isLegacy(arguments, 0)) return legacy(this.createOffer(arguments[2]), arguments[0], arguments[1]);
    const iceRestart = Boolean(options?.iceRestart);
    return new RTCSessionDescription(await this.#signaling(() => this.#native.createOffer(iceRestart)));
  }

  /** The next offer restarts ICE with new credentials; negotiationneeded fires when stable. */
  restartIce() {
    call(() => this.#native.restartIce());
  }

  async createAnswer() {
    if (isLegacy(arguments, 0)) return legacy(this.createAnswer(arguments[2]), arguments[0], arguments[1]);
    return new RTCSessionDescription(await this.#signaling(() => this.#native.createAnswer()));
  }

  /** Runs a signaling method, holding the events that must follow it (see #dispatchGathering). */
  async #signaling(method, before = () => {}) {
    this.#describing += 1;
    try {
      const result = await callAsync(method);
      before();
      return result;
    } finally {
      this.#describing -= 1;
      this.#drain();
    }
  }

  async setLocalDescription(desc) {
    if (isLegacy(arguments, 1)) return legacy(this.setLocalDescription(desc), arguments[1], arguments[2]);
    const init = desc == null ? undefined : descriptionInit(desc);
    this.#describing += 1;
    try {
      await callAsync(() => this.#native.setLocalDescription(init));
      // Its signaling state changes are dispatched before it resolves, as in a browser.
      deliver(this.#events);
      // The candidates gathered for a rolled-back offer name its m-sections: never fired.
      if (init?.type === 'rollback') this.#held = this.#held.filter((e) => e.name === 'negotiationneeded');
    } finally {
      this.#describing -= 1;
      this.#drain();
    }
  }

  /** Its track events (and the state changes before them) are dispatched before it
   * resolves, as browsers do: a handler that adds a reply track is in time for createAnswer. */
  async setRemoteDescription(desc) {
    if (isLegacy(arguments, 1)) return legacy(this.setRemoteDescription(desc), arguments[1], arguments[2]);
    const init = descriptionInit(desc);
    await this.#signaling(() => this.#native.setRemoteDescription(init), () => deliver(this.#events));
  }

  async addIceCandidate(candidate) {
    if (isLegacy(arguments, 1)) return legacy(this.addIceCandidate(candidate), arguments[1], arguments[2]);
    const init = candidateInit(candidate);
    await this.#signaling(() => this.#native.addIceCandidate(init ?? undefined));
  }

  /** Sends the track with the negotiated codec (VP8/H.264, Opus/G.711); renegotiate afterwards. */
  addTrack(track, ...streams) {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('addTrack takes a MediaStreamTrack');
    const nativeTransceiver = call(() => this.#native.addTrack(track[NATIVE], streams.map((s) => s.id)));
    return this.#transceiver(nativeTransceiver).sender;
  }

  /** Stops sending the sender's track; renegotiate, and the other side's track is muted. */
  removeTrack(sender) {
    if (!(sender instanceof RTCRtpSender)) throw new TypeError('removeTrack takes an RTCRtpSender');
    call(() => this.#native.removeTrack(sender[SENDER]));
  }

  /** Each transceiver's sender, those that send nothing too. */
  getSenders() {
    return this.getTransceivers().filter((t) => !t.stopped).map((t) => t.sender);
  }

  /** A transceiver sending a track (with that direction), or of a kind to receive on. */
  addTransceiver(trackOrKind, init = {}) {
    const direction = init?.direction ?? 'sendrecv';
    let nativeTransceiver;
    if (trackOrKind instanceof MediaStreamTrack) {
      const streams = (init?.streams ?? []).map((s) => s.id);
      nativeTransceiver = call(() => this.#native.addTransceiver(null, trackOrKind[NATIVE], direction, streams));
    } else if (typeof trackOrKind === 'string') {
      nativeTransceiver = call(() => this.#native.addTransceiver(trackOrKind, null, direction, []));
    } else {
      throw new TypeError("addTransceiver takes a MediaStreamTrack or a kind ('audio' or 'video')");
    }
    return this.#transceiver(nativeTransceiver);
  }

  /** Every transceiver's receiver; its track is there from the start, muted until media arrives. */
  getReceivers() {
    return this.getTransceivers().filter((t) => !t.stopped).map((t) => t.receiver);
  }

  getTransceivers() {
    return call(() => this.#native.getTransceivers()).map((t) => this.#transceiver(t));
  }

  /** One object per transceiver. */
  #transceiver(nativeTransceiver) {
    const key = nativeTransceiver.key;
    if (!this.#transceivers.has(key)) this.#transceivers.set(key, new RTCRtpTransceiver(nativeTransceiver, this.#transport));
    return this.#transceivers.get(key);
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

module.exports = {
  RTCPeerConnection,
  RTCPeerConnectionIceEvent,
  RTCPeerConnectionIceErrorEvent,
  RTCDataChannelEvent,
  RTCTrackEvent,
};
