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

// ffmpeg's options ({video_size: '640x480', framerate: 30}) as [name, value] pairs.
function ffmpegOptions(options) {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('options is an object of ffmpeg options');
  return Object.entries(options).map(([name, value]) => [name, String(value)]);
}

/**
 * Plays a file in real time as `player.audio` and `player.video` (null when the file has no
 * such track): .webm (VP8, VP9, Opus), .mp4 (H.264, Opus), .mkv, .ivf (VP8, VP9), .ogg (Opus)
 * and .h264 (Annex-B) are sent as they are when the connection's codec matches; .y4m, .wav
 * and image sequences ('frame-%3d.png', at {options: {framerate: 30}}) are encoded. Playing
 * starts when a track is first consumed; at the end the tracks end, or play again with
 * {loop: true}. {decode: false} decodes nothing: frames carry the file's encoded units over
 * blank pictures and silence, for a sender of the same codec to forward.
 * new MediaPlayer('/dev/video0', {format: 'v4l2', options: {video_size: '640x480'}}) opens
 * a camera (aiortc's MediaPlayer arguments, as an object).
 */
class MediaPlayer {
  #native;

  constructor(file, { loop = false, format = undefined, options = undefined, decode = true, timeout = undefined } = {}) {
    void timeout; // aiortc's: files open at once
    if (format !== undefined && format !== null && typeof format !== 'string') throw new TypeError("format is a name such as 'v4l2' or 'webm'");
    this.#native = call(() => new native.NativeMediaPlayer(filePath(file, 'MediaPlayer'), Boolean(loop), format ?? null, ffmpegOptions(options), Boolean(decode)));
    const { audio, video } = this.#native;
    this.audio = audio ? MediaStreamTrack._wrap(audio) : null;
    this.video = video ? MediaStreamTrack._wrap(video) : null;
  }

  /** Stops playing: the tracks end. */
  stop() {
    this.#native.stop();
  }
}

module.exports = { MediaPlayer, filePath };
