'use strict';
// RTCRtpSender and RTCRtpReceiver, with the codecs rtckit has (getCapabilities).
const native = require('./native');
const { call } = require('./errors');
const { MediaStreamTrack, NATIVE } = require('./track');

const SENDER = Symbol('native sender');
const REMOVED = Symbol('track removed');

const capabilities = (kind) => ({ codecs: call(() => native.codecCapabilities(kind)), headerExtensions: [] });

/** The sending side of a track added with addTrack; `track` is null once removed. */
class RTCRtpSender {
  #track;

  constructor(nativeSender, track) {
    this[SENDER] = nativeSender;
    this.#track = track;
  }

  /** The codecs rtckit can send for `kind` ('audio' or 'video'). */
  static getCapabilities(kind) {
    return capabilities(kind);
  }

  get track() {
    return this.#track;
  }

  /** Sends `track` instead (null: nothing), without renegotiation. */
  async replaceTrack(track) {
    if (track !== null && !(track instanceof MediaStreamTrack)) {
      throw new TypeError('replaceTrack takes a MediaStreamTrack or null');
    }
    call(() => this[SENDER].replaceTrack(track === null ? null : track[NATIVE]));
    this.#track = track;
  }

  [REMOVED]() {
    this.#track = null;
  }
}

/** The receiving side of a transceiver. */
class RTCRtpReceiver {
  constructor(track = null) {
    this.track = track;
  }

  /** The codecs rtckit can receive for `kind` ('audio' or 'video'). */
  static getCapabilities(kind) {
    return capabilities(kind);
  }
}

module.exports = { RTCRtpSender, RTCRtpReceiver, SENDER, REMOVED };
