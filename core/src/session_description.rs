//! RTCSessionDescription: an SDP string and its type.

use webrtc::peer_connection::{RTCSdpType, RTCSessionDescription};

use crate::error::{Error, ErrorKind, Result};

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

/// What rtckit reads of one m-section of an SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaSection {
    /// audio, video or application.
    pub kind: String,
    pub mid: Option<String>,
    /// Port 0: the section is rejected or its transceiver stopped.
    pub rejected: bool,
    /// sendrecv, sendonly, recvonly or inactive (sendrecv when the section says nothing).
    pub direction: &'static str,
    /// The sender's track id, from a=msid (or, for older peers, a=ssrc:... msid:).
    pub track_id: Option<String>,
    /// a=rtcp-mux: W3C requires it of every audio and video section.
    pub rtcp_mux: bool,
    /// The sender's stream ids, from each a=msid ("-" means none).
    pub stream_ids: Vec<String>,
    /// The codecs' encoding names (a=rtpmap), in the m-line's order: an answer's first is
    /// the one to send.
    pub codecs: Vec<String>,
}

/// `sdp` with the m-sections of `mids` rejected (port 0), as W3C describes a stopped
/// transceiver; webrtc-rs marks them inactive only, which a peer reads as a pause.
pub(crate) fn reject_sections(sdp: &str, mids: &[String]) -> String {
    if mids.is_empty() {
        return sdp.to_owned();
    }
    let mut sections: Vec<String> = sdp.split("\nm=").map(str::to_owned).collect();
    for section in sections.iter_mut().skip(1) {
        let mid = section.lines().find_map(|l| l.trim().strip_prefix("a=mid:").map(str::to_owned));
        if mid.is_some_and(|m| mids.contains(&m)) {
            let mut parts = section.splitn(3, ' ');
            let (kind, _port, rest) = (parts.next().unwrap_or(""), parts.next(), parts.next().unwrap_or(""));
            *section = format!("{kind} 0 {rest}");
        }
    }
    sections.join("\nm=")
}

/// W3C's checks of a description before it applies: every audio and video section
/// multiplexes RTCP, and an answer has the offer's sections, in order, with their mids.
pub(crate) fn check_applicable(description: &SessionDescription, offer: Option<&SessionDescription>) -> Result<()> {
    let sections = media_sections(&description.sdp);
    if let Some(m) = sections.iter().find(|m| !m.rejected && (m.kind == "audio" || m.kind == "video") && !m.rtcp_mux) {
        return Err(Error::new(
            ErrorKind::InvalidAccessError,
            format!("the {} section {:?} does not multiplex RTCP (a=rtcp-mux), which WebRTC requires", m.kind, m.mid.as_deref().unwrap_or("")),
        ));
    }
    if matches!(description.sdp_type, SdpType::Answer | SdpType::Pranswer) {
        if let Some(offer) = offer {
            let shape = |s: &[MediaSection]| s.iter().map(|m| (m.kind.clone(), m.mid.clone())).collect::<Vec<_>>();
            if shape(&sections) != shape(&media_sections(&offer.sdp)) {
                return Err(Error::new(
                    ErrorKind::InvalidAccessError,
                    "the answer's media sections (kinds and mids, in order) do not match the offer's",
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn media_sections(sdp: &str) -> Vec<MediaSection> {
    sdp.split("\nm=")
        .skip(1)
        .map(|section| {
            let mut lines = section.lines().map(str::trim);
            let m_line = lines.next().unwrap_or("");
            let port = m_line.split_whitespace().nth(1).unwrap_or("0");
            let payload_types: Vec<&str> = m_line.split_whitespace().skip(3).collect();
            let mut names = std::collections::HashMap::new();
            let kind = m_line.split_whitespace().next().unwrap_or("").to_owned();
            let mut out = MediaSection { kind, mid: None, rejected: port == "0", direction: "sendrecv", track_id: None, rtcp_mux: false, stream_ids: vec![], codecs: vec![] };
            for line in lines {
                if let Some((pt, name)) = line.strip_prefix("a=rtpmap:").and_then(|r| r.split_once(' ')) {
                    names.insert(pt.to_owned(), name.split('/').next().unwrap_or("").to_owned());
                } else if line == "a=rtcp-mux" {
                    out.rtcp_mux = true;
                } else if let Some(mid) = line.strip_prefix("a=mid:") {
                    out.mid = Some(mid.to_owned());
                } else if let Some(msid) = line.strip_prefix("a=msid:") {
                    let mut parts = msid.split_whitespace();
                    match parts.next() {
                        Some("-") | None => {}
                        Some(stream) if !out.stream_ids.iter().any(|s| s == stream) => out.stream_ids.push(stream.to_owned()),
                        Some(_) => {}
                    }
                    out.track_id = parts.next().map(str::to_owned).or(out.track_id.take());
                } else if line.starts_with("a=ssrc:") && line.contains(" msid:") && out.track_id.is_none() {
                    out.track_id = line.split_whitespace().nth(2).map(str::to_owned);
                    let stream = line.split_whitespace().nth(1).and_then(|s| s.strip_prefix("msid:"));
                    if let Some(stream) = stream.filter(|s| *s != "-" && out.stream_ids.is_empty()) {
                        out.stream_ids.push(stream.to_owned());
                    }
                } else if let Some(d) = ["sendrecv", "sendonly", "recvonly", "inactive"].into_iter().find(|d| line == format!("a={d}")) {
                    out.direction = d;
                }
            }
            out.codecs = payload_types.iter().filter_map(|pt| names.get(*pt).cloned()).collect();
            out
        })
        .collect()
}
