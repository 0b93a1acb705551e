//! Event delivery to asyncio without a future per batch and without runtime threads ever
//! taking the GIL: a core queue's listener records the object's key and writes one byte to
//! a socket the asyncio loop watches (`loop.add_reader`); the loop then takes the keys and
//! each object's events from Python (rtckit/events.py).

use std::io::{Read, Write};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use rtckit_core::events::ReadyKeys;

/// An object's waiting events as (name, value) pairs, and whether its stream has ended.
pub type EventBatch<T> = (Vec<(&'static str, T)>, bool);

struct Hub {
    reader: UnixStream,
    writer: UnixStream,
    ready: ReadyKeys,
}

fn hub() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(|| {
        let (reader, writer) = UnixStream::pair().expect("rtckit: cannot create the event socket pair");
        reader.set_nonblocking(true).expect("rtckit: event socket");
        writer.set_nonblocking(true).expect("rtckit: event socket");
        Hub { reader, writer, ready: ReadyKeys::default() }
    })
}

/// The listener for the object known to Python as `key`.
pub fn listener(key: u64) -> rtckit_core::events::Listener {
    Arc::new(move || {
        let hub = hub();
        if hub.ready.mark(key) {
            // Non-blocking; a full socket already holds a wake.
            let _ = (&hub.writer).write(&[1]);
        }
    })
}

/// The file descriptor asyncio watches for readability.
#[pyfunction]
pub fn hub_fd() -> PyResult<i32> {
    crate::error::guard_value(|| hub().reader.as_raw_fd())
}

/// The keys of objects with events waiting (each once), clearing the wake.
#[pyfunction]
pub fn hub_take() -> PyResult<Vec<u64>> {
    crate::error::guard_value(|| {
        let hub = hub();
        let mut sink = [0u8; 256];
        while let Ok(n) = (&hub.reader).read(&mut sink) {
            if n < sink.len() {
                break;
            }
        }
        hub.ready.take()
    })
}
