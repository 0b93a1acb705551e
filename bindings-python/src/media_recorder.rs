//! rtckit._native.MediaRecorder wraps core's media_recorder.rs (a path, or None for the
//! blackhole).

use std::sync::Arc;

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::runtime::awaitable;
use crate::track::PyTrack;

#[pyclass(name = "MediaRecorder", module = "rtckit._native", frozen)]
pub struct PyMediaRecorder {
    inner: Arc<rtckit_core::MediaRecorder>,
}

#[pymethods]
impl PyMediaRecorder {
    #[new]
    #[pyo3(signature = (path = None, format = None))]
    fn new(path: Option<&str>, format: Option<&str>) -> PyResult<Self> {
        crate::error::guard(|| {
            let inner = match path {
                Some(path) => rtckit_core::MediaRecorder::with_format(path, format).py_err()?,
                None => rtckit_core::MediaRecorder::blackhole(),
            };
            Ok(Self { inner: Arc::new(inner) })
        })
    }
    fn add_track(&self, track: PyRef<'_, PyTrack>) -> PyResult<()> {
        crate::error::guard(|| self.inner.add_track(&track.inner).py_err())
    }
    fn start(&self) -> PyResult<()> {
        crate::error::guard(|| self.inner.start().py_err())
    }
    fn stop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let inner = self.inner.clone();
            awaitable(py, async move { inner.stop().await })
        })
    }
    /// Frames (video) or packets (audio) written so far.
    #[getter]
    fn count(&self) -> PyResult<u64> {
        crate::error::guard_value(|| self.inner.count())
    }
}
