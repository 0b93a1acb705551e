'use strict';
const native = require('./native');
const { callAsync } = require('./errors');
const { MediaStream, MediaStreamTrack } = require('./track');

class MediaDeviceInfo {
  constructor(d) {
    this.deviceId = d.deviceId;
    this.kind = d.kind;
    this.label = d.label;
    this.groupId = d.groupId;
  }
  toJSON() { return { ...this }; }
}

const mediaDevices = {
  /** Cameras (nokhwa) and microphones (cpal), or the fake ones (RTCKIT_FAKE_DEVICES=1 or useFakeDevices(true)). */
  async getUserMedia(constraints = {}) {
    const tracks = await callAsync(() => native.getUserMedia(JSON.stringify(constraints ?? {})));
    return new MediaStream(tracks.map((t) => MediaStreamTrack._wrap(t)));
  },
  async enumerateDevices() {
    return (await native.enumerateDevices()).map((d) => new MediaDeviceInfo(d));
  },
  /** Non-standard: switch fake devices on or off. */
  useFakeDevices(enabled = true) {
    native.useFakeDevices(Boolean(enabled));
  },
};

module.exports = { mediaDevices, MediaDeviceInfo };
