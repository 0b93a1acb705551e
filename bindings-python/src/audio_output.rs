//! rtckit._native.AudioOutput wraps core's audio_output.rs.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::track::PyTrack;

#[pyclass(name = "AudioOutput", module = "rtckit._native", frozen)]
pub struct PyAudioOutput {
    inner: rtckit_core::AudioOutput,
}

#[pymethods]
impl PyAudioOutput {
    #[new]
    #[pyo3(signature = (track, device_id = None))]
    fn new(py: Python<'_>, track: PyRef<'_, PyTrack>, device_id: Option<String>) -> PyResult<Self> {
        crate::error::guard(|| {
            let track = track.inner.clone();
            // Opening a device can take a moment: without the GIL.
            let inner = py.detach(move || rtckit_core::AudioOutput::start(&track, device_id.as_deref())).py_err()?;
            Ok(Self { inner })
        })
    }
    fn stop(&self) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.stop())
    }
    #[getter]
    fn playing(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.is_playing())
    }
}
