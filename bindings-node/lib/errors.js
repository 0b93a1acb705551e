'use strict';
// Core errors cross with their kind as `code` ("InvalidStateError", set in src/error.rs) and
// the core's message; here they become what a browser throws: a TypeError or RangeError for
// those kinds, a DOMException of that name otherwise.

const native = require('./native');

const KINDS = new Set(native.errorKinds());

/** napi's own statuses for an argument of the wrong type. */
const ARGUMENT_STATUSES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected', 'NumberExpected',
  'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected', 'ArrayBufferExpected',
]);

/** The error a browser throws for a core error of this kind. */
function fromKind(kind, message) {
  if (kind === 'TypeError') return new TypeError(message);
  if (kind === 'RangeError') return new RangeError(message);
  return new DOMException(message, kind);
}

function fromNative(err) {
  if (!err || typeof err.message !== 'string') return err;
  if (KINDS.has(err.code)) return fromKind(err.code, err.message);
  if (ARGUMENT_STATUSES.has(err.code)) return new TypeError(err.message);
  // A panic inside rtckit, caught where it left Rust: the call fails, the process goes on.
  if (err.code === 'GenericFailure') return new DOMException(`rtckit failed inside (a bug; please report it): ${err.message}`, 'OperationError');
  return err;
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

module.exports = { fromKind, fromNative, call, callAsync };
