//! RTCSessionDescription: an SDP string and its type.

use parking_lot::Mutex;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

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

    /// Parses the SDP into webrtc-rs' description (in the form it reads: see [`readable`]);
    /// malformed SDP is an OperationError, as a browser reports it.
    pub(crate) fn to_webrtc(&self) -> Result<RTCSessionDescription> {
        let sdp = readable(&self.sdp).into_owned();
        let parsed = match self.sdp_type {
            SdpType::Offer => RTCSessionDescription::offer(sdp),
            SdpType::Answer => RTCSessionDescription::answer(sdp),
            SdpType::Pranswer => RTCSessionDescription::pranswer(sdp),
            SdpType::Rollback => RTCSessionDescription::rollback(if sdp.is_empty() { None } else { Some(sdp) }),
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
        self.sdp
            .lines()
            .find_map(|line| line.trim().strip_prefix("a=max-message-size:").and_then(|v| v.trim().parse().ok()))
    }
}

/// `sdp` in the form webrtc-rs reads. Two things valid peers send are rewritten:
/// - the data channel section of draft-ietf-mmusic-sctp-sdp-05 that older libwebrtc and aiortc
///   write (`m=application 9 DTLS/SCTP 5000` with `a=sctpmap:5000 webrtc-datachannel 1024`),
///   which webrtc-rs takes for an RTP section whose payload type 5000 does not fit: RFC 8841's
///   `UDP/DTLS/SCTP webrtc-datachannel` with `a=sctp-port:5000`;
/// - numbers of the o=, t= and b= lines past webrtc-rs's u64 (SDP sets no bound): their last 18
///   digits. webrtc-rs never uses a remote origin, times or bandwidth for anything else.
pub(crate) fn readable(sdp: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(sdp.len() + 32);
    let mut changed = false;
    let mut in_legacy_section = false;
    for line in sdp.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        let rewritten = if content.starts_with("m=") {
            let legacy = legacy_sctp_m_line(content);
            in_legacy_section = legacy.is_some();
            legacy.map(|(port, _)| format!("m=application {port} UDP/DTLS/SCTP webrtc-datachannel"))
        } else if let Some(map) = content.strip_prefix("a=sctpmap:").filter(|_| in_legacy_section) {
            Some(format!("a=sctp-port:{}", map.split(' ').next().unwrap_or("")))
        } else {
            fit_numbers(content)
        };
        match rewritten {
            Some(new) => {
                changed = true;
                out.push_str(&new);
                out.push_str(&line[content.len()..]);
            }
            None => out.push_str(line),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(sdp)
    }
}

/// The media port and SCTP port of a draft-05 data channel m-line.
fn legacy_sctp_m_line(m_line: &str) -> Option<(&str, &str)> {
    match m_line.split(' ').collect::<Vec<_>>().as_slice() {
        ["m=application", port, "DTLS/SCTP", sctp] if sctp.bytes().all(|b| b.is_ascii_digit()) => Some((port, sctp)),
        _ => None,
    }
}

/// An o=, t= or b= line whose numbers past u64 keep their last 18 digits; None if none is.
fn fit_numbers(line: &str) -> Option<String> {
    let fit = |field: &str| {
        let too_large = !field.is_empty() && field.bytes().all(|b| b.is_ascii_digit()) && field.parse::<u64>().is_err();
        too_large.then(|| field[field.len() - 18..].to_owned())
    };
    let (key, value) = (line.get(..2)?, line.get(2..)?);
    let numeric: &[usize] = match key {
        "o=" => &[1, 2], // <username> <sess-id> <sess-version> ...
        "t=" => &[0, 1],
        "b=" => {
            let (kind, bandwidth) = value.split_once(':')?;
            return fit(bandwidth).map(|b| format!("b={kind}:{b}"));
        }
        _ => return None,
    };
    let mut fields: Vec<String> = value.split(' ').map(str::to_owned).collect();
    let mut changed = false;
    for &i in numeric {
        if let Some(new) = fields.get(i).and_then(|f| fit(f)) {
            fields[i] = new;
            changed = true;
        }
    }
    changed.then(|| format!("{key}{}", fields.join(" ")))
}

/// `sdp` (webrtc-rs's) with its data channel section in the draft-05 form, for a peer that
/// writes that form: the exact inverse of [`readable`]'s rewrite, so webrtc-rs gets back what
/// it made. libwebrtc wrote 1024 streams there.
pub(crate) fn legacy_sctp(sdp: &str) -> String {
    let mut lines: Vec<String> = sdp.split_inclusive('\n').map(str::to_owned).collect();
    let content = |l: &str| l.trim_end_matches(['\r', '\n']).to_owned();
    let mut i = 0;
    while i < lines.len() {
        let m_line = content(&lines[i]);
        let fields: Vec<&str> = m_line.split(' ').collect();
        if let ["m=application", port, "UDP/DTLS/SCTP", "webrtc-datachannel"] = fields.as_slice() {
            let end = (i + 1..lines.len()).find(|&j| lines[j].starts_with("m=")).unwrap_or(lines.len());
            let sctp =
                (i + 1..end).find_map(|j| content(&lines[j]).strip_prefix("a=sctp-port:").map(|p| (j, p.to_owned())));
            if let Some((j, sctp_port)) = sctp {
                let ending = |l: &str| l[content(l).len()..].to_owned();
                lines[i] = format!("m=application {port} DTLS/SCTP {sctp_port}{}", ending(&lines[i]));
                lines[j] = format!("a=sctpmap:{sctp_port} webrtc-datachannel 1024{}", ending(&lines[j]));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    lines.concat()
}

/// Whether `sdp`'s data channel section has the draft-05 form (None: it has none).
fn writes_legacy_sctp(sdp: &str) -> Option<bool> {
    sdp.lines().map(|l| l.trim_end()).find_map(|l| {
        if legacy_sctp_m_line(l).is_some() {
            Some(true)
        } else {
            l.starts_with("m=application ").then_some(false)
        }
    })
}

/// What one connection's peer writes that webrtc-rs does not read, remembered so that
/// remoteDescription shows what the peer sent and the peer gets its data channel section in
/// the form it wrote (aiortc's `_sctpLegacySdp`: the last remote description decides).
#[derive(Default)]
pub(crate) struct RemoteDialect {
    legacy_sctp: AtomicBool,
    /// The last remote SDPs rtckit rewrote (the current and a pending one): as webrtc-rs has
    /// each, and as the peer sent it.
    rewritten: Mutex<VecDeque<(String, String)>>,
}

impl RemoteDialect {
    /// The remote `description` for webrtc-rs.
    pub(crate) fn to_webrtc(&self, description: &SessionDescription) -> Result<RTCSessionDescription> {
        let parsed = description.to_webrtc()?;
        if description.sdp_type != SdpType::Rollback {
            if let Some(legacy) = writes_legacy_sctp(&description.sdp) {
                self.legacy_sctp.store(legacy, Ordering::Relaxed);
            }
            if parsed.sdp != description.sdp {
                let mut rewritten = self.rewritten.lock();
                rewritten.push_back((parsed.sdp.clone(), description.sdp.clone()));
                if rewritten.len() > 2 {
                    rewritten.pop_front();
                }
            }
        }
        Ok(parsed)
    }

    /// webrtc-rs's remote description as the peer sent it.
    pub(crate) fn as_sent(&self, mut description: SessionDescription) -> SessionDescription {
        if let Some((_, sent)) = self.rewritten.lock().iter().find(|(ours, _)| *ours == description.sdp) {
            description.sdp = sent.clone();
        }
        description
    }

    /// A local SDP (webrtc-rs's) in the form the peer writes.
    pub(crate) fn for_peer(&self, sdp: &str) -> String {
        if self.legacy_sctp.load(Ordering::Relaxed) {
            legacy_sctp(sdp)
        } else {
            sdp.to_owned()
        }
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

/// Every a=fingerprint names a hash function of RFC 8122's registry and gives a hex digest:
/// one that does not could never verify the peer's certificate, so DTLS would fail later.
fn check_fingerprints(sdp: &str) -> Result<()> {
    const HASHES: [&str; 7] = ["sha-1", "sha-224", "sha-256", "sha-384", "sha-512", "md5", "md2"];
    for value in sdp.lines().filter_map(|l| l.trim().strip_prefix("a=fingerprint:")) {
        let (hash, digest) = value.split_once(' ').unwrap_or((value, ""));
        let hex = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_hexdigit());
        if !HASHES.contains(&hash.to_ascii_lowercase().as_str()) || !digest.trim().split(':').all(hex) {
            return Err(Error::operation(format!(
                "a=fingerprint:{value} is not a certificate fingerprint (a hash of RFC 8122's registry and a hex digest)"
            )));
        }
    }
    Ok(())
}

/// W3C's checks of a description before it applies: every audio and video section
/// multiplexes RTCP, and an answer has the offer's sections, in order, with their mids.
pub(crate) fn check_applicable(description: &SessionDescription, offer: Option<&SessionDescription>) -> Result<()> {
    let sections = media_sections(&description.sdp);
    if let Some(m) = sections.iter().find(|m| !m.rejected && (m.kind == "audio" || m.kind == "video") && !m.rtcp_mux) {
        return Err(Error::new(
            ErrorKind::InvalidAccessError,
            format!(
                "the {} section {:?} does not multiplex RTCP (a=rtcp-mux), which WebRTC requires",
                m.kind,
                m.mid.as_deref().unwrap_or("")
            ),
        ));
    }
    let mut mids = std::collections::HashSet::new();
    if let Some(mid) = sections.iter().filter_map(|m| m.mid.as_deref()).find(|mid| !mids.insert(*mid)) {
        return Err(Error::operation(format!(
            "the description has two media sections with mid {mid:?} (a=mid must be unique)"
        )));
    }
    check_fingerprints(&description.sdp)?;
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
            let mut out = MediaSection {
                kind,
                mid: None,
                rejected: port == "0",
                direction: "sendrecv",
                track_id: None,
                rtcp_mux: false,
                stream_ids: vec![],
                codecs: vec![],
            };
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
                        Some(stream) if !out.stream_ids.iter().any(|s| s == stream) => {
                            out.stream_ids.push(stream.to_owned())
                        }
                        Some(_) => {}
                    }
                    out.track_id = parts.next().map(str::to_owned).or(out.track_id.take());
                } else if line.starts_with("a=ssrc:") && line.contains(" msid:") && out.track_id.is_none() {
                    out.track_id = line.split_whitespace().nth(2).map(str::to_owned);
                    let stream = line.split_whitespace().nth(1).and_then(|s| s.strip_prefix("msid:"));
                    if let Some(stream) = stream.filter(|s| *s != "-" && out.stream_ids.is_empty()) {
                        out.stream_ids.push(stream.to_owned());
                    }
                } else if let Some(d) =
                    ["sendrecv", "sendonly", "recvonly", "inactive"].into_iter().find(|d| line == format!("a={d}"))
                {
                    out.direction = d;
                }
            }
            out.codecs = payload_types.iter().filter_map(|pt| names.get(*pt).cloned()).collect();
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data channel offer as libwebrtc wrote it before RFC 8841 (and aiortc with
    /// `_sctpLegacySdp`).
    const LEGACY: &str = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE data\r\nm=application 9 DTLS/SCTP 5000\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\na=setup:actpass\r\na=mid:data\r\na=sctpmap:5000 webrtc-datachannel 1024\r\n";

    #[test]
    fn the_draft_05_data_channel_section_is_read_in_its_rfc_8841_form() {
        let modern = readable(LEGACY);
        assert!(modern.contains("\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
        assert!(modern.contains("\r\na=sctp-port:5000\r\n") && !modern.contains("sctpmap"));
        SessionDescription::new("offer", LEGACY).unwrap().to_webrtc().unwrap();
        // Back to the peer's form, exactly.
        assert_eq!(legacy_sctp(&modern), LEGACY);
        assert_eq!(writes_legacy_sctp(LEGACY), Some(true));
        assert_eq!(writes_legacy_sctp(&modern), Some(false));
        assert_eq!(writes_legacy_sctp("v=0\r\n"), None);
    }

    #[test]
    fn numbers_past_u64_are_read() {
        for (from, to) in [
            ("o=- 4611731400430051336 2 IN", "o=- 4611731400430051336 2 IN"),
            ("o=- 9223372036854775808 2 IN", "o=- 9223372036854775808 2 IN"),
            ("o=- 123456789012345678901234 2 IN", "o=- 789012345678901234 2 IN"),
            ("o=- 1 99999999999999999999 IN", "o=- 1 999999999999999999 IN"),
        ] {
            let sdp = LEGACY.replace("o=- 4611731400430051336 2 IN", from);
            assert!(readable(&sdp).contains(&format!("\r\n{to}")), "{from}");
            assert_eq!(RTCSessionDescription::offer(sdp.clone()).is_ok(), from == to, "{from}");
            SessionDescription::new("offer", sdp).unwrap().to_webrtc().unwrap_or_else(|e| panic!("{from}: {e}"));
        }
        let sdp = LEGACY.replace("s=-\r\n", "s=-\r\nb=AS:123456789012345678901\r\n");
        assert!(RTCSessionDescription::offer(sdp.clone()).is_err());
        SessionDescription::new("offer", sdp).unwrap().to_webrtc().unwrap();
    }

    #[test]
    fn the_dialect_remembers_what_the_peer_sent() {
        let dialect = RemoteDialect::default();
        let parsed = dialect.to_webrtc(&SessionDescription::new("offer", LEGACY).unwrap()).unwrap();
        let ours = SessionDescription::from_webrtc(&parsed).unwrap();
        assert_eq!(dialect.as_sent(ours).sdp, LEGACY);
        assert!(dialect.for_peer(&parsed.sdp).contains("a=sctpmap:5000 webrtc-datachannel 1024"));
        // A peer that writes RFC 8841 gets RFC 8841.
        dialect.to_webrtc(&SessionDescription::new("offer", parsed.sdp.clone()).unwrap()).unwrap();
        assert_eq!(dialect.for_peer(&parsed.sdp), parsed.sdp);
    }
}
