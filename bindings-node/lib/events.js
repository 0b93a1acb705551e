'use strict';
// Events in JS: EventTargets with on<event> attributes, fed with batches of core events by
// the hub (src/hub.rs). An object still listening keeps Node alive until it is closed, as
// an open connection should.
const native = require('./native');

/** Defines on<name> attribute handlers on a class prototype, as browsers do. */
function defineEventAttributes(proto, names) {
  for (const name of names) {
    const slot = Symbol(`on${name}`);
    Object.defineProperty(proto, `on${name}`, {
      configurable: true,
      enumerable: true,
      get() {
        return this[slot] ? this[slot].handler : null;
      },
      set(handler) {
        if (this[slot]) {
          this.removeEventListener(name, this[slot].listener);
          this[slot] = null;
        }
        if (typeof handler === 'function') {
          const listener = (event) => handler.call(this, event);
          this[slot] = { handler, listener };
          this.addEventListener(name, listener);
        }
      },
    });
  }
}

/**
 * Every object's events arrive through one hub: the native side calls `wake` on this thread
 * when objects have events waiting, and each object's events are taken and dispatched in
 * order. While any object listens, Node stays alive, as it does for an open connection.
 */
const targets = new Map();
let nextKey = 1;
let started = false;

function wake() {
  for (const key of native.hubTake()) {
    const target = targets.get(key);
    if (target) drain(key, target);
  }
}

function drain(key, target) {
  const { events, ended } = target.native.takeEvents();
  if (ended && targets.delete(key) && targets.size === 0) native.hubHold(false);
  for (const event of events) {
    try {
      target.dispatch(event);
    } catch (err) {
      // A throwing listener must not stop the stream; report it as the browser does.
      process.nextTick(() => {
        throw err;
      });
    }
  }
}

/** Delivers `nativeObject`'s events to `dispatch` from now until they end; returns its key. */
function pump(nativeObject, dispatch) {
  if (!started) {
    native.hubStart(wake);
    started = true;
  }
  const key = nextKey++;
  targets.set(key, { native: nativeObject, dispatch });
  if (targets.size === 1) native.hubHold(true);
  nativeObject.listen(key);
  return key;
}

/** Dispatches the events waiting for `key` now (a method whose events W3C fires before its
 * promise resolves calls it before resolving). */
function deliver(key) {
  const target = targets.get(key);
  if (target) drain(key, target);
}

module.exports = { defineEventAttributes, pump, deliver };
