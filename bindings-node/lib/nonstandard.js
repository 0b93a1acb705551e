'use strict';
// The `nonstandard` namespace @roamhq/wrtc users know: raw-frame sources and sinks and
// the i420 helpers. Video frames are {width, height, data: i420 Uint8Array}; audio data is
// {samples: Int16Array, sampleRate, bitsPerSample, channelCount, numberOfFrames}.
const native = require('./native');
const { call, fromNative } = require('./errors');
const { defineEventAttributes } = require('./events');
const { MediaStreamTrack, NATIVE } = require('./track');
const { MediaPlayer } = require('./media_player');
const { AudioOutput } = require('./audio_output');
const { MediaRecorder, MediaBlackhole } = require('./media_recorder');

function checkFrame(frame, what) {
  if (frame == null || typeof frame !== 'object' || !(frame.data instanceof Uint8Array)
      || !Number.isInteger(frame.width) || !Number.isInteger(frame.height)) {
    throw new TypeError(`${what} must be {width, height, data: Uint8Array}`);
  }
}

function convertInto(source, target, from, to) {
  checkFrame(source, 'the source frame');
  checkFrame(target, 'the target frame');
  if (source.width !== target.width || source.height !== target.height) {
    throw new TypeError(`frame sizes differ: ${source.width}x${source.height} and ${target.width}x${target.height}`);
  }
  const out = call(() => native.convertPixels(source.width, source.height, from, to, source.data));
  if (target.data.byteLength !== out.byteLength) {
    throw new TypeError(`the target frame's data must be ${out.byteLength} bytes, not ${target.data.byteLength}`);
  }
  target.data.set(out);
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
  checkFrame(i420Frame, 'the frame');
  return call(() => native.i420ToPng(i420Frame.width, i420Frame.height, i420Frame.data));
}

class RTCVideoSource {
  #native = new native.NativeSource('video', 'rtckit video source');

  constructor({ isScreencast = false, needsDenoising = false } = {}) {
    this.isScreencast = isScreencast;
    this.needsDenoising = needsDenoising;
  }

  createTrack() {
    return MediaStreamTrack._wrap(call(() => this.#native.createTrack()));
  }

  /** Delivers an I420 frame {width, height, data} to the source's tracks. */
  onFrame(frame) {
    checkFrame(frame, 'the frame');
    call(() => this.#native.pushVideo(frame.width, frame.height, frame.data, frame.timestamp ?? undefined));
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

  /** Delivers {samples: Int16Array, sampleRate, bitsPerSample, channelCount, numberOfFrames}. */
  onData(data) {
    if (data == null || !(data.samples instanceof Int16Array)) {
      throw new TypeError('onData takes {samples: Int16Array, sampleRate, channelCount, ...}');
    }
    const { samples, sampleRate = 48000, bitsPerSample = 16, channelCount = 1, numberOfFrames } = data;
    if (bitsPerSample !== 16) throw new TypeError('only 16-bit samples are supported');
    if (numberOfFrames != null && numberOfFrames * channelCount !== samples.length) {
      throw new TypeError(`numberOfFrames x channelCount is ${numberOfFrames * channelCount}, but there are ${samples.length} samples`);
    }
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    call(() => this.#native.pushAudio(bytes, sampleRate, channelCount));
  }

  close() {
    this.#native.close();
  }
}

/** Receives a track's frames: a "frame" event ({frame}) for video, "data" for audio. */
class Sink extends EventTarget {
  #receiver;
  #stopped = false;

  constructor(track, kind) {
    super();
    if (!(track instanceof MediaStreamTrack) || track.kind !== kind) {
      throw new TypeError(`this sink takes a ${kind} MediaStreamTrack`);
    }
    this.#receiver = track[NATIVE].receiver();
    this.#run().catch((err) => {
      const event = new Event('error');
      event.error = fromNative(err);
      this.dispatchEvent(event);
    });
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
      this._deliver(frame);
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
    super(track, 'video');
  }

  /** @internal */
  _deliver(f) {
    const event = new Event('frame');
    event.frame = { width: f.width, height: f.height, data: new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength), rotation: 0 };
    this.dispatchEvent(event);
  }
}

class RTCAudioSink extends Sink {
  constructor(track) {
    super(track, 'audio');
  }

  /** @internal */
  _deliver(f) {
    const event = new Event('data');
    const bytes = f.samples;
    event.samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    event.sampleRate = f.sampleRate;
    event.bitsPerSample = 16;
    event.channelCount = f.channelCount;
    event.numberOfFrames = event.samples.length / f.channelCount;
    this.dispatchEvent(event);
  }
}

defineEventAttributes(RTCVideoSink.prototype, ['frame', 'error']);
defineEventAttributes(RTCAudioSink.prototype, ['data', 'error']);

/** Non-standard rtckit extra: the frame number the fake camera drew into an I420 frame. */
function readFrameNumber(frame) {
  checkFrame(frame, 'the frame');
  return call(() => native.readFrameNumber(frame.width, frame.height, frame.data));
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
