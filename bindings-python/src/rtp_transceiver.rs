//! rtckit._native.RtpTransceiver wraps core's RtpTransceiver; rtckit.RTCRtpTransceiver
//! (Python) keeps one object per transceiver (by `key`) on top.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::rtp_sender::{codec_to_core, CodecTuple, PyRtpSender};
use crate::runtime::block;

#[pyclass(name = "RtpTransceiver", module = "rtckit._native", frozen)]
pub struct PyRtpTransceiver {
    pub inner: rtckit_core::rtp_transceiver::RtpTransceiver,
}

#[pymethods]
impl PyRtpTransceiver {
    #[getter]
    fn key(&self) -> PyResult<u64> {
        crate::error::guard_value(|| self.inner.key())
    }
    #[getter]
    fn kind(&self) -> PyResult<&'static str> {
        crate::error::guard_value(|| self.inner.kind().as_str())
    }
    #[getter]
    fn sender(&self) -> PyResult<PyRtpSender> {
        crate::error::guard_value(|| PyRtpSender { inner: self.inner.sender().clone() })
    }
    /// receiver.track: there from the start, muted until media arrives.
    #[getter]
    fn receiver_track(&self) -> PyResult<crate::track::PyTrack> {
        crate::error::guard_value(|| crate::track::PyTrack { inner: self.inner.receiver_track() })
    }
    #[getter]
    fn stopped(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.is_stopped())
    }
    fn mid(&self, py: Python<'_>) -> PyResult<Option<String>> {
        crate::error::guard_value(|| {
            let t = self.inner.clone();
            block(py, move || t.mid())
        })
    }
    fn direction(&self, py: Python<'_>) -> PyResult<&'static str> {
        crate::error::guard_value(|| {
            let t = self.inner.clone();
            block(py, move || t.direction())
        })
    }
    fn set_direction(&self, py: Python<'_>, direction: String) -> PyResult<()> {
        crate::error::guard(|| {
            let t = self.inner.clone();
            block(py, move || t.set_direction(&direction)).py_err()
        })
    }
    fn current_direction(&self, py: Python<'_>) -> PyResult<Option<&'static str>> {
        crate::error::guard_value(|| {
            let t = self.inner.clone();
            block(py, move || t.current_direction())
        })
    }
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        crate::error::guard(|| {
            let t = self.inner.clone();
            block(py, move || t.stop()).py_err()
        })
    }
    fn set_codec_preferences(&self, py: Python<'_>, codecs: Vec<CodecTuple>) -> PyResult<()> {
        crate::error::guard(|| {
            let (t, codecs): (_, Vec<_>) = (self.inner.clone(), codecs.into_iter().map(codec_to_core).collect());
            block(py, move || t.set_codec_preferences(&codecs)).py_err()
        })
    }
}
