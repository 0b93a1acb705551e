//! RtpReceiver: turns a remote track's RTP into decoded frames on a local MediaStreamTrack.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use std::time::{Duration, Instant};

use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use crate::codec::{decoder_for, Decoder};
use crate::source::MediaSource;
use crate::track::{MediaStreamTrack, TrackKind};

/// A remote track as rtckit presents it: a MediaStreamTrack fed by the receiver, and the
/// ids of the streams the sender put it in.
pub struct RemoteTrack {
    pub track: MediaStreamTrack,
    pub stream_ids: Vec<String>,
    /// The sender's track id (its SDP's a=msid), and the source feeding `track`: closing it
    /// ends the track when the sender stops sending.
    pub(crate) remote_id: String,
    pub(crate) source: MediaSource,
    pub(crate) remote: Arc<dyn TrackRemote>,
    pub(crate) counters: Arc<ReceiveCounters>,
}

/// What a receiver counts for getStats' inbound-rtp (webrtc-rs counts packets, not frames).
#[derive(Default)]
pub(crate) struct ReceiveCounters {
    /// The id of the track the frames go to (getStats(track) selects by it).
    pub track_id: String,
    /// The SSRC the frames came on (0 before the first packet).
    pub ssrc: AtomicU32,
    pub frames_decoded: AtomicU64,
    pub key_frames_decoded: AtomicU64,
    pub frame_width: AtomicU32,
    pub frame_height: AtomicU32,
}

/// Minimum time between two keyframe requests the receiver makes on its own.
const PLI_INTERVAL: Duration = Duration::from_millis(500);

/// Asks the sender of `remote` for a key frame (RTCP PLI).
pub(crate) async fn request_key_frame(remote: &Arc<dyn TrackRemote>) {
    for media_ssrc in remote.ssrcs().await {
        let pli = PictureLossIndication { sender_ssrc: 0, media_ssrc };
        let _ = remote.write_rtcp(vec![Box::new(pli)]).await;
    }
}

/// Starts receiving `remote`; frames go to the returned track until the remote one ends.
pub(crate) async fn start(remote: Arc<dyn TrackRemote>) -> RemoteTrack {
    let kind = match remote.kind().await {
        RtpCodecKind::Audio => TrackKind::Audio,
        _ => TrackKind::Video,
    };
    let label = remote.label().await;
    let stream_id = remote.stream_id().await;
    let remote_id = remote.track_id().await;
    let source = MediaSource::new(kind, &label);
    let track = source.create_held_track().expect("a new source is open");
    let counters = Arc::new(ReceiveCounters { track_id: track.id().to_owned(), ..Default::default() });
    crate::runtime::handle().spawn(receive(remote.clone(), source.clone(), kind, counters.clone()));
    let stream_ids = if stream_id.is_empty() || stream_id == "-" { vec![] } else { vec![stream_id] };
    RemoteTrack { track, stream_ids, remote_id, source, remote, counters }
}

async fn receive(remote: Arc<dyn TrackRemote>, source: MediaSource, kind: TrackKind, counters: Arc<ReceiveCounters>) {
    // Made for the codec of the first packet, as its payload type says.
    let mut decoder: Option<Box<dyn Decoder>> = None;
    let mut payload_type = None;
    let mut last_request: Option<Instant> = None;
    while let Some(event) = remote.poll().await {
        match event {
            TrackRemoteEvent::OnRtpPacket(packet) => {
                if payload_type != Some(packet.header.payload_type) {
                    payload_type = Some(packet.header.payload_type);
                    decoder = match remote.codec(packet.header.ssrc).await.map(|c| decoder_for(&c)) {
                        Some(Ok(decoder)) => Some(decoder),
                        Some(Err(err)) => {
                            log::warn!("rtckit cannot decode this {kind:?} track: {err}");
                            None
                        }
                        None => None,
                    };
                }
                counters.ssrc.store(packet.header.ssrc, Ordering::Relaxed);
                let Some(decoder) = decoder.as_mut() else { continue };
                match decoder.decode(&packet.payload, packet.header.marker) {
                    Ok(Some(mut frame)) => {
                        frame.set_pts(packet.header.timestamp as i64);
                        if let crate::track::MediaFrame::Video(v) = &frame {
                            counters.frames_decoded.fetch_add(1, Ordering::Relaxed);
                            if v.unit.as_ref().is_some_and(|u| u.is_key_frame()) {
                                counters.key_frames_decoded.fetch_add(1, Ordering::Relaxed);
                            }
                            counters.frame_width.store(v.width(), Ordering::Relaxed);
                            counters.frame_height.store(v.height(), Ordering::Relaxed);
                        }
                        if source.push(frame).is_err() {
                            break;
                        }
                    }
                    Ok(None) => {}
                    Err(err) => {
                        // A unit that does not decode (a lost packet, or joining after the key
                        // frame): ask for a key frame rather than wait for the next periodic one.
                        log::debug!("rtckit dropped a received frame: {err}");
                        if kind == TrackKind::Video && last_request.is_none_or(|t| t.elapsed() >= PLI_INTERVAL) {
                            last_request = Some(Instant::now());
                            request_key_frame(&remote).await;
                        }
                    }
                }
            }
            TrackRemoteEvent::OnEnded => break,
            _ => {}
        }
    }
    source.close();
}
