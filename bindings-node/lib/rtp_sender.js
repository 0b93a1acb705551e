'use strict';
// RTCRtpSender and RTCRtpReceiver, with the codecs rtckit has (getCapabilities).
const native = require('./native');
const { call } = require('./errors');
const { MediaStreamTrack, NATIVE } = require('./track');

const SENDER = Symbol('native sender');
const TRANSCEIVER = Symbol('native transceiver');
const TRANSPORT = Symbol('transport');

const dropNulls = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null));
const capabilities = (kind) => ({ codecs: call(() => native.codecCapabilities(kind)), headerExtensions: [] });

/** W3C RTCRtpParameters' negotiated part from core's. */
const negotiated = (p) => ({
  codecs: p.codecs.map(({ payloadType, codec }) => ({ payloadType, ...dropNulls(codec) })),
  headerExtensions: p.headerExtensions.map(({ uri, id, encrypted }) => ({ uri, id, encrypted })),
  rtcp: { cname: p.rtcp.cname, reducedSize: p.rtcp.reducedSize },
});

/** The connection's RTCDtlsTransport once a description associated the transceiver. */
function transportOf(holder) {
  const transceiver = holder[TRANSCEIVER];
  return transceiver && holder[TRANSPORT] ? holder[TRANSPORT]._of(transceiver) : null;
}

/** A transceiver's sending side; `track` is what it sends (null: nothing). */
class RTCRtpSender {
  constructor(nativeSender, nativeTransceiver = null, transport = null) {
    this[SENDER] = nativeSender;
    this[TRANSCEIVER] = nativeTransceiver;
    this[TRANSPORT] = transport;
  }

  /** The RTCDtlsTransport its RTP goes over; null until a description associated it. */
  get transport() {
    return transportOf(this);
  }

  /** The codecs rtckit can send for `kind` ('audio' or 'video'). */
  static getCapabilities(kind) {
    return capabilities(kind);
  }

  get track() {
    const nativeTrack = this[SENDER].track();
    return nativeTrack ? MediaStreamTrack._wrap(nativeTrack) : null;
  }

  /** One encoding (maxBitrate is what rtckit applies) and the negotiated codecs. */
  getParameters() {
    const p = call(() => this[SENDER].getParameters());
    const encoding = { active: true };
    if (p.maxBitrate != null) encoding.maxBitrate = p.maxBitrate;
    return { transactionId: '', encodings: [encoding], ...negotiated(p) };
  }

  /** Applies encodings[0].maxBitrate (bits per second; absent lifts the cap) from the next frame. */
  async setParameters(parameters) {
    const encodings = parameters?.encodings;
    if (!Array.isArray(encodings) || encodings.length !== 1) {
      throw new DOMException('setParameters needs the one encoding getParameters returned', 'InvalidModificationError');
    }
    const max = encodings[0].maxBitrate;
    if (max !== undefined && max !== null && !(Number.isFinite(max) && max >= 0)) {
      throw new RangeError('maxBitrate must be a positive number of bits per second');
    }
    call(() => this[SENDER].setMaxBitrate(max == null ? null : Math.round(max)));
  }

  /** Sends `track` instead (null: nothing), without renegotiation. */
  async replaceTrack(track) {
    if (track !== null && !(track instanceof MediaStreamTrack)) {
      throw new TypeError('replaceTrack takes a MediaStreamTrack or null');
    }
    call(() => this[SENDER].replaceTrack(track === null ? null : track[NATIVE]));
  }
}

/** The receiving side of a transceiver; its track is there from the start. */
class RTCRtpReceiver {
  constructor(track, nativeTransceiver = null, transport = null) {
    this.track = track;
    Object.defineProperty(this, TRANSCEIVER, { value: nativeTransceiver });
    Object.defineProperty(this, TRANSPORT, { value: transport });
  }

  /** The RTCDtlsTransport its RTP comes over; null until a description associated it. */
  get transport() {
    return transportOf(this);
  }

  /** The codecs, header extensions and RTCP parameters negotiation settled on (empty
   * lists before). */
  getParameters() {
    const transceiver = this[TRANSCEIVER];
    if (!transceiver) return { codecs: [], headerExtensions: [], rtcp: { cname: '', reducedSize: false } };
    return negotiated(call(() => transceiver.receiveParameters()));
  }

  /** The codecs rtckit can receive for `kind` ('audio' or 'video'). */
  static getCapabilities(kind) {
    return capabilities(kind);
  }
}

module.exports = { RTCRtpSender, RTCRtpReceiver, SENDER };
