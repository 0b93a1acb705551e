'use strict';
// RTCRtpTransceiver: a sender and a receiver sharing one m-section.
const { call } = require('./errors');
const { RTCRtpReceiver } = require('./rtp_sender');

const TRANSCEIVER = Symbol('native transceiver');

/**
 * `direction` is settable; `currentDirection` is what the last answer agreed (null before);
 * `sender` is null for a transceiver made from a kind or by the remote offer.
 */
class RTCRtpTransceiver {
  constructor(nativeTransceiver, sender) {
    this[TRANSCEIVER] = nativeTransceiver;
    this.sender = sender;
    this.receiver = new RTCRtpReceiver();
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
