'use strict';
const native = require('./native');
const { call } = require('./errors');

/** The browser's RTCIceCandidate: the candidate line and its parsed fields. */
class RTCIceCandidate {
  #fields;

  constructor(init = {}) {
    if (init.sdpMid == null && init.sdpMLineIndex == null) {
      throw new TypeError('an RTCIceCandidate needs an sdpMid or an sdpMLineIndex');
    }
    this.candidate = init.candidate == null ? '' : String(init.candidate);
    this.sdpMid = init.sdpMid ?? null;
    this.sdpMLineIndex = init.sdpMLineIndex ?? null;
    this.usernameFragment = init.usernameFragment ?? null;
  }

  #parsed() {
    if (this.#fields === undefined) {
      this.#fields = this.candidate ? call(() => native.parseCandidate(this.candidate)) : null;
    }
    return this.#fields;
  }

  get foundation() { return this.#parsed()?.foundation ?? null; }
  get component() {
    const c = this.#parsed()?.component;
    return c == null ? null : c === 1 ? 'rtp' : 'rtcp';
  }
  get priority() { return this.#parsed()?.priority ?? null; }
  get address() { return this.#parsed()?.address ?? null; }
  get protocol() { return this.#parsed()?.protocol ?? null; }
  get port() { return this.#parsed()?.port ?? null; }
  get type() { return this.#parsed()?.type ?? null; }
  get tcpType() { return this.#parsed()?.tcpType ?? null; }
  get relatedAddress() { return this.#parsed()?.relatedAddress ?? null; }
  get relatedPort() { return this.#parsed()?.relatedPort ?? null; }

  toJSON() {
    return {
      candidate: this.candidate,
      sdpMid: this.sdpMid,
      sdpMLineIndex: this.sdpMLineIndex,
      usernameFragment: this.usernameFragment,
    };
  }
}

/** The addon's candidate init, or null for end-of-candidates. */
function toInit(candidate) {
  if (candidate == null) return null;
  if (typeof candidate !== 'object') {
    throw new TypeError('addIceCandidate takes an RTCIceCandidate, an RTCIceCandidateInit or null');
  }
  return {
    candidate: candidate.candidate == null ? '' : String(candidate.candidate),
    sdpMid: candidate.sdpMid ?? undefined,
    sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
    usernameFragment: candidate.usernameFragment ?? undefined,
  };
}

module.exports = { RTCIceCandidate, toInit };
