//! Points pyo3-async-runtimes at core's one tokio runtime, so every awaitable rtckit returns
//! runs there and no second runtime is started.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// Futures handed to Python and not finished yet; and whether there ever was one.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static USED: AtomicBool = AtomicBool::new(false);

/// Counts a future while it lives (dropped when it completes or is cancelled).
pub struct InFlight;

impl InFlight {
    pub fn new() -> Self {
        USED.store(true, Ordering::Relaxed);
        IN_FLIGHT.fetch_add(1, Ordering::AcqRel);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Registered with atexit: when asyncio.run returns it cancels rtckit's pending awaitables,
/// and pyo3-async-runtimes completes each from a runtime thread that attaches to Python.
/// Wait for those to finish while the interpreter is still whole, so none attaches to a
/// finalizing one.
#[pyfunction]
pub fn _shutdown(py: Python<'_>) -> PyResult<()> {
    if rtckit_core::runtime::check_not_forked().is_err() {
        return Ok(()); // a child forked from a user of rtckit: nothing of ours runs in it
    }
    crate::error::guard_value(|| {
        if !USED.load(Ordering::Relaxed) {
            return;
        }
        py.detach(|| {
            let deadline = Instant::now() + Duration::from_millis(500);
            while IN_FLIGHT.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            // The completion itself runs just after the future is dropped.
            std::thread::sleep(Duration::from_millis(20));
        });
    })
}

pub fn init() {
    // Err means it was already initialised (the module imported twice): nothing to do.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(rtckit_core::runtime::runtime());
}

/// Runs a short core operation to completion without holding the GIL.
pub fn block<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
    py.detach(f)
}

/// An awaitable for a core future; errors become rtckit exceptions.
pub fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: std::future::Future<Output = rtckit_core::Result<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let guard = InFlight::new();
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let _guard = guard;
        // A panic in the core fails the call with OperationError (pyo3 would raise RustPanic).
        rtckit_core::error::catch_panic_async(fut).await.map_err(crate::error::to_py)
    })
}

/// An awaitable for a core future whose result is built into a Python object once the GIL
/// is held (frames, objects): `fut` returns a closure doing that.
pub fn awaitable_py<'py, F, B>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: std::future::Future<Output = rtckit_core::Result<B>> + Send + 'static,
    B: FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let guard = InFlight::new();
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let _guard = guard;
        let build = rtckit_core::error::catch_panic_async(fut).await.map_err(crate::error::to_py)?;
        Python::attach(build)
    })
}

/// Tasks alive on rtckit's runtime, for the soak run's leak curve.
#[pyfunction]
pub fn _runtime_tasks() -> PyResult<usize> {
    crate::error::guard_value(rtckit_core::runtime::alive_tasks)
}
