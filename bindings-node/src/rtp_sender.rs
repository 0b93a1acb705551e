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
    #[napi(getter, catch_unwind)]
    pub fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// The track it sends (null: nothing).
    #[napi(catch_unwind)]
    pub fn track(&self) -> Option<crate::track::NativeTrack> {
        self.inner.track().map(|inner| crate::track::NativeTrack { inner })
    }

    /// Sends `track` from now on (null: nothing), without renegotiation.
    #[napi(catch_unwind)]
    pub fn replace_track(&self, track: Option<&NativeTrack>) -> crate::error::Result<()> {
        self.inner.replace_track(track.map(|t| &t.inner)).napi()
    }

    /// Whether both are handles on the same sender.
    #[napi(catch_unwind)]
    pub fn same(&self, other: &NativeRtpSender) -> bool {
        self.inner.same(&other.inner)
    }

    #[napi(catch_unwind)]
    pub fn get_parameters(&self) -> SendParameters {
        let p = self.inner.get_parameters();
        SendParameters {
            codecs: p
                .codecs
                .into_iter()
                .map(|(payload_type, c)| NegotiatedCodec { payload_type: payload_type as u32, codec: c.into() })
                .collect(),
            max_bitrate: p.max_bitrate,
            header_extensions: p.header_extensions.into_iter().map(HeaderExtension::from).collect(),
            rtcp: p.rtcp.into(),
        }
    }

    #[napi(catch_unwind)]
    pub fn set_max_bitrate(&self, max: Option<u32>) -> crate::error::Result<()> {
        self.inner.set_max_bitrate(max).napi()
    }
}

#[napi(object)]
pub struct NegotiatedCodec {
    pub payload_type: u32,
    pub codec: CodecCapability,
}

#[napi(object)]
pub struct SendParameters {
    pub codecs: Vec<NegotiatedCodec>,
    pub max_bitrate: Option<u32>,
    pub header_extensions: Vec<HeaderExtension>,
    pub rtcp: RtcpParameters,
}

/// W3C RTCRtpHeaderExtensionParameters.
#[napi(object)]
pub struct HeaderExtension {
    pub uri: String,
    pub id: u32,
    pub encrypted: bool,
}

impl From<rtckit_core::rtp_sender::HeaderExtension> for HeaderExtension {
    fn from(h: rtckit_core::rtp_sender::HeaderExtension) -> Self {
        Self { uri: h.uri, id: h.id.into(), encrypted: h.encrypted }
    }
}

/// W3C RTCRtcpParameters.
#[napi(object)]
pub struct RtcpParameters {
    pub cname: String,
    pub reduced_size: bool,
}

impl From<rtckit_core::rtp_sender::RtcpParameters> for RtcpParameters {
    fn from(r: rtckit_core::rtp_sender::RtcpParameters) -> Self {
        Self { cname: r.cname, reduced_size: r.reduced_size }
    }
}

/// A codec as getCapabilities lists it (W3C RTCRtpCodec).
#[napi(object)]
pub struct CodecCapability {
    pub mime_type: String,
    pub clock_rate: u32,
    pub channels: Option<u32>,
    pub sdp_fmtp_line: Option<String>,
}

impl From<rtckit_core::codec::CodecCapability> for CodecCapability {
    fn from(c: rtckit_core::codec::CodecCapability) -> Self {
        Self {
            mime_type: c.mime_type,
            clock_rate: c.clock_rate,
            channels: c.channels.map(u32::from),
            sdp_fmtp_line: c.sdp_fmtp_line,
        }
    }
}

impl CodecCapability {
    pub fn to_core(&self) -> crate::error::Result<rtckit_core::codec::CodecCapability> {
        let channels = self
            .channels
            .map(u16::try_from)
            .transpose()
            .map_err(|_| rtckit_core::Error::new(rtckit_core::ErrorKind::RangeError, "channels is out of range"))
            .napi()?;
        Ok(rtckit_core::codec::CodecCapability {
            mime_type: self.mime_type.clone(),
            clock_rate: self.clock_rate,
            channels,
            sdp_fmtp_line: self.sdp_fmtp_line.clone(),
        })
    }
}

pub fn parse_kind(kind: &str) -> crate::error::Result<rtckit_core::TrackKind> {
    match kind {
        "audio" => Ok(rtckit_core::TrackKind::Audio),
        "video" => Ok(rtckit_core::TrackKind::Video),
        other => Err(rtckit_core::Error::type_error(format!("{other:?} is not a kind: audio or video"))).napi(),
    }
}

/// RTCRtpSender/RTCRtpReceiver.getCapabilities(kind): the codecs rtckit has.
#[napi(catch_unwind)]
pub fn codec_capabilities(kind: String) -> crate::error::Result<Vec<CodecCapability>> {
    Ok(rtckit_core::codec::capabilities(parse_kind(&kind)?).into_iter().map(CodecCapability::from).collect())
}
