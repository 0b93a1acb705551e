//! Frame conversions for the `nonstandard` namespace (@roamhq/wrtc's i420ToRgba and
//! rgbaToI420), done by core's frame.rs.

use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::IntoNapi;

fn convert(width: u32, height: u32, from: &str, to: &str, data: &[u8]) -> crate::error::Result<Buffer> {
    let from = rtckit_core::PixelFormat::parse(from).napi()?;
    let to = rtckit_core::PixelFormat::parse(to).napi()?;
    let frame = rtckit_core::VideoFrame::from_pixels(width, height, from, data).napi()?;
    Ok(Buffer::from(frame.to_pixels(to)))
}

/// Converts a `from`-format image to `to` format ("i420", "rgba", "rgb24", "bgra", ...).
#[napi(catch_unwind)]
pub fn convert_pixels(
    width: u32,
    height: u32,
    from: String,
    to: String,
    data: Uint8Array,
) -> crate::error::Result<Buffer> {
    convert(width, height, &from, &to, &data)
}

/// The I420 image as a PNG.
#[napi(catch_unwind)]
pub fn i420_to_png(width: u32, height: u32, data: Uint8Array) -> crate::error::Result<Buffer> {
    let frame = rtckit_core::VideoFrame::from_pixels(width, height, rtckit_core::PixelFormat::I420, &data).napi()?;
    Ok(Buffer::from(frame.to_png()))
}
