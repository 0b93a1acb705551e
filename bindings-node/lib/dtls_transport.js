'use strict';
// RTCDtlsTransport and RTCIceTransport: a connection's one bundled transport, the object
// sender.transport and receiver.transport give (null until a description associates their
// transceiver). Its states are read from core's transport (webrtc-rs has one once a sender
// is attached or media arrived); without one, and once closed, from the connection's states.
const { defineEventAttributes } = require('./events');

const TOKEN = Symbol('transport');

/** The connection's states as the transport's: DTLS stays connected while ICE reconnects. */
function fallback(states) {
  const dtls = { disconnected: 'connected' }[states.connectionState] ?? states.connectionState;
  return { dtls, ice: states.iceConnectionState, gathering: states.iceGatheringState, role: null };
}

class RTCIceTransport extends EventTarget {
  #read;
  #last;

  constructor(token, read) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
    super();
    this.#read = read;
    this.#last = read();
  }

  get state() { return this.#read().ice; }
  get gatheringState() { return this.#read().gathering; }
  /** 'unknown' until ICE starts checking. */
  get role() {
    const { ice, role } = this.#read();
    return ice === 'new' || !role ? 'unknown' : role;
  }
  get component() { return 'rtp'; }

  /** @internal Fires statechange / gatheringstatechange for what changed since last time. */
  _refresh(now) {
    const last = this.#last;
    this.#last = now;
    if (now.gathering !== last.gathering) this.dispatchEvent(new Event('gatheringstatechange'));
    if (now.ice !== last.ice) this.dispatchEvent(new Event('statechange'));
  }
}

class RTCDtlsTransport extends EventTarget {
  #read;
  #last;
  #ice;

  #described;

  constructor(token, read, described) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
    super();
    this.#read = read;
    this.#described = described;
    this.#last = read().dtls;
    this.#ice = new RTCIceTransport(TOKEN, read);
  }

  get state() { return this.#read().dtls; }
  get iceTransport() { return this.#ice; }
  /** The remote certificates are not exposed: an empty list. */
  getRemoteCertificates() { return []; }

  /** @internal This transport, if `nativeTransceiver` is associated (has a mid, and a
   * description was applied), else null. */
  _of(nativeTransceiver) {
    return nativeTransceiver.mid != null && this.#described() ? this : null;
  }

  /** @internal */
  _refresh() {
    const now = this.#read();
    this.#ice._refresh(now);
    if (now.dtls !== this.#last) {
      this.#last = now.dtls;
      this.dispatchEvent(new Event('statechange'));
    }
  }
}

defineEventAttributes(RTCIceTransport.prototype, ['statechange', 'gatheringstatechange']);
defineEventAttributes(RTCDtlsTransport.prototype, ['statechange', 'error']);

/**
 * The transport of `pc` (made once per connection), reading core through `nativePc`; its
 * events follow the connection's state changes.
 */
function transportOf(pc, nativePc) {
  const read = () => {
    if (nativePc.states().connectionState === 'closed') return fallback(nativePc.states());
    try {
      for (const transceiver of nativePc.getTransceivers()) {
        const state = transceiver.transport();
        if (state) return state;
      }
    } catch {
      // closed: the connection's states tell
    }
    return fallback(nativePc.states());
  };
  const described = () => nativePc.localDescription() != null || nativePc.remoteDescription() != null;
  const transport = new RTCDtlsTransport(TOKEN, read, described);
  for (const name of ['connectionstatechange', 'iceconnectionstatechange', 'icegatheringstatechange']) {
    pc.addEventListener(name, () => transport._refresh());
  }
  return transport;
}

module.exports = { RTCDtlsTransport, RTCIceTransport, transportOf };
