//! rtckit._native.MediaStreamTrack / FrameReceiver / MediaStream wrap core's track.rs.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::frame::{PyAudioFrame, PyVideoFrame};
use crate::runtime::awaitable_py;

#[pyclass(name = "MediaStreamTrack", module = "rtckit._native", frozen)]
pub struct PyTrack {
    pub inner: rtckit_core::MediaStreamTrack,
}

#[pymethods]
impl PyTrack {
    #[getter]
    fn id(&self) -> PyResult<&str> {
        crate::error::guard_value(|| self.inner.id())
    }
    #[getter]
    fn kind(&self) -> PyResult<&'static str> {
        crate::error::guard_value(|| self.inner.kind().as_str())
    }
    #[getter]
    fn label(&self) -> PyResult<&str> {
        crate::error::guard_value(|| self.inner.label())
    }
    #[getter]
    fn enabled(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.enabled())
    }
    #[setter]
    fn set_enabled(&self, enabled: bool) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.set_enabled(enabled))
    }
    #[getter]
    fn ready_state(&self) -> PyResult<&'static str> {
        crate::error::guard_value(|| self.inner.ready_state())
    }
    fn stop(&self) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.stop())
    }
    /// W3C clone(): a new track fed by the same source.
    fn clone_track(&self) -> PyResult<PyTrack> {
        crate::error::guard_value(|| PyTrack { inner: self.inner.clone_track() })
    }
    /// W3C `muted`: a received track is muted until media arrives.
    #[getter]
    fn muted(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.muted())
    }
    /// Frames come from Python's own `recv()`, asked for by "demand" events.
    fn set_pulled(&self) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.set_pulled())
    }
    /// True if a consumer waited for a frame since the last call.
    fn take_demand(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.take_demand())
    }
    /// A new consumer of the track's frames.
    fn receiver(&self) -> PyResult<PyFrameReceiver> {
        crate::error::guard_value(|| PyFrameReceiver {
            inner: Arc::new(tokio::sync::Mutex::new(self.inner.subscribe())),
        })
    }
    fn listen(&self, key: u64) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.set_event_listener(crate::hub::listener(key)))
    }
    fn take_events(&self) -> PyResult<crate::hub::EventBatch<Option<()>>> {
        crate::error::guard_value(|| {
            let (events, ended) = self.inner.take_events();
            (events.into_iter().map(|e| (e.name(), None)).collect(), ended)
        })
    }
}

#[pyclass(name = "FrameReceiver", module = "rtckit._native", frozen)]
pub struct PyFrameReceiver {
    inner: Arc<tokio::sync::Mutex<rtckit_core::FrameReceiver>>,
}

#[pymethods]
impl PyFrameReceiver {
    /// Awaitable next frame (a VideoFrame or an AudioFrame); InvalidStateError once ended.
    fn recv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let receiver = self.inner.clone();
            awaitable_py(py, async move {
                let frame = receiver.lock().await.recv().await?;
                Ok(move |py: Python<'_>| -> PyResult<Py<PyAny>> {
                    Ok(match frame {
                        rtckit_core::MediaFrame::Video(inner) => Py::new(py, PyVideoFrame { inner })?.into_any(),
                        rtckit_core::MediaFrame::Audio(inner) => Py::new(py, PyAudioFrame { inner })?.into_any(),
                    })
                })
            })
        })
    }
}

#[pyclass(name = "MediaStream", module = "rtckit._native", frozen)]
pub struct PyMediaStream {
    inner: rtckit_core::MediaStream,
}

#[pymethods]
impl PyMediaStream {
    #[new]
    fn new(tracks: Vec<PyRef<'_, PyTrack>>) -> PyResult<Self> {
        crate::error::guard_value(|| Self {
            inner: rtckit_core::MediaStream::new(tracks.iter().map(|t| t.inner.clone()).collect()),
        })
    }
    #[getter]
    fn id(&self) -> PyResult<&str> {
        crate::error::guard_value(|| self.inner.id())
    }
    fn track_ids(&self) -> PyResult<Vec<String>> {
        crate::error::guard_value(|| self.inner.tracks().iter().map(|t| t.id().to_owned()).collect())
    }
    fn add_track(&self, track: PyRef<'_, PyTrack>) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.add_track(track.inner.clone()))
    }
    fn remove_track(&self, track: PyRef<'_, PyTrack>) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.remove_track(&track.inner))
    }
}

#[pyclass(name = "MediaSource", module = "rtckit._native", frozen)]
pub struct PyMediaSource {
    inner: rtckit_core::MediaSource,
}

#[pymethods]
impl PyMediaSource {
    #[new]
    fn new(kind: &str, label: &str) -> PyResult<Self> {
        crate::error::guard(|| {
            let kind = match kind {
                "video" => rtckit_core::TrackKind::Video,
                "audio" => rtckit_core::TrackKind::Audio,
                other => {
                    return Err(crate::error::to_py(rtckit_core::Error::type_error(format!(
                        "a source is \"audio\" or \"video\", not {other:?}"
                    ))))
                }
            };
            Ok(Self { inner: rtckit_core::MediaSource::new(kind, label) })
        })
    }
    fn create_track(&self) -> PyResult<PyTrack> {
        crate::error::guard(|| Ok(PyTrack { inner: self.inner.create_track().py_err()? }))
    }
    fn push_video(&self, frame: PyRef<'_, PyVideoFrame>) -> PyResult<usize> {
        crate::error::guard(|| self.inner.push(rtckit_core::MediaFrame::Video(frame.inner.clone())).py_err())
    }
    fn push_audio(&self, frame: PyRef<'_, PyAudioFrame>) -> PyResult<usize> {
        crate::error::guard(|| self.inner.push(rtckit_core::MediaFrame::Audio(frame.inner.clone())).py_err())
    }
    fn close(&self) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.close())
    }
    #[getter]
    fn closed(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.is_closed())
    }
}
