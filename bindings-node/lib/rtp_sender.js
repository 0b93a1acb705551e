'use strict';
// RTCRtpSender and RTCRtpReceiver, with the codecs rtckit has (getCapabilities).
const native = require('./native');
const { call } = require('./errors');
const { MediaStreamTrack, NATIVE } = require('./track');

const SENDER = Symbol('native sender');

const dropNulls = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null));
const capabilities = (kind) => ({ codecs: call(() => native.codecCapabilities(kind)), headerExtensions: [] });

/** A transceiver's sending side; `track` is what it sends (null: nothing). */
class RTCRtpSender {
  constructor(nativeSender) {
    this[SENDER] = nativeSender;
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
    return {
      transactionId: '',
      encodings: [encoding],
      codecs: p.codecs.map(({ payloadType, codec }) => ({ payloadType, ...dropNulls(codec) })),
      headerExtensions: [],
      rtcp: { cname: '', reducedSize: true },
    };
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
  constructor(track) {
    this.track = track;
  }

  /** The codecs rtckit can receive for `kind` ('audio' or 'video'). */
  static getCapabilities(kind) {
    return capabilities(kind);
  }
}

module.exports = { RTCRtpSender, RTCRtpReceiver, SENDER };
