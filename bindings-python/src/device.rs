//! mediaDevices for Python: wraps core's device.rs.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::track::PyTrack;

/// getUserMedia with W3C constraints serialised as JSON ({"audio": ..., "video": ...}).
#[pyfunction]
pub fn get_user_media(constraints: &str) -> PyResult<Vec<PyTrack>> {
    let (audio, video) = rtckit_core::device::parse_constraints(constraints).py_err()?;
    let tracks = rtckit_core::device::get_user_media(audio, video).py_err()?;
    Ok(tracks.into_iter().map(|inner| PyTrack { inner }).collect())
}

/// (deviceId, kind, label, groupId) of each device.
#[pyfunction]
pub fn enumerate_devices() -> Vec<(String, &'static str, String, String)> {
    rtckit_core::device::enumerate_devices()
        .into_iter()
        .map(|d| (d.device_id, d.kind, d.label, d.group_id))
        .collect()
}

#[pyfunction]
pub fn use_fake_devices(enabled: bool) {
    rtckit_core::device::use_fake_devices(enabled)
}

/// The frame number a fake camera drew into a frame (for tests and demos).
#[pyfunction]
pub fn read_frame_number(frame: PyRef<'_, crate::frame::PyVideoFrame>) -> u32 {
    rtckit_core::device::read_frame_number(&frame.inner)
}
