//! Event delivery to JS without a Promise per batch: a core queue's listener records the
//! object's key and, when no wake is outstanding, calls one threadsafe function; on the JS
//! thread that function takes the keys and each object's events (lib/events.js).
//!
//! A Promise per batch cost a threadsafe function of its own, created and torn down for every
//! message that crossed, and put millisecond stalls into a ping-pong's tail.

use parking_lot::Mutex;
use std::sync::{Arc, OnceLock};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use rtckit_core::events::ReadyKeys;

type Wake = ThreadsafeFunction<(), (), (), Status, false>;

#[derive(Default)]
struct Hub {
    ready: ReadyKeys,
    wake: Mutex<Option<Wake>>,
}

fn hub() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(Hub::default)
}

/// The listener for the object known to JS as `key`.
pub fn listener(key: u32) -> rtckit_core::events::Listener {
    Arc::new(move || {
        let hub = hub();
        if hub.ready.mark(key as u64) {
            if let Some(wake) = hub.wake.lock().as_ref() {
                wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    })
}

/// Sets the function called on the JS thread when objects have events waiting. It does not
/// keep Node alive until [`hub_hold`] says something is listening.
#[napi(catch_unwind)]
#[allow(deprecated)] // unref: napi-rs would have us count clones instead
pub fn hub_start(env: Env, callback: Function<(), ()>) -> napi::Result<()> {
    let mut wake: Wake =
        callback.build_threadsafe_function::<()>().callee_handled::<false>().build_callback(|_| Ok(()))?;
    wake.unref(&env)?;
    *hub().wake.lock() = Some(wake);
    Ok(())
}

/// Keeps Node alive while `held` (an object still listens for events), as an open
/// connection does in a browser.
#[napi(catch_unwind)]
#[allow(deprecated)]
pub fn hub_hold(env: Env, held: bool) -> napi::Result<()> {
    if let Some(wake) = hub().wake.lock().as_mut() {
        if held {
            wake.refer(&env)?;
        } else {
            wake.unref(&env)?;
        }
    }
    Ok(())
}

/// The keys of objects with events waiting (each once), clearing the wake.
#[napi(catch_unwind)]
pub fn hub_take() -> Vec<u32> {
    hub().ready.take().into_iter().map(|k| k as u32).collect()
}
