//! mediaDevices for Python: wraps core's device.rs.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::track::PyTrack;

/// getUserMedia with W3C constraints serialised as JSON ({"audio": ..., "video": ...}).
/// Awaitable list of tracks.
#[pyfunction]
pub fn get_user_media<'py>(py: Python<'py>, constraints: &str) -> PyResult<Bound<'py, PyAny>> {
    crate::error::guard(|| {
        let (audio, video) = rtckit_core::device::parse_constraints(constraints).py_err()?;
        crate::runtime::awaitable_py(py, async move {
            let tracks = rtckit_core::device::get_user_media_async(audio, video).await?;
            Ok(move |py: Python<'_>| -> PyResult<Py<PyAny>> {
                let tracks: Vec<PyTrack> = tracks.into_iter().map(|inner| PyTrack { inner }).collect();
                Ok(tracks.into_pyobject(py)?.into_any().unbind())
            })
        })
    })
}

/// Awaitable list of (deviceId, kind, label, groupId), one for each device.
#[pyfunction]
pub fn enumerate_devices(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    crate::error::guard(|| {
        crate::runtime::awaitable(py, async move {
            Ok(rtckit_core::device::enumerate_devices_async()
                .await
                .into_iter()
                .map(|d| (d.device_id, d.kind, d.label, d.group_id))
                .collect::<Vec<_>>())
        })
    })
}

#[pyfunction]
pub fn use_fake_devices(enabled: bool) -> PyResult<()> {
    crate::error::guard_value(|| rtckit_core::device::use_fake_devices(enabled))
}

/// The frame number a fake camera drew into a frame (for tests and demos).
#[pyfunction]
pub fn read_frame_number(frame: PyRef<'_, crate::frame::PyVideoFrame>) -> PyResult<u32> {
    crate::error::guard_value(|| rtckit_core::device::read_frame_number(&frame.inner))
}
