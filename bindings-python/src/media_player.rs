//! rtckit._native.MediaPlayer wraps core's media_player.rs.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::track::PyTrack;

#[pyclass(name = "MediaPlayer", module = "rtckit._native", frozen)]
pub struct PyMediaPlayer {
    inner: rtckit_core::MediaPlayer,
}

#[pymethods]
impl PyMediaPlayer {
    #[new]
    #[pyo3(signature = (path, looping = false, format = None, options = Vec::new(), decode = true))]
    fn new(
        path: &str,
        looping: bool,
        format: Option<String>,
        options: Vec<(String, String)>,
        decode: bool,
    ) -> PyResult<Self> {
        crate::error::guard(|| {
            let options = rtckit_core::PlayerOptions { format, options, looping, decode };
            Ok(Self { inner: rtckit_core::MediaPlayer::open_with(path, &options).py_err()? })
        })
    }
    #[getter]
    fn audio(&self) -> PyResult<Option<PyTrack>> {
        crate::error::guard_value(|| self.inner.audio().map(|inner| PyTrack { inner }))
    }
    #[getter]
    fn video(&self) -> PyResult<Option<PyTrack>> {
        crate::error::guard_value(|| self.inner.video().map(|inner| PyTrack { inner }))
    }
    fn stop(&self) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.stop())
    }
}
