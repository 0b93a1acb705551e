//! NativeRtpTransceiver wraps core's RtpTransceiver; RTCRtpTransceiver (JS) keeps one object
//! per transceiver (by `key`) on top.

use napi_derive::napi;

use crate::error::IntoNapi;
use crate::rtp_sender::{CodecCapability, HeaderExtension, NativeRtpSender, NegotiatedCodec, RtcpParameters};

/// RTCRtpReceiver.getParameters.
#[napi(object)]
pub struct ReceiveParameters {
    pub codecs: Vec<NegotiatedCodec>,
    pub header_extensions: Vec<HeaderExtension>,
    pub rtcp: RtcpParameters,
}

/// The RTCDtlsTransport and RTCIceTransport states of the transceiver's transport.
#[napi(object)]
pub struct TransportState {
    pub dtls: String,
    pub ice: String,
    pub gathering: String,
    pub role: Option<String>,
}

#[napi]
pub struct NativeRtpTransceiver {
    pub(crate) inner: rtckit_core::rtp_transceiver::RtpTransceiver,
}

#[napi]
impl NativeRtpTransceiver {
    #[napi(getter, catch_unwind)]
    pub fn key(&self) -> i64 {
        self.inner.key() as i64
    }
    #[napi(getter, catch_unwind)]
    pub fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }
    #[napi(catch_unwind)]
    pub fn sender(&self) -> NativeRtpSender {
        NativeRtpSender { inner: self.inner.sender().clone() }
    }
    /// receiver.track: there from the start, muted until media arrives.
    #[napi(catch_unwind)]
    pub fn receiver_track(&self) -> crate::track::NativeTrack {
        crate::track::NativeTrack { inner: self.inner.receiver_track() }
    }
    #[napi(getter, catch_unwind)]
    pub fn stopped(&self) -> bool {
        self.inner.is_stopped()
    }
    #[napi(getter, catch_unwind)]
    pub fn mid(&self) -> Option<String> {
        self.inner.mid()
    }
    #[napi(getter, catch_unwind)]
    pub fn direction(&self) -> &'static str {
        self.inner.direction()
    }
    #[napi(catch_unwind)]
    pub fn set_direction(&self, direction: String) -> crate::error::Result<()> {
        self.inner.set_direction(&direction).napi()
    }
    #[napi(getter, catch_unwind)]
    pub fn current_direction(&self) -> Option<&'static str> {
        self.inner.current_direction()
    }
    #[napi(catch_unwind)]
    pub fn receive_parameters(&self) -> ReceiveParameters {
        let p = self.inner.receive_parameters();
        ReceiveParameters {
            codecs: p
                .codecs
                .into_iter()
                .map(|(payload_type, c)| NegotiatedCodec { payload_type: payload_type as u32, codec: c.into() })
                .collect(),
            header_extensions: p.header_extensions.into_iter().map(HeaderExtension::from).collect(),
            rtcp: p.rtcp.into(),
        }
    }
    /// None until a description associated the transceiver.
    #[napi(catch_unwind)]
    pub fn transport(&self) -> Option<TransportState> {
        self.inner.transport().map(|t| TransportState {
            dtls: t.dtls,
            ice: t.ice,
            gathering: t.gathering,
            role: t.role,
        })
    }
    #[napi(catch_unwind)]
    pub fn stop(&self) -> crate::error::Result<()> {
        self.inner.stop().napi()
    }
    #[napi(catch_unwind)]
    pub fn set_codec_preferences(&self, codecs: Vec<CodecCapability>) -> crate::error::Result<()> {
        let codecs = codecs.iter().map(CodecCapability::to_core).collect::<crate::error::Result<Vec<_>>>()?;
        self.inner.set_codec_preferences(&codecs).napi()
    }
}
