'use strict';
// The `nonstandard` namespace @roamhq/wrtc users know. Frames are {width, height, data}.
// Media sources and sinks (RTCVideoSource, RTCVideoSink, RTCAudioSource, RTCAudioSink)
// join with media tracks.
const native = require('./native');
const { call } = require('./errors');

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

module.exports = { i420ToRgba, rgbaToI420, i420ToPng };
