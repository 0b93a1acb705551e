//! The one tokio runtime of the process, and the webrtc `Runtime` each connection runs on.
//!
//! Both bindings drive their futures on the same multi-thread runtime: Python hands it to
//! pyo3-async-runtimes, Node hands it to napi at module init. Everything core spawns goes to
//! [`handle()`].
//!
//! [`ConnectionRuntime`] wraps webrtc's tokio runtime to remove two traps of webrtc 0.21
//! measured in shared/WEBRTC-RS.md: UDP sockets keep the kernel's small default buffers
//! (bursts overflow, SCTP waits out its 1 s RTO), and the driver only flushes work queued
//! during a read at its next wake, which can be 200 ms away. So: right after a datagram
//! arrives the driver's next sleep ends at once (it goes round its loop and flushes the
//! replies it queued); while a connection is being set up, or shortly after it last
//! received a packet or was asked to do something, its sleeps are capped at 1 ms; an idle
//! connection sleeps as long as webrtc asks. Measured on loopback: connect and open a
//! channel in 3.5 ms instead of 600 ms.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use webrtc::runtime::{
    AsyncInterval, AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, JoinHandle, Runtime, TokioRuntime,
};

static HANDLE: OnceLock<tokio::runtime::Handle> = OnceLock::new();
static OWNED: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
/// The process that started the runtime's worker threads.
static OWNER_PID: OnceLock<u32> = OnceLock::new();

/// Fails in a child made by `fork()` after the parent started the runtime: the child has
/// the runtime's state but none of its threads, so any call would wait forever. Bindings
/// check this at every entry point (Python's `os.fork`; Node has no fork).
pub fn check_not_forked() -> crate::Result<()> {
    match OWNER_PID.get() {
        Some(&pid) if pid != std::process::id() => Err(crate::Error::invalid_state(
            "rtckit cannot be used in a process forked after its parent used rtckit: the child \
             has none of the parent's network threads. Start workers with multiprocessing's \
             'spawn' or 'forkserver' method, or import and use rtckit only after the fork",
        )),
        _ => Ok(()),
    }
}

fn build() -> tokio::runtime::Runtime {
    OWNER_PID.get_or_init(std::process::id);
    crate::logging::init_from_env();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("rtckit")
        .build()
        .expect("rtckit: cannot start the tokio runtime")
}

/// The process-wide runtime, created on first use and owned by core.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    let rt = OWNED.get_or_init(build);
    HANDLE.get_or_init(|| rt.handle().clone());
    rt
}

/// A handle to the process-wide runtime, wherever it is owned.
pub fn handle() -> &'static tokio::runtime::Handle {
    if let Some(handle) = HANDLE.get() {
        return handle;
    }
    runtime().handle()
}

/// Builds the process-wide runtime for a host that must own it (napi takes ownership of
/// the runtime it is given); core keeps a handle to it. Call before anything else.
pub fn build_for_host() -> Option<tokio::runtime::Runtime> {
    if HANDLE.get().is_some() {
        return None;
    }
    let rt = build();
    HANDLE.set(rt.handle().clone()).ok()?;
    Some(rt)
}

/// Tasks alive on the shared runtime: every connection's driver, pumps and timers. The soak
/// runs (scripts/soak.sh) sample it to show that closed connections leave nothing behind.
pub fn alive_tasks() -> usize {
    handle().metrics().num_alive_tasks()
}

/// Runs a future to completion on the shared runtime from a thread that is not one of its
/// workers (a Python or Node main thread).
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = handle();
    if tokio::runtime::Handle::try_current().is_ok() {
        // Already inside the runtime (a Rust caller): hand the work to a worker and wait.
        let (tx, rx) = std::sync::mpsc::channel();
        handle.spawn(async move {
            let _ = tx.send(future.await);
        });
        return tokio::task::block_in_place(|| rx.recv().expect("rtckit: worker task lost"));
    }
    handle.block_on(future)
}

const SOCKET_BUFFER_BYTES: usize = 4 << 20;
const FAST_WAKE: Duration = Duration::from_millis(1);
const ACTIVITY_WINDOW: Duration = Duration::from_millis(250);

/// The webrtc runtime of one connection; see the module header.
#[derive(Debug)]
pub struct ConnectionRuntime {
    inner: TokioRuntime,
    epoch: Instant,
    /// Nanoseconds after `epoch` until which sleeps are capped; u64::MAX while establishing.
    fast_until: Arc<AtomicU64>,
    /// Set when a datagram arrived: the driver's next sleep ends at once, so that what it
    /// queued while reading (an SCTP or DCEP reply, a DTLS flight) is flushed now.
    flush_soon: Arc<AtomicBool>,
}

impl ConnectionRuntime {
    pub fn new() -> Self {
        Self {
            inner: TokioRuntime,
            epoch: Instant::now(),
            fast_until: Arc::new(AtomicU64::new(u64::MAX)),
            flush_soon: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Keep wakes fast for a while: something was asked of the connection.
    pub fn poke(&self) {
        poke(&self.fast_until, self.epoch);
    }

    /// Keep wakes fast until [`Self::settle`].
    pub fn establishing(&self) {
        self.fast_until.store(u64::MAX, Ordering::Relaxed);
    }

    /// The connection is up (or gone): only activity keeps wakes fast now.
    pub fn settle(&self) {
        self.fast_until.store(0, Ordering::Relaxed);
        self.poke();
    }

    fn fast(&self) -> bool {
        let now = self.epoch.elapsed().as_nanos() as u64;
        now < self.fast_until.load(Ordering::Relaxed)
    }
}

impl Default for ConnectionRuntime {
    fn default() -> Self {
        Self::new()
    }
}

fn poke(fast_until: &AtomicU64, epoch: Instant) {
    let until = (epoch.elapsed() + ACTIVITY_WINDOW).as_nanos() as u64;
    fast_until.fetch_max(until, Ordering::Relaxed);
}

impl Runtime for ConnectionRuntime {
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()> + Send>>) -> Box<dyn JoinHandle> {
        let _guard = handle().enter();
        self.inner.spawn(future)
    }

    fn wrap_udp_socket(&self, socket: std::net::UdpSocket) -> io::Result<Arc<dyn AsyncUdpSocket>> {
        let sock = socket2::SockRef::from(&socket);
        // Best effort: the kernel clamps to net.core.{r,w}mem_max.
        let _ = sock.set_recv_buffer_size(SOCKET_BUFFER_BYTES);
        let _ = sock.set_send_buffer_size(SOCKET_BUFFER_BYTES);
        #[cfg(target_os = "linux")]
        let fd = std::os::fd::AsRawFd::as_raw_fd(&socket);
        let inner = self.inner.wrap_udp_socket(socket)?;
        // The wrap turns UDP GRO on, and webrtc then gives each socket, and the driver's
        // burst, a 96 KiB receive buffer for 64 coalesced datagrams. Off, each buffer is 2 KB.
        #[cfg(target_os = "linux")]
        let gro = {
            let off: libc::c_int = 0;
            // SAFETY: fd is the socket `inner` owns; the option value is a plain c_int.
            let set = unsafe {
                libc::setsockopt(
                    fd,
                    libc::SOL_UDP,
                    libc::UDP_GRO,
                    &off as *const libc::c_int as *const libc::c_void,
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            };
            set != 0 // still on when it could not be turned off
        };
        #[cfg(not(target_os = "linux"))]
        let gro = true;
        Ok(Arc::new(ActiveSocket {
            inner,
            fast_until: self.fast_until.clone(),
            flush_soon: self.flush_soon.clone(),
            epoch: self.epoch,
            gro,
        }))
    }

    fn wrap_tcp_listener(&self, listener: std::net::TcpListener) -> io::Result<Arc<dyn AsyncTcpListener>> {
        self.inner.wrap_tcp_listener(listener)
    }

    fn connect_tcp<'a>(
        &'a self,
        remote_addr: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = io::Result<Arc<dyn AsyncTcpStream>>> + Send + 'a>> {
        self.inner.connect_tcp(remote_addr)
    }

    fn resolve_host<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        self.inner.resolve_host(host)
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        if self.flush_soon.swap(false, Ordering::AcqRel) {
            // Once around the loop again, after letting other tasks run.
            return Box::pin(tokio::task::yield_now());
        }
        let duration = if self.fast() { duration.min(FAST_WAKE) } else { duration };
        self.inner.sleep(duration)
    }

    fn interval(&self, period: Duration) -> Box<dyn AsyncInterval> {
        self.inner.interval(period)
    }

    fn block_on(&self, future: Pin<Box<dyn Future<Output = ()> + '_>>) {
        self.inner.block_on(future)
    }

    fn yield_now(&self) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.inner.yield_now()
    }

    fn name(&self) -> &'static str {
        "rtckit-tokio"
    }
}

/// A UDP socket that marks its connection active whenever a datagram arrives, so that what
/// the driver queues in reply leaves within a millisecond.
#[derive(Debug)]
struct ActiveSocket {
    inner: Arc<dyn AsyncUdpSocket>,
    fast_until: Arc<AtomicU64>,
    flush_soon: Arc<AtomicBool>,
    epoch: Instant,
    /// Whether the kernel may coalesce datagrams into one read.
    gro: bool,
}

impl AsyncUdpSocket for ActiveSocket {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn poll_send(
        &self,
        cx: &mut std::task::Context<'_>,
        transmit: &webrtc::runtime::Transmit<'_>,
    ) -> std::task::Poll<io::Result<usize>> {
        self.inner.poll_send(cx, transmit)
    }

    fn poll_recv(
        &self,
        cx: &mut std::task::Context<'_>,
        bufs: &mut [io::IoSliceMut<'_>],
        meta: &mut [webrtc::runtime::RecvMeta],
    ) -> std::task::Poll<io::Result<usize>> {
        let polled = self.inner.poll_recv(cx, bufs, meta);
        if let std::task::Poll::Ready(Ok(_)) = polled {
            poke(&self.fast_until, self.epoch);
            self.flush_soon.store(true, Ordering::Release);
        }
        polled
    }

    fn max_gso_segments(&self) -> usize {
        self.inner.max_gso_segments()
    }

    fn max_gro_segments(&self) -> usize {
        if self.gro {
            self.inner.max_gro_segments()
        } else {
            1
        }
    }
}
