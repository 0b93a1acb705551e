//! mediaDevices for Node: wraps core's device.rs.

use napi_derive::napi;

use crate::error::IntoNapi;
use crate::track::NativeTrack;

/// One numeric constraint, as bindings-node/lib/media_devices.js normalises W3C ones.
#[napi(object)]
pub struct ConstraintObj {
    pub name: String,
    pub exact: Option<f64>,
    pub ideal: Option<f64>,
}

#[napi(object)]
pub struct KindConstraints {
    pub device_id: Option<String>,
    pub constraints: Vec<ConstraintObj>,
}

#[napi(object)]
pub struct DeviceInfoObj {
    pub device_id: String,
    pub kind: String,
    pub label: String,
    pub group_id: String,
}

fn numeric(list: &[ConstraintObj], name: &str) -> rtckit_core::device::Numeric {
    list.iter()
        .find(|c| c.name == name)
        .map(|c| rtckit_core::device::Numeric { exact: c.exact, ideal: c.ideal })
        .unwrap_or_default()
}

#[napi]
pub fn get_user_media(audio: Option<KindConstraints>, video: Option<KindConstraints>) -> napi::Result<Vec<NativeTrack>> {
    let audio = audio.map(|a| rtckit_core::device::AudioConstraints {
        sample_rate: numeric(&a.constraints, "sampleRate"),
        channel_count: numeric(&a.constraints, "channelCount"),
        device_id: a.device_id,
    });
    let video = video.map(|v| rtckit_core::device::VideoConstraints {
        width: numeric(&v.constraints, "width"),
        height: numeric(&v.constraints, "height"),
        frame_rate: numeric(&v.constraints, "frameRate"),
        device_id: v.device_id,
    });
    let tracks = rtckit_core::device::get_user_media(audio, video).napi()?;
    Ok(tracks.into_iter().map(|inner| NativeTrack { inner }).collect())
}

#[napi]
pub fn enumerate_devices() -> Vec<DeviceInfoObj> {
    rtckit_core::device::enumerate_devices()
        .into_iter()
        .map(|d| DeviceInfoObj { device_id: d.device_id, kind: d.kind.into(), label: d.label, group_id: d.group_id })
        .collect()
}

#[napi]
pub fn use_fake_devices(enabled: bool) {
    rtckit_core::device::use_fake_devices(enabled)
}

/// The frame number a fake camera drew into an I420 frame.
#[napi]
pub fn read_frame_number(width: u32, height: u32, data: napi::bindgen_prelude::Uint8Array) -> napi::Result<u32> {
    let frame = rtckit_core::VideoFrame::from_pixels(width, height, rtckit_core::PixelFormat::I420, &data).napi()?;
    Ok(rtckit_core::device::read_frame_number(&frame))
}
