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
    /// `options` are [name, value] pairs of ffmpeg options.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        path: String,
        looping: bool,
        format: Option<String>,
        options: Vec<Vec<String>>,
        decode: bool,
    ) -> crate::error::Result<Self> {
        let options = options
            .into_iter()
            .map(|pair| match <[String; 2]>::try_from(pair) {
                Ok([name, value]) => Ok((name, value)),
                Err(_) => Err(crate::error::to_napi(rtckit_core::Error::type_error("options are [name, value] pairs"))),
            })
            .collect::<crate::error::Result<Vec<_>>>()?;
        let options = rtckit_core::PlayerOptions { format, options, looping, decode };
        Ok(Self { inner: rtckit_core::MediaPlayer::open_with(&path, &options).napi()? })
    }
    #[napi(getter, catch_unwind)]
    pub fn audio(&self) -> Option<NativeTrack> {
        self.inner.audio().map(|inner| NativeTrack { inner })
    }
    #[napi(getter, catch_unwind)]
    pub fn video(&self) -> Option<NativeTrack> {
        self.inner.video().map(|inner| NativeTrack { inner })
    }
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.inner.stop()
    }
}
