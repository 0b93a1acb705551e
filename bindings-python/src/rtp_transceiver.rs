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
    fn key(&self) -> u64 {
        self.inner.key()
    }
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }
    #[getter]
    fn sender(&self) -> Option<PyRtpSender> {
        self.inner.sender().map(|s| PyRtpSender { inner: s.clone() })
    }
    /// The id of the track its receiver got (None before media arrived).
    #[getter]
    fn receiver_track_id(&self) -> Option<String> {
        self.inner.receiver_track().map(|t| t.id().to_owned())
    }
    fn mid(&self, py: Python<'_>) -> Option<String> {
        let t = self.inner.clone();
        block(py, move || t.mid())
    }
    fn direction(&self, py: Python<'_>) -> &'static str {
        let t = self.inner.clone();
        block(py, move || t.direction())
    }
    fn set_direction(&self, py: Python<'_>, direction: String) -> PyResult<()> {
        let t = self.inner.clone();
        block(py, move || t.set_direction(&direction)).py_err()
    }
    fn current_direction(&self, py: Python<'_>) -> Option<&'static str> {
        let t = self.inner.clone();
        block(py, move || t.current_direction())
    }
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let t = self.inner.clone();
        block(py, move || t.stop()).py_err()
    }
    fn set_codec_preferences(&self, py: Python<'_>, codecs: Vec<CodecTuple>) -> PyResult<()> {
        let (t, codecs): (_, Vec<_>) = (self.inner.clone(), codecs.into_iter().map(codec_to_core).collect());
        block(py, move || t.set_codec_preferences(&codecs)).py_err()
    }
}
