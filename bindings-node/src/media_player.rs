//! NativeMediaPlayer wraps core's media_player.rs for nonstandard.MediaPlayer.

use napi_derive::napi;

use crate::error::IntoNapi;
use crate::track::NativeTrack;

#[napi]
pub struct NativeMediaPlayer {
    inner: rtckit_core::MediaPlayer,
}

#[napi]
impl NativeMediaPlayer {
    #[napi(constructor)]
    pub fn new(path: String, looping: bool) -> napi::Result<Self> {
        Ok(Self { inner: rtckit_core::MediaPlayer::open(&path, looping).napi()? })
    }
    #[napi(getter)]
    pub fn audio(&self) -> Option<NativeTrack> {
        self.inner.audio().map(|inner| NativeTrack { inner })
    }
    #[napi(getter)]
    pub fn video(&self) -> Option<NativeTrack> {
        self.inner.video().map(|inner| NativeTrack { inner })
    }
    #[napi]
    pub fn stop(&self) {
        self.inner.stop()
    }
}
