//! RtpSender: encodes a local track's frames with the negotiated codec and sends them as RTP.
//!
//! The track can be replaced (replaceTrack) or taken away (removeTrack) without touching the
//! RTP stream: the send task follows whichever track the sender holds, and starts each new
//! one with a key frame. The codec is the first of the sender's negotiated list (H.264 or VP8 video, Opus or G.711
//! audio), known once negotiation is done; frames before that are dropped, as a browser's
//! are. The encoder runs on its own task, so a slow encode never blocks the connection's driver.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use rtc::media_stream::MediaStreamTrack as WebrtcTrack;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp::packetizer::{new_packetizer, Packetizer};
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::peer_connection::PeerConnection as WebrtcPeerConnection;
use webrtc::rtp_transceiver::RtpSender as WebrtcRtpSender;

use crate::codec::{capability_of, encoder_for, is_key_frame, CodecCapability, CodecName, Encoder};
use crate::error::{Error, Result};
use crate::runtime::{block_on, handle};
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// RTP packets stay under the path MTU with room for SRTP and header extensions.
const RTP_MTU: usize = 1200;

/// A track being sent on a connection. Clones share the one sender.
#[derive(Clone)]
pub struct RtpSender {
    inner: Arc<Inner>,
}

struct Inner {
    kind: TrackKind,
    /// The track being sent; None after removeTrack or replaceTrack(null).
    track: watch::Sender<Option<MediaStreamTrack>>,
    /// Set when the connection closes: the send task ends.
    stopped: Arc<AtomicBool>,
    counters: Arc<Counters>,
    /// webrtc-rs's sender, once a track was added on this transceiver (addTrack,
    /// addTransceiver(track)); a transceiver made from a kind or by a remote offer has none
    /// until then, and sends nothing.
    attached: Mutex<Option<Arc<Attached>>>,
    /// Counts attachments: after removeTrack webrtc-rs drops its sender, and a later addTrack
    /// on the same transceiver makes a new one; the send task of the old one then ends.
    generation: Arc<AtomicU64>,
    codec_bound: AtomicBool,
    /// How replaceTrack gets webrtc-rs to send for a sender that has nothing attached.
    attach_hook: Mutex<Option<AttachHook>>,
    /// What the send task needs from the connection.
    connected: watch::Receiver<bool>,
    estimate: Arc<AtomicU32>,
}

/// Attaches a track to a sender webrtc-rs has nothing for (set by the connection).
pub(crate) type AttachHook = Arc<dyn Fn(MediaStreamTrack) -> Result<()> + Send + Sync>;

/// What a sender gets once webrtc-rs sends for it.
pub(crate) struct Attached {
    webrtc: Arc<dyn WebrtcRtpSender>,
    local: Arc<TrackLocalStaticRTP>,
    /// What the webrtc-rs track was made with, to make it again with the negotiated codec.
    ids: (String, String, String),
    stream_ids: Vec<String>,
    ssrc: u32,
}

impl Attached {
    pub(crate) fn webrtc(&self) -> &Arc<dyn WebrtcRtpSender> {
        &self.webrtc
    }
}

/// What the sender and its send task share: getStats' key-frame counts and the bitrate cap.
#[derive(Default)]
struct Counters {
    /// keyFramesEncoded
    key_frames: AtomicU64,
    /// pliCount + firCount
    key_frame_requests: AtomicU64,
    /// pliCount (the rest of key_frame_requests are FIRs)
    plis: AtomicU64,
    /// setParameters' encodings[0].maxBitrate in bits per second; 0 for none.
    max_bitrate: AtomicU32,
    /// framesEncoded (video) and the payload bytes of every unit sent (bytesSent, less headers)
    frames_encoded: AtomicU64,
    bytes_sent: AtomicU64,
    /// The video encoder's target in bits per second (W3C targetBitrate); 0 for audio.
    target_bitrate: AtomicU32,
    /// Pushed video frames the encoder could not take (a newer one was waiting, or the
    /// sender fell behind the track): rtckit's outbound-rtp `framesDropped`.
    frames_dropped: AtomicU64,
    /// The last video frame's size.
    frame_width: AtomicU32,
    frame_height: AtomicU32,
}

/// RTCRtpSender.getParameters, as far as rtckit has it: the negotiated codecs (payload
/// type, codec) in order, and the one encoding's maxBitrate.
#[derive(Debug, Clone, PartialEq)]
pub struct SendParameters {
    pub codecs: Vec<(u8, CodecCapability)>,
    pub max_bitrate: Option<u32>,
    pub header_extensions: Vec<HeaderExtension>,
    pub rtcp: RtcpParameters,
}

/// A negotiated RTP header extension (W3C RTCRtpHeaderExtensionParameters).
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderExtension {
    pub uri: String,
    pub id: u16,
    pub encrypted: bool,
}

/// W3C RTCRtcpParameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RtcpParameters {
    pub cname: String,
    pub reduced_size: bool,
}

/// The codecs, header extensions and RTCP parameters of webrtc-rs's RTP parameters.
pub(crate) fn rtp_parameters(
    p: &rtc::rtp_transceiver::rtp_sender::RTCRtpParameters,
) -> (Vec<(u8, CodecCapability)>, Vec<HeaderExtension>, RtcpParameters) {
    (
        p.codecs.iter().map(|c| (c.payload_type, capability_of(&c.rtp_codec))).collect(),
        p.header_extensions
            .iter()
            .map(|h| HeaderExtension { uri: h.uri.clone(), id: h.id, encrypted: h.encrypted })
            .collect(),
        RtcpParameters { cname: p.rtcp.cname.clone(), reduced_size: p.rtcp.reduced_size },
    )
}

impl RtpSender {
    /// Key frames sent so far (W3C keyFramesEncoded).
    pub fn key_frames_encoded(&self) -> u64 {
        self.inner.counters.key_frames.load(Ordering::Relaxed)
    }

    /// Units encoded so far (W3C framesEncoded, for video).
    pub fn frames_encoded(&self) -> u64 {
        self.inner.counters.frames_encoded.load(Ordering::Relaxed)
    }

    /// Payload bytes sent so far (W3C bytesSent, without RTP headers).
    pub fn bytes_sent(&self) -> u64 {
        self.inner.counters.bytes_sent.load(Ordering::Relaxed)
    }

    /// The video encoder's current target in bits per second (W3C targetBitrate): the frame
    /// size's default, under the transport's estimate and maxBitrate. None before the first
    /// frame and for audio.
    pub fn target_bitrate(&self) -> Option<u32> {
        Some(self.inner.counters.target_bitrate.load(Ordering::Relaxed)).filter(|&b| b > 0)
    }

    /// Video frames the track delivered that the encoder could not take (outbound-rtp
    /// `framesDropped`): a pushed source faster than the encoder loses the older frames.
    pub fn frames_dropped(&self) -> u64 {
        self.inner.counters.frames_dropped.load(Ordering::Relaxed)
    }

    /// PLI and FIR requests received so far (W3C pliCount + firCount).
    pub fn key_frame_requests(&self) -> u64 {
        self.inner.counters.key_frame_requests.load(Ordering::Relaxed)
    }

    pub fn track(&self) -> Option<MediaStreamTrack> {
        self.inner.track.borrow().clone()
    }

    /// getParameters: the codecs negotiation settled on (none before), and maxBitrate.
    pub fn get_parameters(&self) -> SendParameters {
        let webrtc = self.attached().map(|a| a.webrtc.clone());
        let (codecs, header_extensions, rtcp) = webrtc
            .and_then(|webrtc| block_on(async move { webrtc.get_parameters().await.ok() }))
            .map(|p| rtp_parameters(&p.rtp_parameters))
            .unwrap_or_default();
        let max = self.inner.counters.max_bitrate.load(Ordering::Relaxed);
        SendParameters { codecs, max_bitrate: (max > 0).then_some(max), header_extensions, rtcp }
    }

    /// setParameters' maxBitrate: caps the video encoder from the next frame (None lifts it).
    pub fn set_max_bitrate(&self, max: Option<u32>) -> Result<()> {
        if self.inner.stopped.load(Ordering::Acquire) {
            return Err(Error::invalid_state("the connection is closed"));
        }
        if max == Some(0) {
            return Err(Error::new(crate::ErrorKind::RangeError, "maxBitrate must be more than 0"));
        }
        self.inner.counters.max_bitrate.store(max.unwrap_or(0), Ordering::Relaxed);
        Ok(())
    }

    pub fn kind(&self) -> TrackKind {
        self.inner.kind
    }

    /// Whether both are the same sender.
    pub fn same(&self, other: &RtpSender) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// replaceTrack: sends `track` from now on (None sends nothing), with no renegotiation.
    pub fn replace_track(&self, track: Option<&MediaStreamTrack>) -> Result<()> {
        if self.inner.stopped.load(Ordering::Acquire) {
            return Err(Error::invalid_state("the connection is closed"));
        }
        if let Some(track) = track {
            if track.kind() != self.inner.kind {
                return Err(Error::type_error(format!(
                    "replaceTrack needs a {} track, not {}",
                    self.inner.kind.as_str(),
                    track.kind().as_str()
                )));
            }
        }
        if let Some(track) = track.filter(|_| !self.is_attached()) {
            // Nothing sends for this transceiver yet: webrtc-rs must attach a sender first.
            let hook = self.inner.attach_hook.lock().clone();
            if let Some(hook) = hook {
                return hook(track.clone());
            }
        }
        self.inner.track.send_replace(track.cloned());
        Ok(())
    }

    /// Names the codec the answer chose on the webrtc-rs track, before the description that
    /// completes negotiation is applied. webrtc-rs binds a sender's stream to its interceptors
    /// (NACK buffers, TWCC numbers, sender reports) only when the track names a negotiated
    /// codec, and a track naming one is offered with that codec alone: rtckit offers every
    /// codec, then names the chosen one here. Once; later renegotiations keep the binding.
    pub(crate) async fn bind_codec(&self, codec: CodecName) {
        let Some(attached) = self.attached() else { return };
        if self.inner.codec_bound.swap(true, Ordering::AcqRel) {
            return;
        }
        let webrtc = &attached.webrtc;
        let Ok(parameters) = webrtc.get_parameters().await else { return };
        let Some(encoding) = parameters.encodings.first() else { return };
        let named =
            webrtc_track(&attached.ids, self.inner.kind, encoding.rtp_coding_parameters.clone(), codec.rtp_codec());
        // Only the track description changes: the bound TrackLocal (what send() writes to)
        // stays the one addTrack gave.
        if webrtc.replace_track(Arc::new(TrackLocalStaticRTP::new(named))).await.is_ok()
            && !attached.stream_ids.is_empty()
        {
            let _ = webrtc.set_streams(attached.stream_ids.clone()).await;
        }
    }

    /// What rtckit adds to this sender's outbound-rtp stats (webrtc-rs counts packets):
    /// its SSRC and the W3C members for frames and the encoder.
    pub(crate) fn stats(&self) -> (u32, serde_json::Map<String, serde_json::Value>) {
        let c = &self.inner.counters;
        let mut out = serde_json::Map::new();
        if self.inner.kind == TrackKind::Video {
            out.insert("framesEncoded".into(), c.frames_encoded.load(Ordering::Relaxed).into());
            out.insert("keyFramesEncoded".into(), c.key_frames.load(Ordering::Relaxed).into());
            out.insert("framesDropped".into(), c.frames_dropped.load(Ordering::Relaxed).into());
            let (requests, plis) = (c.key_frame_requests.load(Ordering::Relaxed), c.plis.load(Ordering::Relaxed));
            out.insert("pliCount".into(), plis.into());
            out.insert("firCount".into(), requests.saturating_sub(plis).into());
            out.insert("frameWidth".into(), c.frame_width.load(Ordering::Relaxed).into());
            out.insert("frameHeight".into(), c.frame_height.load(Ordering::Relaxed).into());
            if let Some(target) = self.target_bitrate() {
                out.insert("targetBitrate".into(), target.into());
            }
        }
        (self.ssrc(), out)
    }

    /// The SSRC it sends on (0 while it sends nothing).
    pub(crate) fn ssrc(&self) -> u32 {
        self.attached().map_or(0, |a| a.ssrc)
    }

    fn attached(&self) -> Option<Arc<Attached>> {
        self.inner.attached.lock().clone()
    }

    /// webrtc-rs's sender, once it has one.
    pub(crate) fn webrtc(&self) -> Option<Arc<dyn WebrtcRtpSender>> {
        self.attached().map(|a| a.webrtc.clone())
    }

    /// Ends the send task (the connection closed).
    pub(crate) fn stop(&self) {
        self.inner.stopped.store(true, Ordering::Release);
        self.inner.track.send_replace(None);
    }

    /// A transceiver's sender, sending nothing until [`RtpSender::start`].
    pub(crate) fn new(kind: TrackKind, connected: watch::Receiver<bool>, estimate: Arc<AtomicU32>) -> Self {
        let inner = Inner {
            kind,
            track: watch::channel(None).0,
            stopped: Arc::new(AtomicBool::new(false)),
            counters: Arc::new(Counters::default()),
            attached: Mutex::new(None),
            generation: Default::default(),
            codec_bound: AtomicBool::new(false),
            attach_hook: Mutex::new(None),
            connected,
            estimate,
        };
        Self { inner: Arc::new(inner) }
    }

    pub(crate) fn set_attach_hook(&self, hook: AttachHook) {
        *self.inner.attach_hook.lock() = Some(hook);
    }

    /// Whether webrtc-rs sends for it (a track was added on its transceiver).
    pub(crate) fn is_attached(&self) -> bool {
        self.attached().is_some()
    }

    /// Starts sending `track` through what [`add_to`] made; the send task follows the
    /// sender's track from then on.
    pub(crate) fn start(&self, attached: Attached, track: Option<&MediaStreamTrack>) -> Result<()> {
        if self.inner.stopped.load(Ordering::Acquire) {
            return Err(Error::invalid_state("the sender is stopped"));
        }
        let (local, webrtc, ssrc) = (attached.local.clone(), attached.webrtc.clone(), attached.ssrc);
        *self.inner.attached.lock() = Some(Arc::new(attached));
        self.inner.codec_bound.store(false, Ordering::Release);
        let generation = self.inner.generation.fetch_add(1, Ordering::AcqRel) + 1;
        // Wakes a previous send task, which sees the new generation and ends.
        self.inner.track.send_replace(track.cloned());
        let i = &self.inner;
        handle().spawn(send(
            (i.generation.clone(), generation),
            i.track.subscribe(),
            i.connected.clone(),
            i.estimate.clone(),
            i.stopped.clone(),
            i.counters.clone(),
            local,
            webrtc,
            ssrc,
        ));
        Ok(())
    }
}

/// Has webrtc-rs send `track`: through addTrack (which may take an existing transceiver of
/// its kind that has no sender), or through addTransceiver with `direction`. The returned
/// sender's id is its transceiver's.
/// With no track (addTransceiver of a kind that sends), the sender sends nothing until
/// replaceTrack gives it one.
pub(crate) async fn add_to(
    connection: &Arc<dyn WebrtcPeerConnection>,
    kind: TrackKind,
    track: Option<&MediaStreamTrack>,
    stream_ids: &[String],
    direction: Option<RTCRtpTransceiverDirection>,
) -> Result<Attached> {
    if track.is_some_and(|t| !t.is_live()) {
        return Err(Error::invalid_state("the track has ended"));
    }
    let ssrc: u32 = rand_ssrc();
    let stream_id = stream_ids.first().cloned().unwrap_or_else(|| "-".to_owned());
    let ids = match track {
        Some(track) => (stream_id, track.id().to_owned(), track.label().to_owned()),
        None => (stream_id, crate::track::new_id(), String::new()),
    };
    // No codec: webrtc-rs would offer only that one. Every codec rtckit has is offered,
    // and bind_codec names the one the answer keeps.
    let coding = RTCRtpCodingParameters { ssrc: Some(ssrc), ..Default::default() };
    let local = Arc::new(TrackLocalStaticRTP::new(webrtc_track(&ids, kind, coding, Default::default())));
    let webrtc = match direction {
        None => connection
            .add_track(local.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(|e| Error::from_webrtc("addTrack failed", e))?,
        Some(direction) => {
            let init = RTCRtpTransceiverInit { direction, streams: stream_ids.to_vec(), send_encodings: vec![] };
            let transceiver = connection
                .add_transceiver_from_track(local.clone() as Arc<dyn TrackLocal>, Some(init))
                .await
                .map_err(|e| Error::from_webrtc("addTransceiver failed", e))?;
            transceiver
                .sender()
                .await
                .ok()
                .flatten()
                .ok_or_else(|| Error::operation("addTransceiver made no sender"))?
        }
    };
    Ok(Attached { webrtc, local, ids, stream_ids: stream_ids.to_vec(), ssrc })
}

/// webrtc-rs's description of a sent track: (stream id, track id, label), one encoding.
fn webrtc_track(
    ids: &(String, String, String),
    kind: TrackKind,
    coding: RTCRtpCodingParameters,
    codec: RTCRtpCodec,
) -> WebrtcTrack {
    let (stream_id, track_id, label) = ids.clone();
    WebrtcTrack::new(
        stream_id,
        track_id,
        label,
        kind.rtp(),
        vec![RTCRtpEncodingParameters { rtp_coding_parameters: coding, codec, ..Default::default() }],
    )
}

/// Writes one packet. webrtc-rs binds the track to the connection on a task of its own,
/// which can come just after "connected": until the first packet goes out, a write that
/// fails is tried again for up to a second, so the first frames are not lost. After that, a
/// failure (the connection is gone; the track may outlive it) drops the packet.
async fn write(local: &TrackLocalStaticRTP, packet: rtc::rtp::Packet, bound: &mut bool, stopped: &AtomicBool) -> bool {
    for _ in 0..200 {
        if local.write_rtp(packet.clone()).await.is_ok() {
            *bound = true;
            return true;
        }
        if *bound || stopped.load(Ordering::Acquire) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Never bound (a rejected m-section): later packets are not waited for.
    *bound = true;
    false
}

fn rand_ssrc() -> u32 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    ((t as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as u32 | 1
}

/// The negotiated codec's encoder and packetizer.
struct Pipeline {
    codec: CodecName,
    encoder: Box<dyn Encoder>,
    packetizer: Box<dyn Packetizer + Send>,
    clock_rate: u32,
}

/// The pipeline for the negotiated codec: `Ok(None)` until negotiation has picked one, an
/// error if rtckit cannot send it (only codecs it can are registered, so that is a bug).
async fn negotiated(sender: &Arc<dyn WebrtcRtpSender>, ssrc: u32) -> Result<Option<Pipeline>> {
    let Ok(parameters) = sender.get_parameters().await else { return Ok(None) };
    let Some(chosen) = parameters.rtp_parameters.codecs.first() else { return Ok(None) };
    let codec = &chosen.rtp_codec;
    let encoder = encoder_for(codec, None)?;
    let name = CodecName::from_mime(&codec.mime_type).expect("encoder_for knows it");
    let payloader =
        codec.payloader().map_err(|e| Error::from_webrtc(&format!("no RTP payloader for {}", codec.mime_type), e))?;
    let packetizer = new_packetizer(
        Instant::now(),
        RTP_MTU,
        chosen.payload_type,
        ssrc,
        payloader,
        Box::new(rtc::rtp::sequence::new_random_sequencer()),
        codec.clock_rate,
    );
    Ok(Some(Pipeline { codec: name, encoder, packetizer: Box::new(packetizer), clock_rate: codec.clock_rate }))
}

#[allow(clippy::too_many_arguments)] // one task's whole state, named at its one call
async fn send(
    (generations, generation): (Arc<AtomicU64>, u64),
    mut tracks: watch::Receiver<Option<MediaStreamTrack>>,
    mut connected: watch::Receiver<bool>,
    estimate: Arc<AtomicU32>,
    stopped: Arc<AtomicBool>,
    counters: Arc<Counters>,
    local: Arc<TrackLocalStaticRTP>,
    sender: Arc<dyn WebrtcRtpSender>,
    ssrc: u32,
) {
    let mut pipeline: Option<Pipeline> = None;
    let mut last: Option<Instant> = None;
    // A key frame starts the stream and each new track, and follows any frame that could
    // not be sent.
    let mut need_key = true;
    // Keyframe requests are read once the track is bound (negotiated); None from poll()
    // means it was unbound, and there is nothing more to read.
    let mut requests_open = true;
    // Tracks are consumed once the connection is up: a frame before could not be sent, and
    // a MediaPlayer starts at its first consumer, so none of its frames is lost.
    loop {
        tokio::select! {
            up = connected.wait_for(|c| *c) => {
                if up.is_err() {
                    return;
                }
                break;
            }
            changed = tracks.changed() => {
                if changed.is_err() || stopped.load(Ordering::Acquire) || generations.load(Ordering::Acquire) != generation {
                    return;
                }
            }
        }
    }
    // Whether a packet has gone out yet (see write()).
    let mut bound = false;
    // Forwarding units as they came (a played file, a relayed track) stops when the sender
    // must encode (a keyframe request, a bitrate cap, another codec), until the source's
    // next key frame.
    let mut forwarding = false;
    loop {
        let track = tracks.borrow_and_update().clone();
        let mut frames = track.as_ref().map(|t| t.subscribe_live());
        loop {
            let read_requests = requests_open && pipeline.is_some();
            let frame = tokio::select! {
                request = async { if read_requests { local.poll().await } else { std::future::pending().await } } => {
                    match request {
                        Some(TrackLocalEvent::OnRtcpPacket(packets)) => {
                            counters.key_frame_requests.fetch_add(packets.len() as u64, Ordering::Relaxed);
                            let plis = packets.iter().filter(|p| p.as_any().is::<PictureLossIndication>()).count();
                            counters.plis.fetch_add(plis as u64, Ordering::Relaxed);
                            need_key = true;
                        }
                        Some(_) => {}
                        None => requests_open = false,
                    }
                    continue;
                }
                changed = tracks.changed() => {
                    if changed.is_err() {
                        return; // every handle on the sender is gone
                    }
                    need_key = true;
                    break;
                }
                frame = async {
                    match frames.as_mut() {
                        Some(frames) => frames.recv().await.ok(),
                        None => std::future::pending().await,
                    }
                } => frame,
            };
            // The track ended: send nothing until it is replaced.
            let Some(mut frame) = frame else {
                frames = None;
                continue;
            };
            // The encoder takes a live source's newest raw video frame and never works
            // through a backlog: a source pushing faster than it encodes loses frames, not
            // latency (as libwebrtc's encoder queue does). A file's or a receiver's frames
            // are each sent (a recorded call keeps every frame), and so are encoded units.
            let live = !track.as_ref().is_some_and(|t| t.keeps_every_frame());
            if let (MediaFrame::Video(_), Some(receiver)) = (&frame, frames.as_mut()) {
                let mut dropped = receiver.take_lost();
                if frame.unit().is_none() && live {
                    while let Some(newer) = receiver.try_recv() {
                        dropped += 1;
                        frame = newer;
                    }
                    dropped += receiver.take_lost();
                }
                counters.frames_dropped.fetch_add(dropped, Ordering::Relaxed);
            }
            if pipeline.is_none() {
                pipeline = match negotiated(&sender, ssrc).await {
                    Ok(pipeline) => pipeline,
                    Err(err) => {
                        log::warn!("rtckit cannot send this track: {err}");
                        return;
                    }
                };
            }
            let Some(p) = pipeline.as_mut() else { continue };
            let now = Instant::now();
            let elapsed = last.map(|l| now - l).unwrap_or(Duration::from_millis(33));
            last = Some(now);
            let max = counters.max_bitrate.load(Ordering::Relaxed);
            let unit = frame.unit().filter(|u| u.codec == p.codec && max == 0);
            let forward = match unit {
                Some(unit) if need_key || !forwarding => unit.is_key_frame() || p.codec.kind() == TrackKind::Audio,
                Some(_) => true,
                None => false,
            };
            // The receiver's decoder holds the forwarded pictures, not the encoder's.
            need_key |= forwarding && !forward;
            forwarding = forward;
            if !forward && matches!(&frame, MediaFrame::Video(v) if v.undecoded) {
                // Nothing to encode (the picture is a stand-in): wait for a key unit to forward.
                continue;
            }
            let units = if forwarding {
                let ticks = match &frame {
                    MediaFrame::Audio(a) => {
                        Some((a.samples_per_channel() as u64 * p.clock_rate as u64 / a.sample_rate() as u64) as u32)
                    }
                    MediaFrame::Video(_) => None,
                };
                vec![crate::codec::Encoded { data: unit.expect("forwarding has a unit").data.to_vec(), ticks }]
            } else {
                // Under the transport's estimate (GCC) and setParameters' maxBitrate.
                let cap = [max, estimate.load(Ordering::Relaxed)].into_iter().filter(|&b| b > 0).min();
                counters.target_bitrate.store(p.encoder.set_max_bitrate(cap).unwrap_or(0), Ordering::Relaxed);
                match p.encoder.encode(&frame, need_key) {
                    Ok(units) => units,
                    Err(err) => {
                        log::warn!("rtckit dropped a frame: {err}");
                        continue;
                    }
                }
            };
            let is_video = matches!(frame, MediaFrame::Video(_));
            if let MediaFrame::Video(v) = &frame {
                counters.frame_width.store(v.width(), Ordering::Relaxed);
                counters.frame_height.store(v.height(), Ordering::Relaxed);
            }
            for unit in units {
                if is_key_frame(p.codec, &unit.data) {
                    counters.key_frames.fetch_add(1, Ordering::Relaxed);
                }
                counters.frames_encoded.fetch_add(1, Ordering::Relaxed);
                counters.bytes_sent.fetch_add(unit.data.len() as u64, Ordering::Relaxed);
                let ticks = unit.ticks.unwrap_or((elapsed.as_secs_f64() * p.clock_rate as f64) as u32);
                let Ok(packets) = p.packetizer.packetize(now, &bytes::Bytes::from(unit.data), ticks) else { continue };
                let mut sent = true;
                for packet in packets {
                    sent &= write(&local, packet, &mut bound, &stopped).await;
                }
                // The receiver missed this frame: the next one is a key frame.
                if is_video {
                    need_key = !sent;
                }
            }
        }
        if stopped.load(Ordering::Acquire) || generations.load(Ordering::Acquire) != generation {
            return;
        }
    }
}
