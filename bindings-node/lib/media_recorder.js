'use strict';
// nonstandard.MediaRecorder and MediaBlackhole (aiortc's, in core once). Not the browser's
// MediaRecorder: this one writes a file.
const native = require('./native');
const { call, callAsync } = require('./errors');
const { MediaStreamTrack, NATIVE } = require('./track');
const { filePath } = require('./media_player');

/**
 * Writes tracks to a file: .webm (VP8 or VP9, and Opus) and .mp4 (H.264 and Opus) hold a
 * video and an audio track; .ivf (VP8, VP9), .ogg (Opus) and .h264 (Annex-B) one. They get
 * what was received as it came when the codec matches (else the frames encoded); .y4m, .wav
 * and image sequences ('frame-%3d.png', numbered from 1) the decoded frames. {format} names
 * the format as ffmpeg does ('webm', 'mp4', 'image2') when the name does not say.
 * addTrack(track), then await start(); await stop() completes the file.
 */
class MediaRecorder {
  #native;

  constructor(file, { format = undefined } = {}) {
    if (format !== undefined && format !== null && typeof format !== 'string') throw new TypeError("format is a name such as 'webm' or 'mp4'");
    this.#native = call(() => new native.NativeMediaRecorder(file === null ? null : filePath(file, 'MediaRecorder'), format ?? null));
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
