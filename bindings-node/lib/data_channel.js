'use strict';
const { defineEventAttributes, pump } = require('./events');
const { call, fromKind } = require('./errors');

const EVENTS = ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close'];

/** Wraps a Buffer as an ArrayBuffer, copying only when it is a view into a larger one. */
function toArrayBuffer(buf) {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf.buffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

class RTCDataChannel extends EventTarget {
  #native;
  #binaryType = 'arraybuffer';

  constructor(native, token) {
    if (token !== RTCDataChannel.#token) throw new TypeError('Illegal constructor');
    super();
    this.#native = native;
  }

  static #token = Symbol('RTCDataChannel');

  /** @internal */
  static _wrap(native) {
    return new RTCDataChannel(native, RTCDataChannel.#token);
  }

  /** @internal Starts delivering events (after the datachannel event for remote ones). */
  _start() {
    pump(this.#native, (e) => this.#dispatch(e));
  }

  #dispatch(e) {
    if (e.name === 'message') {
      let data;
      if (e.text != null) data = e.text;
      else if (this.#binaryType === 'blob') data = new Blob([e.binary]);
      else data = toArrayBuffer(e.binary);
      this.dispatchEvent(new MessageEvent('message', { data }));
    } else if (e.name === 'error') {
      const event = new Event('error');
      event.error = fromKind(e.errorKind, e.error);
      this.dispatchEvent(event);
    } else {
      this.dispatchEvent(new Event(e.name));
    }
  }

  get label() { return this.#native.label; }
  get protocol() { return this.#native.protocol; }
  get ordered() { return this.#native.ordered; }
  get maxPacketLifeTime() { return this.#native.maxPacketLifeTime ?? null; }
  get maxRetransmits() { return this.#native.maxRetransmits ?? null; }
  get negotiated() { return this.#native.negotiated; }
  get id() { return this.#native.id ?? null; }
  get readyState() { return this.#native.readyState; }
  get bufferedAmount() { return this.#native.bufferedAmount; }
  get bufferedAmountLowThreshold() { return this.#native.bufferedAmountLowThreshold; }
  set bufferedAmountLowThreshold(value) {
    this.#native.bufferedAmountLowThreshold = Math.max(0, Math.min(0xffffffff, Number(value) >>> 0));
  }
  /** Non-standard: the largest message send() accepts on this connection. */
  get maxMessageSize() { return this.#native.maxMessageSize; }
  get binaryType() { return this.#binaryType; }
  set binaryType(value) {
    if (value === 'arraybuffer' || value === 'blob') this.#binaryType = value;
  }

  /** Sends a string as text; an ArrayBuffer, typed array, DataView or Buffer as binary. */
  send(data) {
    if (typeof data === 'string') return call(() => this.#native.sendText(data));
    let bytes;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer) bytes = new Uint8Array(data);
    else if (typeof Blob !== 'undefined' && data instanceof Blob) {
      throw new TypeError('send(Blob) is not supported: send await blob.arrayBuffer() instead');
    } else {
      throw new TypeError('send() takes a string, an ArrayBuffer, a typed array, a DataView or a Buffer');
    }
    return call(() => this.#native.sendBinary(bytes));
  }

  close() {
    this.#native.close();
  }
}

defineEventAttributes(RTCDataChannel.prototype, EVENTS);

module.exports = { RTCDataChannel };
