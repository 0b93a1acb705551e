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
    fn kind(&self) -> PyResult<&'static str> {
        crate::error::guard_value(|| self.inner.kind().as_str())
    }

    /// The track it sends (None: nothing).
    #[getter]
    fn track(&self) -> PyResult<Option<PyTrack>> {
        crate::error::guard_value(|| self.inner.track().map(|inner| PyTrack { inner }))
    }

    /// Sends `track` from now on (None: nothing), without renegotiation.
    fn replace_track(&self, track: Option<PyRef<'_, PyTrack>>) -> PyResult<()> {
        crate::error::guard(|| self.inner.replace_track(track.as_ref().map(|t| &t.inner)).py_err())
    }

    /// Whether both are handles on the same sender.
    fn same(&self, other: PyRef<'_, PyRtpSender>) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.same(&other.inner))
    }

    /// ([(payload type, codec), ...] as negotiated, maxBitrate).
    fn get_parameters(&self, py: Python<'_>) -> PyResult<Parameters> {
        crate::error::guard_value(|| {
            let sender = self.inner.clone();
            let p = crate::runtime::block(py, move || sender.get_parameters());
            (p.codecs.into_iter().map(|(pt, c)| (pt, codec_from_core(c))).collect(), p.max_bitrate)
        })
    }

    fn set_max_bitrate(&self, max: Option<u32>) -> PyResult<()> {
        crate::error::guard(|| self.inner.set_max_bitrate(max).py_err())
    }
}

/// (mimeType, clockRate, channels, sdpFmtpLine), as getCapabilities lists codecs.
pub type CodecTuple = (String, u32, Option<u16>, Option<String>);
/// What getParameters carries: the negotiated (payload type, codec) pairs, and maxBitrate.
pub type Parameters = (Vec<(u8, CodecTuple)>, Option<u32>);

pub fn codec_from_core(c: rtckit_core::codec::CodecCapability) -> CodecTuple {
    (c.mime_type, c.clock_rate, c.channels, c.sdp_fmtp_line)
}

pub fn codec_to_core(
    (mime_type, clock_rate, channels, sdp_fmtp_line): CodecTuple,
) -> rtckit_core::codec::CodecCapability {
    rtckit_core::codec::CodecCapability { mime_type, clock_rate, channels, sdp_fmtp_line }
}

pub fn parse_kind(kind: &str) -> PyResult<rtckit_core::TrackKind> {
    match kind {
        "audio" => Ok(rtckit_core::TrackKind::Audio),
        "video" => Ok(rtckit_core::TrackKind::Video),
        other => Err(rtckit_core::Error::type_error(format!("{other:?} is not a kind: audio or video"))).py_err(),
    }
}

/// RTCRtpSender/RTCRtpReceiver.getCapabilities(kind): the codecs rtckit has.
#[pyfunction]
pub fn codec_capabilities(kind: &str) -> PyResult<Vec<CodecTuple>> {
    crate::error::guard(|| {
        Ok(rtckit_core::codec::capabilities(parse_kind(kind)?).into_iter().map(codec_from_core).collect())
    })
}
