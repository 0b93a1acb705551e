//! NativeRtpSender wraps core's RtpSender; RTCRtpSender (JS) keeps the JS track objects on top.

use napi_derive::napi;

use crate::error::IntoNapi;
use crate::track::NativeTrack;

#[napi]
pub struct NativeRtpSender {
    pub(crate) inner: rtckit_core::rtp_sender::RtpSender,
}

#[napi]
impl NativeRtpSender {
    #[napi(getter)]
    pub fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// Sends `track` from now on (null: nothing), without renegotiation.
    #[napi]
    pub fn replace_track(&self, track: Option<&NativeTrack>) -> napi::Result<()> {
        self.inner.replace_track(track.map(|t| &t.inner)).napi()
    }
}
