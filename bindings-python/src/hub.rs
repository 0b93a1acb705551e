//! Event delivery to asyncio without a future per batch and without runtime threads ever
//! taking the GIL: a core queue's listener records the object's key and writes one byte to
//! a socket the asyncio loop watches (`loop.add_reader`); the loop then takes the keys and
//! each object's events from Python (rtckit/events.py).

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

#[cfg(unix)]
type Stream = std::os::unix::net::UnixStream;
#[cfg(windows)]
type Stream = std::net::TcpStream;

/// A connected pair of sockets: a Unix socketpair, or on Windows, which has none, a loopback
/// TCP connection (it only ever carries wake bytes).
fn socket_pair() -> std::io::Result<(Stream, Stream)> {
    #[cfg(unix)]
    {
        Stream::pair()
    }
    #[cfg(windows)]
    {
        let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))?;
        let writer = Stream::connect(listener.local_addr()?)?;
        let (reader, _) = listener.accept()?;
        writer.set_nodelay(true)?;
        Ok((reader, writer))
    }
}

use pyo3::prelude::*;
use rtckit_core::events::ReadyKeys;

/// An object's waiting events as (name, value) pairs, and whether its stream has ended.
pub type EventBatch<T> = (Vec<(&'static str, T)>, bool);

struct Hub {
    reader: Stream,
    writer: Stream,
    ready: ReadyKeys,
}

fn hub() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(|| {
        let (reader, writer) = socket_pair().expect("rtckit: cannot create the event socket pair");
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

/// The file descriptor (on Windows, the socket handle) asyncio watches for readability.
#[pyfunction]
pub fn hub_fd() -> PyResult<i64> {
    #[cfg(unix)]
    let fd = || std::os::unix::io::AsRawFd::as_raw_fd(&hub().reader) as i64;
    #[cfg(windows)]
    let fd = || std::os::windows::io::AsRawSocket::as_raw_socket(&hub().reader) as i64;
    crate::error::guard_value(fd)
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
