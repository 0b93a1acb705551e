//! mediaDevices for Node: wraps core's device.rs.

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::error::IntoNapi;
use crate::track::NativeTrack;

#[napi(object)]
pub struct DeviceInfoObj {
    pub device_id: String,
    pub kind: String,
    pub label: String,
    pub group_id: String,
}

/// getUserMedia with W3C constraints serialised as JSON ({audio, video}).
#[napi(ts_return_type = "Promise<Array<NativeTrack>>", catch_unwind)]
pub fn get_user_media(env: &Env, constraints: String) -> crate::error::Result<PromiseRaw<'_, Vec<NativeTrack>>> {
    let (audio, video) = rtckit_core::device::parse_constraints(&constraints).napi()?;
    crate::error::spawn(env, async move {
        let tracks = rtckit_core::device::get_user_media_async(audio, video).await?;
        Ok(tracks.into_iter().map(|inner| NativeTrack { inner }).collect())
    })
}

#[napi]
pub async fn enumerate_devices() -> Vec<DeviceInfoObj> {
    rtckit_core::device::enumerate_devices_async()
        .await
        .into_iter()
        .map(|d| DeviceInfoObj { device_id: d.device_id, kind: d.kind.into(), label: d.label, group_id: d.group_id })
        .collect()
}

#[napi(catch_unwind)]
pub fn use_fake_devices(enabled: bool) {
    rtckit_core::device::use_fake_devices(enabled)
}

/// The frame number a fake camera drew into an I420 frame.
#[napi(catch_unwind)]
pub fn read_frame_number(
    width: u32,
    height: u32,
    data: napi::bindgen_prelude::Uint8Array,
) -> crate::error::Result<u32> {
    let frame = rtckit_core::VideoFrame::from_pixels(width, height, rtckit_core::PixelFormat::I420, &data).napi()?;
    Ok(rtckit_core::device::read_frame_number(&frame))
}
