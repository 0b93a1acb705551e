'use strict';
// Core errors cross as "Kind: message"; here they become what a browser throws: a
// TypeError or RangeError for those kinds, a DOMException named by the kind otherwise.

const KIND = /^([A-Za-z]+Error): ([\s\S]*)$/;

function fromNative(err) {
  if (!err || typeof err.message !== 'string') return err;
  const match = KIND.exec(err.message);
  if (!match) return err;
  const [, name, message] = match;
  let out;
  if (name === 'TypeError') out = new TypeError(message);
  else if (name === 'RangeError') out = new RangeError(message);
  else out = new DOMException(message, name);
  return out;
}

/** Calls a native function, rethrowing its error as the browser would. */
function call(fn) {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err);
  }
}

/** Awaits a native promise, rejecting as the browser would. */
async function callAsync(fn) {
  try {
    return await fn();
  } catch (err) {
    throw fromNative(err);
  }
}

module.exports = { fromNative, call, callAsync };
