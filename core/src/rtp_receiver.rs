//! RtpReceiver: turns a remote track's RTP into decoded frames on a local MediaStreamTrack.

use std::sync::Arc;

use bytes::BytesMut;
use rtc::rtp::codec::h264::H264Packet;
use rtc::rtp::packetizer::Depacketizer;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;

use crate::codec::H264Decoder;
use crate::source::MediaSource;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// A remote track as rtckit presents it: a MediaStreamTrack fed by the receiver, and the
/// ids of the streams the sender put it in.
pub struct RemoteTrack {
    pub track: MediaStreamTrack,
    pub stream_ids: Vec<String>,
}

/// Starts receiving `remote`; frames go to the returned track until the remote one ends.
pub(crate) async fn start(remote: Arc<dyn TrackRemote>) -> RemoteTrack {
    let kind = match remote.kind().await {
        RtpCodecKind::Audio => TrackKind::Audio,
        _ => TrackKind::Video,
    };
    let label = remote.label().await;
    let stream_id = remote.stream_id().await;
    let source = MediaSource::new(kind, &label);
    let track = source.create_track().expect("a new source is open");
    crate::runtime::handle().spawn(receive(remote, source, kind));
    RemoteTrack { track, stream_ids: if stream_id.is_empty() || stream_id == "-" { vec![] } else { vec![stream_id] } }
}

async fn receive(remote: Arc<dyn TrackRemote>, source: MediaSource, kind: TrackKind) {
    let mut depacketizer = H264Packet::default();
    let mut decoder = match H264Decoder::new() {
        Ok(d) => Some(d),
        Err(_) => None,
    };
    let mut unit = BytesMut::new();
    while let Some(event) = remote.poll().await {
        match event {
            TrackRemoteEvent::OnRtpPacket(packet) if kind == TrackKind::Video => {
                // Audio decoding (Opus, G.711) is not built in yet; H.264 video is.
                let Ok(part) = depacketizer.depacketize(&packet.payload) else { continue };
                unit.extend_from_slice(&part);
                if !packet.header.marker {
                    continue;
                }
                let Some(decoder) = decoder.as_mut() else { continue };
                if let Ok(Some(mut frame)) = decoder.decode(&unit) {
                    frame.pts = Some(packet.header.timestamp as i64);
                    if source.push(MediaFrame::Video(frame)).is_err() {
                        break;
                    }
                }
                unit.clear();
            }
            TrackRemoteEvent::OnEnded => break,
            _ => {}
        }
    }
    source.close();
}
