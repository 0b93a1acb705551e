'use strict';
// Core errors cross as "Kind: message"; here they become what a browser throws: a
// TypeError or RangeError for those kinds, a DOMException named by the kind otherwise.

const KIND = /^([A-Za-z]+Error): ([\s\S]*)$/;

/** napi's own statuses for an argument of the wrong type. */
const ARGUMENT_STATUSES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected', 'NumberExpected',
  'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected', 'ArrayBufferExpected',
]);

function fromNative(err) {
  if (!err || typeof err.message !== 'string') return err;
  const match = KIND.exec(err.message);
  if (!match) {
    if (ARGUMENT_STATUSES.has(err.code)) return new TypeError(err.message);
    // A panic inside rtckit, caught where it left Rust: the call fails, the process goes on.
    if (err.code === 'GenericFailure') return new DOMException(`rtckit failed inside (a bug; please report it): ${err.message}`, 'OperationError');
    return err;
  }
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
