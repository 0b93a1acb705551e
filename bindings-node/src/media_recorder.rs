//! NativeMediaRecorder wraps core's media_recorder.rs for nonstandard.MediaRecorder and
//! MediaBlackhole (no path).

use std::sync::Arc;

use napi_derive::napi;

use crate::error::IntoNapi;
use crate::track::NativeTrack;

#[napi]
pub struct NativeMediaRecorder {
    inner: Arc<rtckit_core::MediaRecorder>,
}

#[napi]
impl NativeMediaRecorder {
    #[napi(constructor, catch_unwind)]
    pub fn new(path: Option<String>, format: Option<String>) -> crate::error::Result<Self> {
        let inner = match path {
            Some(path) => rtckit_core::MediaRecorder::with_format(&path, format.as_deref()).napi()?,
            None => rtckit_core::MediaRecorder::blackhole(),
        };
        Ok(Self { inner: Arc::new(inner) })
    }
    #[napi(catch_unwind)]
    pub fn add_track(&self, track: &NativeTrack) -> crate::error::Result<()> {
        self.inner.add_track(&track.inner).napi()
    }
    #[napi(catch_unwind)]
    pub fn start(&self) -> crate::error::Result<()> {
        self.inner.start().napi()
    }
    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn stop<'env>(
        &self,
        env: &'env napi::Env,
    ) -> crate::error::Result<napi::bindgen_prelude::PromiseRaw<'env, ()>> {
        let inner = self.inner.clone();
        crate::error::spawn(env, async move { inner.stop().await })
    }
    /// Frames (video) or packets (audio) written so far.
    #[napi(getter, catch_unwind)]
    pub fn count(&self) -> f64 {
        self.inner.count() as f64
    }
}
