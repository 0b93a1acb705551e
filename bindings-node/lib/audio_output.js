'use strict';
// nonstandard.AudioOutput: plays an audio track on a speaker (rtckit's own; in core once).
const native = require('./native');
const { call } = require('./errors');
const { MediaStreamTrack, NATIVE } = require('./track');

/**
 * Plays `track` on the output device `deviceId` (from mediaDevices.enumerateDevices(), kind
 * 'audiooutput'; the default one when omitted), resampled to what the device takes, until
 * stop() or the track ends. Throws NotFoundError when there is no speaker,
 * OverconstrainedError for an unknown deviceId, NotReadableError for one that cannot open.
 */
class AudioOutput {
  #native;

  constructor(track, deviceId = undefined) {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('AudioOutput plays a MediaStreamTrack');
    if (deviceId != null && typeof deviceId !== 'string') throw new TypeError('deviceId must be a string');
    this.#native = call(() => new native.NativeAudioOutput(track[NATIVE], deviceId ?? null));
  }

  get playing() {
    return this.#native.playing;
  }

  /** Stops playing. Idempotent. */
  stop() {
    this.#native.stop();
  }
}

module.exports = { AudioOutput };
