//! RtpTransceiver: a sender and receiver sharing one m-section (mid), with the W3C
//! direction, currentDirection, stop() and setCodecPreferences.

use std::sync::{Arc, Weak};

use rtc::rtp_transceiver::RTCRtpTransceiverDirection as Direction;
use webrtc::peer_connection::PeerConnection as WebrtcPeerConnection;
use webrtc::rtp_transceiver::RtpTransceiver as WebrtcRtpTransceiver;

use crate::codec::{preferences, CodecCapability};
use crate::error::{Error, Result};
use crate::rtp_receiver::RtpReceiver;
use crate::rtp_sender::RtpSender;
use crate::runtime::block_on;
use crate::session_description::{media_sections, SdpType, SessionDescription};
use crate::track::TrackKind;

/// A transceiver of a connection: the one handle core keeps for it, cloned to the bindings.
/// `key` is the same for every handle on one transceiver, so a binding keeps one object per
/// transceiver.
#[derive(Clone)]
pub struct RtpTransceiver {
    pub(crate) key: u64,
    pub(crate) kind: TrackKind,
    pub(crate) inner: Arc<dyn WebrtcRtpTransceiver>,
    pub(crate) sender: RtpSender,
    pub(crate) receiver: RtpReceiver,
    /// Set by stop() or a rejected m-section: webrtc-rs keeps reporting the old direction.
    pub(crate) stopped: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) connection: Weak<dyn WebrtcPeerConnection>,
    /// setCodecPreferences' list (empty: all), applied again after each remote description:
    /// webrtc-rs forgets it when a remote offer takes this transceiver for its m-section.
    pub(crate) preferences: Arc<parking_lot::Mutex<Vec<rtc::rtp_transceiver::rtp_sender::RTCRtpCodecParameters>>>,
}

/// The transport a transceiver's RTP goes over (W3C RTCDtlsTransport and its
/// RTCIceTransport), read when asked: with BUNDLE, one per connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportState {
    /// RTCDtlsTransport.state: "new", "connecting", "connected", "closed" or "failed".
    pub dtls: String,
    /// RTCIceTransport.state ("new", "checking", "connected", "completed", ...).
    pub ice: String,
    /// RTCIceTransport.gatheringState: "new", "gathering" or "complete".
    pub gathering: String,
    /// RTCIceTransport.role: "controlling" or "controlled"; None before it is known.
    pub role: Option<String>,
}

/// RTCRtpReceiver.getParameters: what negotiation settled on for receiving.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReceiveParameters {
    pub codecs: Vec<(u8, CodecCapability)>,
    pub header_extensions: Vec<crate::rtp_sender::HeaderExtension>,
    pub rtcp: crate::rtp_sender::RtcpParameters,
}

/// A W3C direction string.
pub fn parse_direction(direction: &str) -> Result<Direction> {
    match Direction::from(direction) {
        Direction::Unspecified => Err(Error::type_error(format!(
            "{direction:?} is not a direction: sendrecv, sendonly, recvonly or inactive"
        ))),
        d => Ok(d),
    }
}

fn direction_str(direction: Direction) -> Option<&'static str> {
    Some(match direction {
        Direction::Sendrecv => "sendrecv",
        Direction::Sendonly => "sendonly",
        Direction::Recvonly => "recvonly",
        Direction::Inactive => "inactive",
        _ => return None,
    })
}

/// The RTP parameters of the m-section with `mid`: a=rtpmap/a=fmtp in the m-line's order,
/// a=extmap, a=rtcp-rsize.
fn section_parameters(sdp: &str, mid: &str, kind: TrackKind) -> Option<ReceiveParameters> {
    let section = sdp.split("\nm=").skip(1).find(|s| s.lines().any(|l| l.trim() == format!("a=mid:{mid}")))?;
    let mut lines = section.lines().map(str::trim);
    let payload_types: Vec<u8> = lines.next()?.split_whitespace().skip(3).filter_map(|pt| pt.parse().ok()).collect();
    let (mut rtpmap, mut fmtp) = (std::collections::HashMap::new(), std::collections::HashMap::new());
    let mut out = ReceiveParameters::default();
    for line in lines {
        if let Some((pt, codec)) = line.strip_prefix("a=rtpmap:").and_then(|r| r.split_once(' ')) {
            rtpmap.insert(pt.parse::<u8>().ok()?, codec.to_owned());
        } else if let Some((pt, params)) = line.strip_prefix("a=fmtp:").and_then(|r| r.split_once(' ')) {
            fmtp.insert(pt.parse::<u8>().ok()?, params.to_owned());
        } else if let Some((id, uri)) = line.strip_prefix("a=extmap:").and_then(|r| r.split_once(' ')) {
            // a=extmap:<id>[/<direction>] <uri> [<attributes>]
            let id = id.split('/').next().and_then(|i| i.parse().ok());
            if let (Some(id), Some(uri)) = (id, uri.split_whitespace().next()) {
                out.header_extensions.push(crate::rtp_sender::HeaderExtension {
                    uri: uri.to_owned(),
                    id,
                    encrypted: false,
                });
            }
        } else if line == "a=rtcp-rsize" {
            out.rtcp.reduced_size = true;
        }
    }
    for pt in payload_types {
        let Some(codec) = rtpmap.get(&pt) else { continue };
        let mut parts = codec.split('/');
        let name = parts.next().unwrap_or_default();
        let clock_rate = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
        let channels = parts.next().and_then(|c| c.parse().ok());
        out.codecs.push((
            pt,
            CodecCapability {
                mime_type: format!("{}/{name}", kind.as_str()),
                clock_rate,
                channels,
                sdp_fmtp_line: fmtp.get(&pt).cloned(),
            },
        ));
    }
    Some(out)
}

impl RtpTransceiver {
    pub fn key(&self) -> u64 {
        self.key
    }

    pub fn kind(&self) -> TrackKind {
        self.kind
    }

    /// Its sender; it sends only once a track was added on this transceiver (addTrack,
    /// addTransceiver(track)).
    pub fn sender(&self) -> &RtpSender {
        &self.sender
    }

    pub fn receiver(&self) -> &RtpReceiver {
        &self.receiver
    }

    /// W3C `stopped`.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Acquire)
    }

    /// receiver.track: there from the start, muted until media arrives.
    pub fn receiver_track(&self) -> crate::track::MediaStreamTrack {
        self.receiver.track().clone()
    }

    pub fn mid(&self) -> Option<String> {
        let inner = self.inner.clone();
        block_on(async move { inner.mid().await.ok().flatten() })
    }

    /// "stopped" once stop() was called.
    pub fn direction(&self) -> &'static str {
        if self.is_stopped() {
            return "stopped";
        }
        let inner = self.inner.clone();
        block_on(async move { inner.direction().await.ok() }).and_then(direction_str).unwrap_or("inactive")
    }

    pub fn set_direction(&self, direction: &str) -> Result<()> {
        let direction = parse_direction(direction)?;
        if self.is_stopped() {
            return Err(Error::invalid_state("the transceiver is stopped"));
        }
        let inner = self.inner.clone();
        block_on(async move { inner.set_direction(direction).await })
            .map_err(|e| Error::from_webrtc("setting the direction failed", e))
    }

    /// The negotiated direction: the last applied answer's for this mid, seen from this
    /// side. None before negotiation, "stopped" once stopped. Read from the descriptions:
    /// webrtc-rs reports "inactive" for an answerer that receives.
    pub fn current_direction(&self) -> Option<&'static str> {
        if self.is_stopped() {
            return Some("stopped");
        }
        let (connection, mid) = (self.connection.upgrade()?, self.mid()?);
        let (local, remote) = block_on(async move {
            (connection.current_local_description().await, connection.current_remote_description().await)
        });
        let (local, remote) = (SessionDescription::from_webrtc(&local?)?, SessionDescription::from_webrtc(&remote?)?);
        let (answer, ours) = if local.sdp_type == SdpType::Answer { (local, true) } else { (remote, false) };
        let section = media_sections(&answer.sdp).into_iter().find(|m| m.mid.as_deref() == Some(mid.as_str()))?;
        Some(match (section.rejected, section.direction, ours) {
            (true, _, _) => "inactive",
            (_, "sendonly", false) => "recvonly",
            (_, "recvonly", false) => "sendonly",
            (_, direction, _) => direction,
        })
    }

    /// receiver.getParameters(): the codecs, header extensions and RTCP parameters of
    /// this transceiver's m-section in the last applied answer (empty before negotiation).
    /// Read from the description: webrtc-rs has no receiver until the first packet.
    pub fn receive_parameters(&self) -> ReceiveParameters {
        let (Some(connection), Some(mid)) = (self.connection.upgrade(), self.mid()) else { return Default::default() };
        let (local, remote) = block_on(async move {
            (connection.current_local_description().await, connection.current_remote_description().await)
        });
        let answer = [local, remote]
            .into_iter()
            .flatten()
            .filter_map(|d| SessionDescription::from_webrtc(&d))
            .find(|d| d.sdp_type == SdpType::Answer);
        answer.and_then(|a| section_parameters(&a.sdp, &mid, self.kind)).unwrap_or_default()
    }

    /// sender.transport / receiver.transport: None until a description associated the
    /// transceiver (W3C), and once the connection is gone.
    pub fn transport(&self) -> Option<TransportState> {
        let inner = self.inner.clone();
        block_on(async move {
            let mut transport = None;
            if let Some(receiver) = inner.receiver().await.ok().flatten() {
                transport = receiver.transport().await.ok().flatten();
            }
            if transport.is_none() {
                if let Some(sender) = inner.sender().await.ok().flatten() {
                    transport = sender.transport().await.ok().flatten();
                }
            }
            let transport = transport?;
            let ice = transport.ice_transport();
            let role = ice.role().await.ok().map(|r| r.to_string()).filter(|r| r == "controlling" || r == "controlled");
            Some(TransportState {
                dtls: transport.state().await.ok()?.to_string(),
                ice: ice.state().await.ok()?.to_string(),
                gathering: ice.gathering_state().await.ok()?.to_string(),
                role,
            })
        })
    }

    /// Stops sending and receiving for good; renegotiate after.
    pub fn stop(&self) -> Result<()> {
        if self.stopped.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return Ok(());
        }
        self.sender.stop();
        self.receiver.end(true);
        let inner = self.inner.clone();
        block_on(async move { inner.stop().await })
            .map_err(|e| Error::from_webrtc("stopping the transceiver failed", e))
    }

    /// Which codecs the next negotiation may pick, in order; an empty list restores them all.
    pub fn set_codec_preferences(&self, codecs: &[CodecCapability]) -> Result<()> {
        let codecs = preferences(self.kind, codecs)?;
        *self.preferences.lock() = codecs.clone();
        let inner = self.inner.clone();
        block_on(async move { inner.set_codec_preferences(codecs).await })
            .map_err(|e| Error::from_webrtc("setCodecPreferences failed", e))
    }
}
