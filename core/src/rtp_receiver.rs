//! RtpReceiver: a transceiver's receiver; turns the remote's RTP into decoded frames on its
//! track, with the W3C lifecycle (muted until media arrives, ended with its transceiver).

use parking_lot::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use std::time::{Duration, Instant};

use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use crate::codec::{decoder_for, Decoder};
use crate::source::MediaSource;
use crate::track::{MediaStream, MediaStreamTrack, TrackKind};

/// A transceiver's receiver. Its track exists from the transceiver's creation, muted until
/// media arrives (W3C); webrtc-rs reports a remote track only at its first RTP packet, and
/// each such track is attached here, feeding the same receiver track.
#[derive(Clone)]
pub struct RtpReceiver {
    inner: Arc<ReceiverInner>,
}

struct ReceiverInner {
    track: MediaStreamTrack,
    source: MediaSource,
    counters: Arc<ReceiveCounters>,
    /// webrtc-rs's current remote track (None before the first packet).
    remote: Mutex<Option<Arc<dyn TrackRemote>>>,
    /// W3C [[FiredDirection]] includes recv: the track event fired and the remote sends.
    receiving: AtomicBool,
    /// The remote streams the track is in (the sender's a=msid).
    streams: Mutex<Vec<MediaStream>>,
}

impl RtpReceiver {
    pub(crate) fn new(kind: TrackKind) -> Self {
        let source = MediaSource::new(kind, &format!("remote {}", kind.as_str()));
        let track = source.create_held_track().expect("a new source is open");
        source.set_muted(true);
        let counters = Arc::new(ReceiveCounters { track_id: track.id().to_owned(), ..Default::default() });
        let inner = ReceiverInner {
            track,
            source,
            counters,
            remote: Mutex::new(None),
            receiving: AtomicBool::new(false),
            streams: Mutex::new(Vec::new()),
        };
        Self { inner: Arc::new(inner) }
    }

    /// receiver.track: the same track for the receiver's whole life.
    pub fn track(&self) -> &MediaStreamTrack {
        &self.inner.track
    }

    /// The remote streams the track is in now.
    pub fn streams(&self) -> Vec<MediaStream> {
        self.inner.streams.lock().clone()
    }

    pub(crate) fn counters(&self) -> &Arc<ReceiveCounters> {
        &self.inner.counters
    }

    pub(crate) fn remote(&self) -> Option<Arc<dyn TrackRemote>> {
        self.inner.remote.lock().clone()
    }

    /// W3C "process the addition of a remote track": true if the track event is due (the
    /// remote starts sending on this m-section). The track joins `streams`.
    pub(crate) fn start_receiving(&self, streams: Vec<MediaStream>) -> bool {
        for stream in &streams {
            stream.add_track(self.inner.track.clone());
        }
        let old = std::mem::replace(&mut *self.inner.streams.lock(), streams.clone());
        for stream in old.iter().filter(|o| !streams.iter().any(|s| s.id() == o.id())) {
            stream.remove_track(&self.inner.track);
        }
        !self.inner.receiving.swap(true, Ordering::AcqRel)
    }

    /// W3C "process the removal of a remote track": the remote no longer sends on this
    /// m-section; the track is muted and leaves its streams.
    pub(crate) fn stop_receiving(&self) {
        if self.inner.receiving.swap(false, Ordering::AcqRel) {
            for stream in std::mem::take(&mut *self.inner.streams.lock()) {
                stream.remove_track(&self.inner.track);
            }
            self.inner.source.set_muted(true);
        }
    }

    /// The transceiver stopped, its m-section was rejected, or the connection closed: the
    /// track ends for good. `fire` fires `ended` (W3C fires none for close()).
    pub(crate) fn end(&self, fire: bool) {
        if fire {
            self.inner.source.close();
        } else {
            self.inner.track.stop();
            self.inner.source.close();
        }
    }

    /// Receives `remote` (webrtc-rs saw its first packet) into the receiver's track.
    pub(crate) fn attach(&self, remote: Arc<dyn TrackRemote>) {
        *self.inner.remote.lock() = Some(remote.clone());
        let (kind, receiver) = (self.inner.track.kind(), self.clone());
        crate::runtime::handle().spawn(async move {
            receive(remote.clone(), &receiver, kind).await;
            // This remote track is over; the receiver's track stays, muted, for the next.
            let mut current = receiver.inner.remote.lock();
            if current.as_ref().is_some_and(|r| Arc::ptr_eq(r, &remote)) {
                *current = None;
                drop(current);
                receiver.inner.source.set_muted(true);
            }
        });
    }
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

async fn receive(remote: Arc<dyn TrackRemote>, receiver: &RtpReceiver, kind: TrackKind) {
    let (source, counters) = (&receiver.inner.source, &receiver.inner.counters);
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
                if source.muted() {
                    source.set_muted(false);
                }
                let Some(decoder) = decoder.as_mut() else { continue };
                let header = &packet.header;
                let received =
                    decoder.receive(header.sequence_number, header.timestamp, &packet.payload, header.marker);
                let received = received.unwrap_or_else(|err| {
                    // A unit that does not decode (joining after the key frame, a damaged one).
                    log::debug!("rtckit dropped a received frame: {err}");
                    crate::codec::Received { frames: Vec::new(), needs_key_frame: kind == TrackKind::Video }
                });
                for frame in received.frames {
                    if let crate::track::MediaFrame::Video(v) = &frame {
                        counters.frames_decoded.fetch_add(1, Ordering::Relaxed);
                        if v.unit.as_ref().is_some_and(|u| u.is_key_frame()) {
                            counters.key_frames_decoded.fetch_add(1, Ordering::Relaxed);
                        }
                        counters.frame_width.store(v.width(), Ordering::Relaxed);
                        counters.frame_height.store(v.height(), Ordering::Relaxed);
                    }
                    if source.push(frame).is_err() {
                        return;
                    }
                }
                // Ask for a key frame rather than wait for the next periodic one.
                if received.needs_key_frame && last_request.is_none_or(|t| t.elapsed() >= PLI_INTERVAL) {
                    last_request = Some(Instant::now());
                    request_key_frame(&remote).await;
                }
            }
            TrackRemoteEvent::OnEnded => break,
            _ => {}
        }
    }
}
