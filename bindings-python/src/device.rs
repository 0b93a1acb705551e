//! mediaDevices for Python: wraps core's device.rs.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::track::PyTrack;

/// (name, exact, ideal) triples, as rtckit/media_devices.py normalises W3C constraints.
type Constraint = (String, Option<f64>, Option<f64>);

fn numeric(list: &[Constraint], name: &str) -> rtckit_core::device::Numeric {
    list.iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, exact, ideal)| rtckit_core::device::Numeric { exact: *exact, ideal: *ideal })
        .unwrap_or_default()
}

/// getUserMedia: each argument is None (not asked) or (deviceId, constraints).
#[pyfunction]
#[pyo3(signature = (audio=None, video=None))]
pub fn get_user_media(
    audio: Option<(Option<String>, Vec<Constraint>)>,
    video: Option<(Option<String>, Vec<Constraint>)>,
) -> PyResult<Vec<PyTrack>> {
    let audio = audio.map(|(device_id, c)| rtckit_core::device::AudioConstraints {
        device_id,
        sample_rate: numeric(&c, "sampleRate"),
        channel_count: numeric(&c, "channelCount"),
    });
    let video = video.map(|(device_id, c)| rtckit_core::device::VideoConstraints {
        device_id,
        width: numeric(&c, "width"),
        height: numeric(&c, "height"),
        frame_rate: numeric(&c, "frameRate"),
    });
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
