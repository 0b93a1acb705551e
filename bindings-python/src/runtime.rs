//! Points pyo3-async-runtimes at core's one tokio runtime, so every awaitable rtckit returns
//! runs there and no second runtime is started.

use pyo3::prelude::*;

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
    pyo3_async_runtimes::tokio::future_into_py(py, async move { fut.await.map_err(crate::error::to_py) })
}
