//! Core errors become the Python classes of `rtckit.exceptions`, chosen by kind.

use pyo3::prelude::*;
use pyo3::types::PyAnyMethods;

pub fn to_py(err: rtckit_core::Error) -> PyErr {
    Python::attach(|py| {
        let built = py
            .import("rtckit.exceptions")
            .and_then(|m| m.getattr("from_kind"))
            .and_then(|f| f.call1((err.kind.name(), err.message.as_str())));
        match built {
            Ok(exc) => PyErr::from_value(exc),
            Err(import_failed) => import_failed,
        }
    })
}

/// Runs a method's body: a panic in it (a bug in rtckit or below) raises OperationError,
/// which `except Exception` catches, where pyo3 would raise its PanicException (a
/// BaseException). Every method and function of the module runs in it.
///
/// It also refuses every call in a child forked after the parent used rtckit (see
/// `runtime::check_not_forked`), where the call would otherwise hang.
pub fn guard<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    rtckit_core::runtime::check_not_forked().py_err()?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(to_py(rtckit_core::error::from_panic(payload))))
}

/// [`guard`] for a body that cannot fail otherwise.
pub fn guard_value<T>(body: impl FnOnce() -> T) -> PyResult<T> {
    guard(|| Ok(body()))
}

pub trait IntoPyResult<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for rtckit_core::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// Every kind's DOMException name, for the package to check its classes against.
#[pyfunction]
pub fn error_kinds() -> PyResult<Vec<&'static str>> {
    crate::error::guard_value(|| rtckit_core::ErrorKind::ALL.iter().map(|k| k.name()).collect())
}

/// Panics inside the core once the call has gone async, for the test that checks the panic
/// becomes an OperationError and the process goes on.
#[pyfunction]
pub fn _panic_for_test_async(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    crate::error::guard(|| crate::runtime::awaitable(py, rtckit_core::error::panic_for_test_async()))
}

/// Panics inside the core, for the test that checks the panic becomes an OperationError.
#[pyfunction]
pub fn _panic_for_test() -> PyResult<()> {
    guard(|| rtckit_core::error::panic_for_test().py_err())
}
