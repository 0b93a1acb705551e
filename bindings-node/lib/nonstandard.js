'use strict';
// The `nonstandard` namespace @roamhq/wrtc users know: raw-frame sources and sinks and
// the i420 helpers. Video frames are {width, height, data: i420 bytes}; audio data is
// {samples: Int16Array, sampleRate, bitsPerSample, channelCount, numberOfFrames}. Frame data
// may be any byte view (Uint8ClampedArray as in wrtc's examples, Uint8Array, Buffer, a view
// into a larger buffer); sinks deliver what wrtc delivers: plain objects.
const native = require('./native');
const { call, fromNative } = require('./errors');
const { defineEventAttributes } = require('./events');
const { MediaStreamTrack, NATIVE } = require('./track');
const { MediaPlayer } = require('./media_player');
const { AudioOutput } = require('./audio_output');
const { MediaRecorder, MediaBlackhole } = require('./media_recorder');

/** The bytes of a byte view (Uint8Array, Uint8ClampedArray, Buffer, DataView) or an
 * ArrayBuffer, as a Uint8Array over the same memory; null for anything else. */
function byteView(data) {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof DataView) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return null;
}

/** The frame's data as a Uint8Array over the same memory (TypeError if it is not bytes). */
function frameBytes(frame, what) {
  const data = frame != null && typeof frame === 'object' ? byteView(frame.data) : null;
  if (data === null || !Number.isInteger(frame.width) || !Number.isInteger(frame.height)) {
    throw new TypeError(`${what} must be {width, height, data: Uint8ClampedArray, Uint8Array or Buffer}`);
  }
  return data;
}

function convertInto(source, target, from, to) {
  const input = frameBytes(source, 'the source frame');
  const output = frameBytes(target, 'the target frame');
  if (source.width !== target.width || source.height !== target.height) {
    throw new TypeError(`frame sizes differ: ${source.width}x${source.height} and ${target.width}x${target.height}`);
  }
  const out = call(() => native.convertPixels(source.width, source.height, from, to, input));
  if (output.byteLength !== out.byteLength) {
    throw new TypeError(`the target frame's data must be ${out.byteLength} bytes, not ${output.byteLength}`);
  }
  output.set(out);
}

/** Converts an I420 frame into an RGBA frame of the same size (writes rgbaFrame.data). */
function i420ToRgba(i420Frame, rgbaFrame) {
  convertInto(i420Frame, rgbaFrame, 'i420', 'rgba');
}

/** Converts an RGBA frame into an I420 frame of the same size (writes i420Frame.data). */
function rgbaToI420(rgbaFrame, i420Frame) {
  convertInto(rgbaFrame, i420Frame, 'rgba', 'i420');
}

/** Non-standard rtckit extra: an I420 frame as a PNG Buffer. */
function i420ToPng(i420Frame) {
  const data = frameBytes(i420Frame, 'the frame');
  return call(() => native.i420ToPng(i420Frame.width, i420Frame.height, data));
}

class RTCVideoSource {
  #native = new native.NativeSource('video', 'rtckit video source');
  #isScreencast;
  #needsDenoising;

  /** wrtc's RTCVideoSourceInit: isScreencast (default false), needsDenoising (default null). */
  constructor(init = {}) {
    this.#isScreencast = Boolean(init?.isScreencast ?? false);
    this.#needsDenoising = init?.needsDenoising == null ? null : Boolean(init.needsDenoising);
  }

  get isScreencast() { return this.#isScreencast; }
  get needsDenoising() { return this.#needsDenoising; }

  createTrack() {
    return MediaStreamTrack._wrap(call(() => this.#native.createTrack()));
  }

  /** Delivers an I420 frame {width, height, data} to the source's tracks. A sender takes the
   * newest frame its encoder can: frames pushed faster are dropped (outbound-rtp framesDropped). */
  onFrame(frame) {
    const data = frameBytes(frame, 'the frame');
    call(() => this.#native.pushVideo(frame.width, frame.height, data, frame.timestamp ?? undefined));
  }

  /** Non-standard: ends the source and its tracks. */
  close() {
    this.#native.close();
  }
}

class RTCAudioSource {
  #native = new native.NativeSource('audio', 'rtckit audio source');

  createTrack() {
    return MediaStreamTrack._wrap(call(() => this.#native.createTrack()));
  }

  /** Delivers {samples: Int16Array (or the s16le bytes), sampleRate, bitsPerSample,
   * channelCount, numberOfFrames}, of any duration. */
  onData(data) {
    const samples = data?.samples;
    const bytes = samples instanceof Int16Array
      ? new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)
      : byteView(samples);
    if (bytes === null) {
      throw new TypeError('onData takes {samples: Int16Array, sampleRate, channelCount, ...}');
    }
    const { sampleRate = 48000, bitsPerSample = 16, channelCount = 1, numberOfFrames } = data;
    if (bitsPerSample !== 16) throw new TypeError('only 16-bit samples are supported');
    if (bytes.byteLength % 2 !== 0) throw new TypeError(`s16 samples take 2 bytes each, not ${bytes.byteLength} bytes`);
    const count = bytes.byteLength / 2;
    if (numberOfFrames != null && numberOfFrames * channelCount !== count) {
      throw new TypeError(`numberOfFrames x channelCount is ${numberOfFrames * channelCount}, but there are ${count} samples`);
    }
    call(() => this.#native.pushAudio(bytes, sampleRate, channelCount));
  }

  close() {
    this.#native.close();
  }
}

/**
 * Receives a track's frames. As in wrtc, each one is a plain object given to the on<type>
 * handler and to `type` listeners (those first): {type: 'frame', frame: {width, height,
 * rotation, data}} for video, {samples, bitsPerSample, sampleRate, channelCount,
 * numberOfFrames, type: 'data'} for audio. `error` is an Event.
 */
class Sink extends EventTarget {
  #receiver;
  #stopped = false;
  #type;
  /** `type` listeners, each with its `once`. */
  #listeners = new Map();

  constructor(track, kind, type) {
    super();
    if (!(track instanceof MediaStreamTrack) || track.kind !== kind) {
      throw new TypeError(`this sink takes a ${kind} MediaStreamTrack`);
    }
    this.#type = type;
    this.#receiver = track[NATIVE].receiver();
    this.#run().catch((err) => {
      const event = new Event('error');
      event.error = fromNative(err);
      this.dispatchEvent(event);
    });
  }

  addEventListener(type, listener, options) {
    if (type !== this.#type) return super.addEventListener(type, listener, options);
    if (listener != null && !this.#listeners.has(listener)) this.#listeners.set(listener, Boolean(options?.once));
  }

  removeEventListener(type, listener, options) {
    if (type !== this.#type) return super.removeEventListener(type, listener, options);
    this.#listeners.delete(listener);
  }

  async #run() {
    for (;;) {
      let frame;
      try {
        frame = await this.#receiver.recv();
      } catch {
        this.#stopped = true; // the track ended or stop() was called
        return;
      }
      if (this.#stopped) return;
      this.#emit(this._data(frame));
    }
  }

  #emit(data) {
    const handler = this[`on${this.#type}`];
    const listeners = [...this.#listeners.keys()];
    if (typeof handler === 'function') listeners.push(handler);
    for (const listener of listeners) {
      if (this.#listeners.get(listener)) this.#listeners.delete(listener);
      try {
        if (typeof listener === 'function') listener.call(this, data);
        else listener.handleEvent(data);
      } catch (err) {
        // A throwing listener must not stop the frames; reported as the browser reports it.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }

  get stopped() {
    return this.#stopped;
  }

  stop() {
    this.#stopped = true;
    this.#receiver.stop();
  }
}

class RTCVideoSink extends Sink {
  constructor(track) {
    super(track, 'video', 'frame');
    this.onframe = null;
  }

  /** @internal */
  _data(f) {
    const data = new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    return { type: 'frame', frame: { width: f.width, height: f.height, rotation: 0, data } };
  }
}

class RTCAudioSink extends Sink {
  constructor(track) {
    super(track, 'audio', 'data');
    this.ondata = null;
  }

  /** @internal */
  _data(f) {
    const bytes = f.samples;
    const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return {
      samples,
      bitsPerSample: 16,
      sampleRate: f.sampleRate,
      channelCount: f.channelCount,
      numberOfFrames: samples.length / f.channelCount,
      type: 'data',
    };
  }
}

defineEventAttributes(RTCVideoSink.prototype, ['error']);
defineEventAttributes(RTCAudioSink.prototype, ['error']);

/** Non-standard rtckit extra: the frame number the fake camera drew into an I420 frame. */
function readFrameNumber(frame) {
  const data = frameBytes(frame, 'the frame');
  return call(() => native.readFrameNumber(frame.width, frame.height, data));
}

module.exports = {
  RTCVideoSource,
  RTCVideoSink,
  RTCAudioSource,
  RTCAudioSink,
  i420ToRgba,
  rgbaToI420,
  i420ToPng,
  readFrameNumber,
  MediaPlayer,
  MediaRecorder,
  MediaBlackhole,
  AudioOutput,
};
