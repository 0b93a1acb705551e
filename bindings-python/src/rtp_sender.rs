//! rtckit._native.RtpSender wraps core's RtpSender; rtckit.RTCRtpSender (Python) keeps the
//! Python track objects on top.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::track::PyTrack;

#[pyclass(name = "RtpSender", module = "rtckit._native", frozen)]
pub struct PyRtpSender {
    pub inner: rtckit_core::rtp_sender::RtpSender,
}

#[pymethods]
impl PyRtpSender {
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// Sends `track` from now on (None: nothing), without renegotiation.
    fn replace_track(&self, track: Option<PyRef<'_, PyTrack>>) -> PyResult<()> {
        self.inner.replace_track(track.as_ref().map(|t| &t.inner)).py_err()
    }
}
