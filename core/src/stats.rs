//! getStats: webrtc-rs's W3C report (each entry in its W3C JSON shape), with what rtckit's
//! own encoders and decoders count merged into the RTP entries, and the congestion
//! controller's estimate on the candidate pair.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};
use webrtc::peer_connection::{PeerConnection as WebrtcPeerConnection, RTCStatsReportEntry, StatsSelector};

use crate::rtp_receiver::ReceiveCounters;
use crate::rtp_sender::RtpSender;

/// One stats object: `id`, `type`, `timestamp` and the W3C members of its type.
pub type Stats = Map<String, Value>;

fn to_json(entry: &RTCStatsReportEntry) -> Option<Stats> {
    use RTCStatsReportEntry as E;
    let value = match entry {
        E::PeerConnection(s) => serde_json::to_value(s),
        E::Transport(s) => serde_json::to_value(s),
        E::IceCandidatePair(s) => serde_json::to_value(s),
        E::LocalCandidate(s) | E::RemoteCandidate(s) => serde_json::to_value(s),
        E::Certificate(s) => serde_json::to_value(s),
        E::Codec(s) => serde_json::to_value(s),
        E::DataChannel(s) => serde_json::to_value(s),
        E::InboundRtp(s) => serde_json::to_value(s),
        E::OutboundRtp(s) => serde_json::to_value(s),
        E::RemoteInboundRtp(s) => serde_json::to_value(s),
        E::RemoteOutboundRtp(s) => serde_json::to_value(s),
        E::AudioSource(s) => serde_json::to_value(s),
        E::VideoSource(s) => serde_json::to_value(s),
        E::AudioPlayout(s) => serde_json::to_value(s),
        _ => return None,
    };
    match value {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The ICE transport's selected pair (local, remote), through SCTP or any sender.
async fn selected_pair(
    connection: &Arc<dyn WebrtcPeerConnection>,
    senders: &[RtpSender],
) -> Option<rtc::peer_connection::transport::RTCIceCandidatePair> {
    let mut dtls = connection.sctp().await.map(|sctp| sctp.transport());
    for sender in senders {
        if dtls.is_some() {
            break;
        }
        if let Some(webrtc) = sender.webrtc() {
            dtls = webrtc.transport().await.ok().flatten();
        }
    }
    dtls?.ice_transport().get_selected_candidate_pair().await.ok().flatten()
}

/// webrtc-rs names candidate stats "RTCLocalIceCandidate_<id>" / "RTCRemoteIceCandidate_<id>"
/// but its candidate pairs refer to the bare <id>, and it has no stats for a peer-reflexive
/// remote candidate (one learnt from a connectivity check before it was signalled): W3C
/// wants every *CandidateId to name a stats object. Pairs are pointed at the candidate
/// stats, and the selected pair's remote candidate gets one if it has none.
fn link_candidates(out: &mut Vec<Stats>, selected: Option<rtc::peer_connection::transport::RTCIceCandidatePair>) {
    let ids: std::collections::HashSet<String> =
        out.iter().filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned)).collect();
    let mut added = Vec::new();
    for stats in out.iter_mut().filter(|s| s.get("type").and_then(Value::as_str) == Some("candidate-pair")) {
        for (key, prefix, kind) in [
            ("localCandidateId", "RTCLocalIceCandidate_", "local-candidate"),
            ("remoteCandidateId", "RTCRemoteIceCandidate_", "remote-candidate"),
        ] {
            let Some(bare) = stats.get(key).and_then(Value::as_str).map(str::to_owned) else { continue };
            if ids.contains(&bare) {
                continue;
            }
            let named = format!("{prefix}{bare}");
            if !ids.contains(&named)
                && !added.iter().any(|a: &Stats| a.get("id").and_then(Value::as_str) == Some(&named))
            {
                let candidate =
                    selected.as_ref().map(|p| if kind == "local-candidate" { p.local() } else { p.remote() });
                let Some(c) = candidate.filter(|c| c.id == bare) else { continue };
                let mut entry = Stats::new();
                entry.insert("id".into(), named.clone().into());
                entry.insert("type".into(), kind.into());
                entry.insert("timestamp".into(), stats.get("timestamp").cloned().unwrap_or(Value::Null));
                entry.insert("transportId".into(), stats.get("transportId").cloned().unwrap_or(Value::Null));
                entry.insert("address".into(), c.address.clone().into());
                entry.insert("port".into(), c.port.into());
                entry.insert("protocol".into(), c.protocol.to_string().into());
                entry.insert("candidateType".into(), c.typ.to_string().into());
                entry.insert("priority".into(), c.priority.into());
                entry.insert("foundation".into(), c.foundation.clone().into());
                added.push(entry);
            }
            stats.insert(key.into(), named.into());
        }
    }
    out.extend(added);
}

pub(crate) async fn report(
    connection: &Arc<dyn WebrtcPeerConnection>,
    senders: &[RtpSender],
    receivers: &[Arc<ReceiveCounters>],
    estimate: Option<u32>,
    turn_url: impl Fn(&str) -> Option<String>,
) -> Vec<Stats> {
    let report = connection.get_stats(Instant::now(), StatsSelector::None).await;
    let selected = selected_pair(connection, senders).await;
    let senders: Vec<_> = senders.iter().map(RtpSender::stats).collect();
    let mut out = Vec::with_capacity(report.len());
    for entry in report.iter() {
        let Some(mut stats) = to_json(entry) else { continue };
        let ssrc = stats.get("ssrc").and_then(Value::as_u64).unwrap_or(0) as u32;
        match entry {
            RTCStatsReportEntry::OutboundRtp(_) => {
                if let Some((_, ours)) = senders.iter().find(|(s, _)| *s == ssrc) {
                    stats.extend(ours.clone());
                }
            }
            RTCStatsReportEntry::InboundRtp(_) => {
                if let Some(c) = receivers.iter().find(|c| c.ssrc.load(Ordering::Relaxed) == ssrc) {
                    if stats.get("kind").and_then(Value::as_str) == Some("video") {
                        stats.insert("framesDecoded".into(), c.frames_decoded.load(Ordering::Relaxed).into());
                        stats.insert("keyFramesDecoded".into(), c.key_frames_decoded.load(Ordering::Relaxed).into());
                        stats.insert("frameWidth".into(), c.frame_width.load(Ordering::Relaxed).into());
                        stats.insert("frameHeight".into(), c.frame_height.load(Ordering::Relaxed).into());
                    }
                }
            }
            RTCStatsReportEntry::LocalCandidate(_) => {
                // A relay over TCP or TLS: webrtc-rs saw a UDP server on 127.0.0.1
                // (turn_stream.rs), the user gave the real one.
                if let Some(url) = stats.get("url").and_then(Value::as_str).and_then(&turn_url) {
                    let protocol = if url.starts_with("turns:") { "tls" } else { "tcp" };
                    stats.insert("relayProtocol".into(), protocol.into());
                    stats.insert("url".into(), url.into());
                }
            }
            RTCStatsReportEntry::IceCandidatePair(_) => {
                if let (Some(estimate), Some(true)) = (estimate, stats.get("nominated").and_then(Value::as_bool)) {
                    stats.insert("availableOutgoingBitrate".into(), estimate.into());
                }
            }
            _ => {}
        }
        out.push(stats);
    }
    link_candidates(&mut out, selected);
    out
}

/// The W3C stats selection algorithm for a sender or receiver: its RTP stream stats (by
/// `ssrc`), and every stats object they refer to, directly or not, through a member whose
/// name ends in "Id" (codec, transport, candidate pair, candidates, certificates, ...).
pub(crate) fn select(report: Vec<Stats>, kind: &str, ssrc: u32) -> Vec<Stats> {
    let mut wanted: std::collections::HashSet<String> = report
        .iter()
        .filter(|s| {
            s.get("type").and_then(Value::as_str) == Some(kind)
                && s.get("ssrc").and_then(Value::as_u64) == Some(ssrc as u64)
        })
        .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    loop {
        let before = wanted.len();
        let refs: Vec<String> = report
            .iter()
            .filter(|s| s.get("id").and_then(Value::as_str).is_some_and(|id| wanted.contains(id)))
            .flat_map(|stats| stats.iter())
            .filter(|(key, _)| key.ends_with("Id"))
            .filter_map(|(_, v)| v.as_str().filter(|v| !v.is_empty()).map(str::to_owned))
            .collect();
        wanted.extend(refs);
        if wanted.len() == before {
            break;
        }
    }
    report.into_iter().filter(|s| s.get("id").and_then(Value::as_str).is_some_and(|id| wanted.contains(id))).collect()
}
