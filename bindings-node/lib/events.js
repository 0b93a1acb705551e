'use strict';
// Events in JS: EventTargets with on<event> attributes, fed by a pump that pulls batches of
// core events. A pending pull keeps Node alive until the object is closed, as an open
// connection should.

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

/** Pulls batches until an empty one, dispatching each event. Errors are reported as
 * uncaught, as the browser reports a throwing listener. */
function pump(pull, dispatch) {
  run(pull, dispatch).catch((err) => {
    process.nextTick(() => {
      throw err;
    });
  });
}

async function run(pull, dispatch) {
  for (;;) {
    const batch = await pull();
    if (batch.length === 0) return;
    for (const event of batch) {
      try {
        dispatch(event);
      } catch (err) {
        // A throwing listener must not stop the stream; report it as the browser does.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }
}

module.exports = { defineEventAttributes, pump };
