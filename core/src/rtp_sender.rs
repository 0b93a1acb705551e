//! RtpSender: encodes a local track's frames and hands them to webrtc-rs for RTP.
//!
//! Video is sent as H.264 (codec.rs); audio sending arrives with Opus. The encoder is fed
//! from the track on its own task, so a slow encode never blocks the connection's driver.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack as WebrtcTrack;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::PeerConnection as WebrtcPeerConnection;
use webrtc::rtp_transceiver::RtpSender as WebrtcRtpSender;

use crate::codec::{H264Encoder, H264_FMTP};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::handle;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// H.264 bitrate until rtckit follows the transport's estimate.
const VIDEO_BITRATE: u32 = 2_000_000;

/// A track being sent on a connection.
#[derive(Clone)]
pub struct RtpSender {
    track: MediaStreamTrack,
}

impl RtpSender {
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }

    pub(crate) async fn start(
        connection: &Arc<dyn WebrtcPeerConnection>,
        track: &MediaStreamTrack,
        stream_ids: &[String],
    ) -> Result<Self> {
        if track.kind() != TrackKind::Video {
            return Err(Error::new(
                ErrorKind::NotSupportedError,
                "sending audio is not supported yet (it arrives with the Opus encoder); video tracks are sent as H.264",
            ));
        }
        if !track.is_live() {
            return Err(Error::invalid_state("the track has ended"));
        }
        let ssrc: u32 = rand_ssrc();
        let codec = RTCRtpCodec {
            mime_type: "video/H264".to_owned(),
            clock_rate: 90_000,
            channels: 0,
            sdp_fmtp_line: H264_FMTP.to_owned(),
            rtcp_feedback: vec![],
        };
        let stream_id = stream_ids.first().cloned().unwrap_or_else(|| "-".to_owned());
        let local = Arc::new(
            TrackLocalStaticSample::new(
                Instant::now(),
                WebrtcTrack::new(
                    stream_id,
                    track.id().to_owned(),
                    track.label().to_owned(),
                    RtpCodecKind::Video,
                    vec![RTCRtpEncodingParameters {
                        rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(ssrc), ..Default::default() },
                        codec,
                        ..Default::default()
                    }],
                ),
            )
            .map_err(|e| Error::from_webrtc("creating the video sender failed", e))?,
        );
        let sender = connection
            .add_track(local.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(|e| Error::from_webrtc("addTrack failed", e))?;
        handle().spawn(send_video(track.clone(), local, sender, ssrc));
        Ok(Self { track: track.clone() })
    }
}

fn rand_ssrc() -> u32 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    ((t as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as u32 | 1
}

async fn send_video(
    track: MediaStreamTrack,
    local: Arc<TrackLocalStaticSample>,
    sender: Arc<dyn WebrtcRtpSender>,
    ssrc: u32,
) {
    let mut frames = track.subscribe();
    let mut encoder = H264Encoder::new(VIDEO_BITRATE, 30.0);
    let mut payload_type = None;
    let mut last: Option<Instant> = None;
    // A key frame starts the stream, and follows any frame that could not be sent.
    let mut need_key = true;
    while let Ok(frame) = frames.recv().await {
        let MediaFrame::Video(frame) = frame else { continue };
        if payload_type.is_none() {
            // Known once negotiation has picked the codec; frames before that are dropped.
            payload_type = match sender.get_parameters().await {
                Ok(p) => p.rtp_parameters.codecs.first().map(|c| c.payload_type),
                Err(_) => None,
            };
            if payload_type.is_none() {
                continue;
            }
        }
        let now = Instant::now();
        let duration = last.map(|l| now - l).unwrap_or(Duration::from_millis(33));
        last = Some(now);
        let unit = match encoder.encode(&frame, need_key) {
            Ok(unit) if !unit.is_empty() => unit,
            _ => continue,
        };
        let sample = Sample { data: bytes::Bytes::from(unit), duration, ..Sample::new(now) };
        // Fails while not connected yet, or once the connection is gone (the track may
        // outlive it): the receiver would miss this frame, so the next one is a key frame.
        need_key = local.sample_writer(ssrc, payload_type.expect("set above")).write_sample(&sample).await.is_err();
    }
}
