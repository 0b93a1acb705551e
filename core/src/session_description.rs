//! RTCSessionDescription: an SDP string and its type.

use webrtc::peer_connection::{RTCSdpType, RTCSessionDescription};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdpType {
    Offer,
    Pranswer,
    Answer,
    Rollback,
}

impl SdpType {
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "offer" => Ok(Self::Offer),
            "pranswer" => Ok(Self::Pranswer),
            "answer" => Ok(Self::Answer),
            "rollback" => Ok(Self::Rollback),
            other => Err(Error::type_error(format!(
                "description type must be \"offer\", \"answer\", \"pranswer\" or \"rollback\", not {other:?}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Pranswer => "pranswer",
            Self::Answer => "answer",
            Self::Rollback => "rollback",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    pub sdp_type: SdpType,
    pub sdp: String,
}

impl SessionDescription {
    pub fn new(sdp_type: &str, sdp: impl Into<String>) -> Result<Self> {
        Ok(Self { sdp_type: SdpType::parse(sdp_type)?, sdp: sdp.into() })
    }

    /// Parses the SDP into webrtc-rs' description; malformed SDP is an OperationError, as a
    /// browser reports it.
    pub(crate) fn to_webrtc(&self) -> Result<RTCSessionDescription> {
        let sdp = self.sdp.clone();
        let parsed = match self.sdp_type {
            SdpType::Offer => RTCSessionDescription::offer(sdp),
            SdpType::Answer => RTCSessionDescription::answer(sdp),
            SdpType::Pranswer => RTCSessionDescription::pranswer(sdp),
            SdpType::Rollback => {
                RTCSessionDescription::rollback(if sdp.is_empty() { None } else { Some(sdp) })
            }
        };
        parsed.map_err(|e| {
            Error::operation(format!(
                "the {} SDP could not be parsed ({e}); pass the sdp string exactly as the other peer produced it",
                self.sdp_type.as_str()
            ))
        })
    }

    pub(crate) fn from_webrtc(desc: &RTCSessionDescription) -> Option<Self> {
        let sdp_type = match desc.sdp_type {
            RTCSdpType::Offer => SdpType::Offer,
            RTCSdpType::Answer => SdpType::Answer,
            RTCSdpType::Pranswer => SdpType::Pranswer,
            RTCSdpType::Rollback => SdpType::Rollback,
            _ => return None,
        };
        Some(Self { sdp_type, sdp: desc.sdp.clone() })
    }

    /// The remote's `a=max-message-size` (RFC 8841), if it states one.
    pub(crate) fn max_message_size(&self) -> Option<usize> {
        self.sdp.lines().find_map(|line| {
            line.trim().strip_prefix("a=max-message-size:").and_then(|v| v.trim().parse().ok())
        })
    }
}
