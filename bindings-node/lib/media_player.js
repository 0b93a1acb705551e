'use strict';
// nonstandard.MediaPlayer: a file as a track (aiortc's MediaPlayer, in core once).
const { fileURLToPath } = require('node:url');
const native = require('./native');
const { call } = require('./errors');
const { MediaStreamTrack } = require('./track');

function filePath(file, what) {
  if (file instanceof URL) return fileURLToPath(file);
  if (typeof file !== 'string' || file === '') throw new TypeError(`${what} takes a file path (a string or a file: URL)`);
  return file;
}

/**
 * Plays a file in real time as `player.audio` or `player.video` (the other is null):
 * .ivf (VP8), .ogg (Opus) and .h264 (Annex-B) are sent as they are when the connection's
 * codec matches; .y4m and .wav are encoded. Playing starts when the track is first
 * consumed; at the end the track ends, or plays again with {loop: true}.
 */
class MediaPlayer {
  #native;

  constructor(file, { loop = false } = {}) {
    this.#native = call(() => new native.NativeMediaPlayer(filePath(file, 'MediaPlayer'), Boolean(loop)));
    const { audio, video } = this.#native;
    this.audio = audio ? MediaStreamTrack._wrap(audio) : null;
    this.video = video ? MediaStreamTrack._wrap(video) : null;
  }

  /** Stops playing: the track ends. */
  stop() {
    this.#native.stop();
  }
}

module.exports = { MediaPlayer, filePath };
