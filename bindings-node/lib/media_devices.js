'use strict';
const native = require('./native');
const { call } = require('./errors');
const { MediaStream, MediaStreamTrack } = require('./track');

const NUMERIC = { video: ['width', 'height', 'frameRate'], audio: ['sampleRate', 'channelCount'] };

/** {deviceId, constraints: [{name, exact, ideal}]} from true/false or W3C constraints. */
function constraints(kind, value) {
  if (value == null || value === false) return undefined;
  if (value === true) return { constraints: [] };
  if (typeof value !== 'object') throw new TypeError(`${kind} must be a boolean or an object of constraints`);
  let deviceId = value.deviceId;
  if (deviceId && typeof deviceId === 'object') deviceId = deviceId.exact ?? deviceId.ideal;
  const list = [];
  for (const name of NUMERIC[kind]) {
    const c = value[name];
    if (c == null) continue;
    if (typeof c === 'number') list.push({ name, ideal: c });
    else if (typeof c === 'object') list.push({ name, exact: c.exact ?? undefined, ideal: c.ideal ?? undefined });
    else throw new TypeError(`the ${name} constraint must be a number or {exact, ideal}`);
  }
  return { deviceId: deviceId ?? undefined, constraints: list };
}

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
  /** Fake camera and microphone so far (RTCKIT_FAKE_DEVICES=1 or useFakeDevices(true)). */
  async getUserMedia(c = {}) {
    const tracks = call(() => native.getUserMedia(constraints('audio', c.audio), constraints('video', c.video)));
    return new MediaStream(tracks.map((t) => MediaStreamTrack._wrap(t)));
  },
  async enumerateDevices() {
    return native.enumerateDevices().map((d) => new MediaDeviceInfo(d));
  },
  /** Non-standard: switch fake devices on or off. */
  useFakeDevices(enabled = true) {
    native.useFakeDevices(Boolean(enabled));
  },
};

module.exports = { mediaDevices, MediaDeviceInfo };
