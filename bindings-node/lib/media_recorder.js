'use strict';
// nonstandard.MediaRecorder and MediaBlackhole (aiortc's, in core once). Not the browser's
// MediaRecorder: this one writes a file.
const native = require('./native');
const { call, callAsync } = require('./errors');
const { MediaStreamTrack, NATIVE } = require('./track');
const { filePath } = require('./media_player');

/**
 * Writes a track to a file: .ivf (VP8), .ogg (Opus) and .h264 (Annex-B) get what was
 * received as it came when the codec matches (else the frames encoded), .y4m and .wav the
 * decoded frames. addTrack(track), then await start(); await stop() completes the file.
 */
class MediaRecorder {
  #native;

  constructor(file) {
    this.#native = call(() => new native.NativeMediaRecorder(file === null ? null : filePath(file, 'MediaRecorder')));
  }

  addTrack(track) {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('addTrack takes a MediaStreamTrack');
    call(() => this.#native.addTrack(track[NATIVE]));
  }

  async start() {
    call(() => this.#native.start());
  }

  async stop() {
    await callAsync(() => this.#native.stop());
  }

  /** Frames (video) or packets (audio) written so far. */
  get count() {
    return this.#native.count;
  }
}

/** Consumes tracks and drops their frames. */
class MediaBlackhole extends MediaRecorder {
  constructor() {
    super(null);
  }
}

module.exports = { MediaRecorder, MediaBlackhole };
