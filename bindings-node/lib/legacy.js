'use strict';
// The legacy callback forms browsers still accept (W3C webrtc §"Legacy Interface
// Extensions"): createOffer(success, failure, options), setLocalDescription(desc, success,
// failure), ... Each runs the Promise form, hands its outcome to the callbacks and returns a
// Promise of undefined.

/** Whether the argument at `index` makes the call the legacy form (a callback is there). */
function isLegacy(args, index) {
  return typeof args[index] === 'function';
}

/** Settles `success(value)` or `failure(error)` from `promise`; resolves to undefined. */
function legacy(promise, success, failure) {
  const report = (fn, value) => {
    if (typeof fn !== 'function') return;
    try {
      fn(value);
    } catch (err) {
      // A throwing callback is reported as a browser reports it, not turned into a rejection.
      process.nextTick(() => {
        throw err;
      });
    }
  };
  return promise.then((value) => report(success, value), (err) => report(failure, err));
}

module.exports = { isLegacy, legacy };
