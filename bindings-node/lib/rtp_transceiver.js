'use strict';
// RTCRtpTransceiver: a sender and a receiver sharing one m-section.
const { call } = require('./errors');
const { RTCRtpReceiver, RTCRtpSender } = require('./rtp_sender');
const { MediaStreamTrack } = require('./track');

const TRANSCEIVER = Symbol('native transceiver');

/**
 * `direction` is settable; `currentDirection` is what the last answer agreed (null before).
 * Its `sender` sends nothing until a track is added on it; its `receiver.track` is there
 * from the start, muted until media arrives.
 */
class RTCRtpTransceiver {
  /** `transport`: its connection's RTCDtlsTransport. */
  constructor(nativeTransceiver, transport = null) {
    this[TRANSCEIVER] = nativeTransceiver;
    this.sender = new RTCRtpSender(nativeTransceiver.sender(), nativeTransceiver, transport);
    this.receiver = new RTCRtpReceiver(MediaStreamTrack._wrap(nativeTransceiver.receiverTrack()), nativeTransceiver, transport);
  }

  get stopped() {
    return this[TRANSCEIVER].stopped;
  }

  get mid() {
    return this[TRANSCEIVER].mid ?? null;
  }

  get direction() {
    return this[TRANSCEIVER].direction;
  }

  set direction(value) {
    call(() => this[TRANSCEIVER].setDirection(String(value)));
  }

  get currentDirection() {
    return this[TRANSCEIVER].currentDirection ?? null;
  }

  /** The codecs the next negotiation may pick, in order; [] restores them all. */
  setCodecPreferences(codecs) {
    if (!Array.isArray(codecs)) throw new TypeError('setCodecPreferences takes an array of codecs');
    call(() => this[TRANSCEIVER].setCodecPreferences(codecs.map((c) => ({
      mimeType: String(c.mimeType), clockRate: Number(c.clockRate), channels: c.channels ?? undefined, sdpFmtpLine: c.sdpFmtpLine ?? undefined,
    }))));
  }

  /** Stops sending and receiving for good; renegotiate after. */
  stop() {
    call(() => this[TRANSCEIVER].stop());
  }
}

module.exports = { RTCRtpTransceiver };
