'use strict';
const native = require('./native');
const { defineEventAttributes, pump } = require('./events');

const NATIVE = Symbol('native');

// One JS object per native track (by id), so that receiver.track, the track event and
// sender.track are the same object.
const tracks = new Map();
const forget = new FinalizationRegistry((id) => {
  if (tracks.get(id)?.deref() === undefined) tracks.delete(id);
});

const EVENTS = ['ended', 'mute', 'unmute'];

/** A track of frames (browser MediaStreamTrack). Events: ended, mute, unmute. */
class MediaStreamTrack extends EventTarget {
  #listening = false;

  constructor(nativeTrack, token) {
    if (token !== MediaStreamTrack.#token) throw new TypeError('Illegal constructor');
    super();
    this[NATIVE] = nativeTrack;
  }

  static #token = Symbol('MediaStreamTrack');

  /** @internal The JS object of a native track (made on first sight). */
  static _wrap(nativeTrack) {
    const id = nativeTrack.id;
    const known = tracks.get(id)?.deref();
    if (known) return known;
    const track = new MediaStreamTrack(nativeTrack, MediaStreamTrack.#token);
    tracks.set(id, new WeakRef(track));
    forget.register(track, id);
    return track;
  }

  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    // Take track events only once somebody listens: a listening object keeps Node alive.
    if (EVENTS.includes(type) && !this.#listening) {
      this.#listening = true;
      pump(this[NATIVE], (name) => EVENTS.includes(name) && this.dispatchEvent(new Event(name)));
    }
  }

  get id() { return this[NATIVE].id; }
  get kind() { return this[NATIVE].kind; }
  get label() { return this[NATIVE].label; }
  get enabled() { return this[NATIVE].enabled; }
  set enabled(value) { this[NATIVE].enabled = Boolean(value); }
  get muted() { return this[NATIVE].muted; }
  get readyState() { return this[NATIVE].readyState; }
  stop() { this[NATIVE].stop(); }
  /** A new track (a new id) fed by the same source, with its own enabled and stop(). */
  clone() { return MediaStreamTrack._wrap(this[NATIVE].cloneTrack()); }
}

defineEventAttributes(MediaStreamTrack.prototype, EVENTS);

/**
 * new MediaStream(), (stream) or (tracks), as in browsers; and wrtc's new MediaStream({id}),
 * a stream with that id.
 */
class MediaStream extends EventTarget {
  #native;
  #tracks = [];

  constructor(init = undefined) {
    super();
    let list = [];
    let id;
    if (init instanceof MediaStream) list = init.getTracks();
    else if (init != null && typeof init[Symbol.iterator] === 'function' && typeof init !== 'string') list = [...init];
    else if (init != null && typeof init === 'object') id = init.id == null ? undefined : String(init.id);
    else if (init !== undefined) throw new TypeError('MediaStream takes a MediaStream, an array of MediaStreamTracks or {id}');
    this.#native = new native.NativeMediaStream(id);
    for (const track of list) this.addTrack(track);
  }

  /** A stream core made (a remote one: its id is the sender's). */
  static _wrap(nativeStream) {
    const stream = new MediaStream([]);
    stream.#native = nativeStream;
    return stream;
  }

  get id() { return this.#native.id; }
  getTracks() {
    const ids = new Set(this.#native.trackIds());
    return this.#tracks.filter((t) => ids.has(t.id));
  }
  getAudioTracks() { return this.getTracks().filter((t) => t.kind === 'audio'); }
  getVideoTracks() { return this.getTracks().filter((t) => t.kind === 'video'); }
  getTrackById(id) { return this.getTracks().find((t) => t.id === id) ?? null; }
  addTrack(track) {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('addTrack takes a MediaStreamTrack');
    this.#native.addTrack(track[NATIVE]);
    if (!this.#tracks.includes(track)) this.#tracks.push(track);
  }
  removeTrack(track) {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('removeTrack takes a MediaStreamTrack');
    this.#native.removeTrack(track[NATIVE]);
    this.#tracks = this.#tracks.filter((t) => t !== track);
  }
  /** A new stream (a new id) of clones of its tracks. */
  clone() { return new MediaStream(this.getTracks().map((t) => t.clone())); }
}

module.exports = { MediaStreamTrack, MediaStream, NATIVE };
