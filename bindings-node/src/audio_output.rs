//! NativeAudioOutput wraps core's audio_output.rs for nonstandard.AudioOutput.

use napi_derive::napi;

use crate::error::IntoNapi;
use crate::track::NativeTrack;

#[napi]
pub struct NativeAudioOutput {
    inner: rtckit_core::AudioOutput,
}

#[napi]
impl NativeAudioOutput {
    #[napi(constructor, catch_unwind)]
    pub fn new(track: &NativeTrack, device_id: Option<String>) -> crate::error::Result<Self> {
        Ok(Self { inner: rtckit_core::AudioOutput::start(&track.inner, device_id.as_deref()).napi()? })
    }
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.inner.stop()
    }
    #[napi(getter, catch_unwind)]
    pub fn playing(&self) -> bool {
        self.inner.is_playing()
    }
}
