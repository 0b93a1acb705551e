//! Codecs, picked by what negotiation chose: H.264 and VP8 video, Opus and G.711 audio.
//!
//! A sender asks [`encoder_for`] once the first codec of its negotiated list is known, and a
//! receiver asks [`decoder_for`] with the codec of the first RTP packet; both sides see only
//! the [`Encoder`] and [`Decoder`] traits.

pub(crate) mod audio_chunker;
pub mod g711;
pub mod h264;
pub mod opus;
pub mod vpx;

use bytes::BytesMut;
use rtc::peer_connection::configuration::media_engine::MediaEngine;
use rtc::rtp::packetizer::Depacketizer;
use rtc::rtp_transceiver::rtp_sender::RTCPFeedback;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind};

pub use h264::{H264Decoder, H264Encoder, H264_FMTP};
pub use vpx::{Vpx, VpxDecoder, VpxEncoder};

use crate::error::{Error, ErrorKind, Result};
use crate::track::MediaFrame;

/// One encoded unit, ready for the packetizer.
pub struct Encoded {
    pub data: Vec<u8>,
    /// Its length in RTP clock ticks for audio; None for video, whose ticks follow the
    /// wall clock between frames.
    pub ticks: Option<u32>,
}

/// Turns frames into encoded units. Audio encoders buffer to whole packets, so a frame may
/// give none or several.
pub trait Encoder: Send {
    fn encode(&mut self, frame: &MediaFrame, key: bool) -> Result<Vec<Encoded>>;

    /// A cap on the video bitrate (setParameters' maxBitrate, the transport's estimate), in
    /// bits per second; None lifts it. Applied without a key frame. Returns the target now
    /// in force (None before the first frame, and for audio, whose encoders keep their rate).
    fn set_max_bitrate(&mut self, _max: Option<u32>) -> Option<u32> {
        None
    }
}

/// What one received RTP packet gave: the frames now decoded, in order, each with its RTP
/// timestamp as pts, and whether the stream needs a key frame (a frame was lost).
#[derive(Default)]
pub struct Received {
    pub frames: Vec<MediaFrame>,
    pub needs_key_frame: bool,
}

/// Turns RTP payloads into frames; video decoders reassemble units across packets.
pub trait Decoder: Send {
    /// Decodes payloads taken in order: the caller has already ordered them.
    fn decode(&mut self, payload: &bytes::Bytes, marker: bool) -> Result<Option<MediaFrame>>;

    /// Takes one packet as it came off the network. Audio decodes it at once (a late packet
    /// is one frame late); video orders its packets first (jitter_buffer.rs).
    fn receive(&mut self, seq: u16, timestamp: u32, payload: &bytes::Bytes, marker: bool) -> Result<Received> {
        let _ = seq;
        let mut frames = Vec::new();
        if let Some(mut frame) = self.decode(payload, marker)? {
            frame.set_pts(timestamp as i64);
            frames.push(frame);
        }
        Ok(Received { frames, needs_key_frame: false })
    }

    /// Decodes a whole unit (as a file holds it), not an RTP payload.
    fn decode_unit(&mut self, unit: &[u8]) -> Result<Option<MediaFrame>> {
        self.decode(&bytes::Bytes::copy_from_slice(unit), true)
    }
}

/// The codecs rtckit encodes and decodes, by RTP name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodecName {
    H264,
    Vp8,
    Vp9,
    Opus,
    Pcmu,
    Pcma,
}

impl CodecName {
    pub fn from_mime(mime_type: &str) -> Option<Self> {
        let name = mime_type.rsplit('/').next()?.to_ascii_lowercase();
        Some(match name.as_str() {
            "h264" => Self::H264,
            "vp8" => Self::Vp8,
            "vp9" => Self::Vp9,
            "opus" => Self::Opus,
            "pcmu" => Self::Pcmu,
            "pcma" => Self::Pcma,
            _ => return None,
        })
    }

    pub fn kind(self) -> crate::track::TrackKind {
        match self {
            Self::H264 | Self::Vp8 | Self::Vp9 => crate::track::TrackKind::Video,
            _ => crate::track::TrackKind::Audio,
        }
    }

    /// The codec rtckit registers under this name (payload type, clock rate, fmtp).
    pub(crate) fn rtp_codec(self) -> RTCRtpCodec {
        supported()
            .into_iter()
            .map(|(_, p)| p.rtp_codec)
            .find(|c| CodecName::from_mime(&c.mime_type) == Some(self))
            .expect("every CodecName is registered")
    }
}

/// What rtckit can encode and decode, in order of preference (browsers' order: VP8, VP9,
/// H.264; Opus before G.711), with webrtc-rs's usual payload types. Codecs it cannot encode
/// (AV1, G.722) are left out so negotiation never picks them.
pub(crate) fn supported() -> Vec<(RtpCodecKind, RTCRtpCodecParameters)> {
    let codec = |mime: &str, clock_rate: u32, channels: u16, fmtp: &str, feedback: Vec<RTCPFeedback>, pt: u8| {
        RTCRtpCodecParameters {
            rtp_codec: RTCRtpCodec {
                mime_type: mime.to_owned(),
                clock_rate,
                channels,
                sdp_fmtp_line: fmtp.to_owned(),
                rtcp_feedback: feedback,
            },
            payload_type: pt,
        }
    };
    let audio = [
        codec("audio/opus", 48_000, 2, "minptime=10;useinbandfec=1", vec![], 111),
        codec("audio/PCMU", 8000, 0, "", vec![], 0),
        codec("audio/PCMA", 8000, 0, "", vec![], 8),
    ];
    let feedback = || {
        [("goog-remb", ""), ("ccm", "fir"), ("nack", ""), ("nack", "pli")]
            .map(|(typ, parameter)| RTCPFeedback { typ: typ.to_owned(), parameter: parameter.to_owned() })
            .to_vec()
    };
    let rtx = |pt: u8, apt: u8| codec("video/rtx", 90_000, 0, &format!("apt={apt}"), vec![], pt);
    let h264 = |profile: &str| format!("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id={profile}");
    let video = [
        codec("video/VP8", 90_000, 0, "", feedback(), 96),
        rtx(97, 96),
        codec("video/VP9", 90_000, 0, "profile-id=0", feedback(), 98),
        rtx(99, 98),
        codec("video/H264", 90_000, 0, &h264("42e01f"), feedback(), 125),
        rtx(105, 125),
        codec("video/H264", 90_000, 0, &h264("42001f"), feedback(), 102),
        rtx(103, 102),
    ];
    audio
        .into_iter()
        .map(|c| (RtpCodecKind::Audio, c))
        .chain(video.into_iter().map(|c| (RtpCodecKind::Video, c)))
        .collect()
}

pub(crate) fn register(engine: &mut MediaEngine) -> std::result::Result<(), webrtc::error::Error> {
    for (kind, codec) in supported() {
        engine.register_codec(codec, kind)?;
    }
    Ok(())
}

/// A codec as getCapabilities lists it and setCodecPreferences takes it (W3C
/// RTCRtpCodec: no payload type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecCapability {
    pub mime_type: String,
    pub clock_rate: u32,
    /// Audio channels (Opus: 2); None for video.
    pub channels: Option<u16>,
    pub sdp_fmtp_line: Option<String>,
}

pub(crate) fn capability_of(codec: &RTCRtpCodec) -> CodecCapability {
    CodecCapability {
        mime_type: codec.mime_type.clone(),
        clock_rate: codec.clock_rate,
        channels: (codec.channels > 0).then_some(codec.channels),
        sdp_fmtp_line: (!codec.sdp_fmtp_line.is_empty()).then(|| codec.sdp_fmtp_line.clone()),
    }
}

fn is_rtx(mime_type: &str) -> bool {
    mime_type.eq_ignore_ascii_case("video/rtx")
}

/// RTCRtpSender/RTCRtpReceiver.getCapabilities(kind): every codec rtckit has for `kind`,
/// RTX once (as browsers list it).
pub fn capabilities(kind: crate::track::TrackKind) -> Vec<CodecCapability> {
    let kind = match kind {
        crate::track::TrackKind::Audio => RtpCodecKind::Audio,
        crate::track::TrackKind::Video => RtpCodecKind::Video,
    };
    let mut out: Vec<CodecCapability> = Vec::new();
    for (k, codec) in supported() {
        if k != kind {
            continue;
        }
        let mut capability = capability_of(&codec.rtp_codec);
        if is_rtx(&capability.mime_type) {
            capability.sdp_fmtp_line = None;
        }
        if !out.contains(&capability) {
            out.push(capability);
        }
    }
    out
}

/// The registered codecs setCodecPreferences' list names, in its order; RTX follows the
/// codecs it repairs when the list has it. InvalidModificationError for a codec rtckit does
/// not have.
pub(crate) fn preferences(
    kind: crate::track::TrackKind,
    wanted: &[CodecCapability],
) -> Result<Vec<RTCRtpCodecParameters>> {
    let all: Vec<RTCRtpCodecParameters> = supported().into_iter().map(|(_, c)| c).collect();
    let have = capabilities(kind);
    let mut out: Vec<RTCRtpCodecParameters> = Vec::new();
    let with_rtx = wanted.iter().any(|c| is_rtx(&c.mime_type));
    for want in wanted.iter().filter(|c| !is_rtx(&c.mime_type)) {
        let matching = |c: &&RTCRtpCodecParameters| {
            let cap = capability_of(&c.rtp_codec);
            cap.mime_type.eq_ignore_ascii_case(&want.mime_type)
                && cap.clock_rate == want.clock_rate
                && (want.channels.is_none() || cap.channels == want.channels)
                && (want.sdp_fmtp_line.is_none() || cap.sdp_fmtp_line == want.sdp_fmtp_line)
        };
        let found: Vec<&RTCRtpCodecParameters> = all.iter().filter(matching).collect();
        if found.is_empty() || !have.iter().any(|h| h.mime_type.eq_ignore_ascii_case(&want.mime_type)) {
            return Err(Error::new(
                ErrorKind::InvalidModificationError,
                format!(
                    "setCodecPreferences: {} {} Hz is not a codec rtckit has for this kind (see getCapabilities)",
                    want.mime_type, want.clock_rate
                ),
            ));
        }
        for codec in found {
            if !out.contains(codec) {
                out.push(codec.clone());
                let apt = format!("apt={}", codec.payload_type);
                if with_rtx {
                    out.extend(
                        all.iter()
                            .filter(|r| is_rtx(&r.rtp_codec.mime_type) && r.rtp_codec.sdp_fmtp_line == apt)
                            .cloned(),
                    );
                }
            }
        }
    }
    Ok(out)
}

/// Whether an encoded unit is a key frame (answers a keyframe request): VP8's frame tag
/// says so in its first bit, H.264 carries an IDR slice (NAL type 5).
pub fn is_key_frame(codec: CodecName, data: &[u8]) -> bool {
    match codec {
        CodecName::Vp8 => data.first().is_some_and(|b| b & 1 == 0),
        // The uncompressed header of profiles 0 to 2: frame_marker (2 bits), profile (2),
        // show_existing_frame, frame_type (0 for a key frame).
        CodecName::Vp9 => data.first().is_some_and(|b| b & 0xc0 == 0x80 && b & 0x30 != 0x30 && b & 0x0c == 0),
        CodecName::H264 => data.windows(4).any(|w| w[..3] == [0, 0, 1] && w[3] & 0x1f == 5),
        _ => false,
    }
}

fn unsupported(codec: &RTCRtpCodec) -> Error {
    Error::new(
        ErrorKind::NotSupportedError,
        format!("rtckit has no codec for {} (it has VP8, VP9, H264, opus, PCMU, PCMA)", codec.mime_type),
    )
}

/// A video target bitrate for a frame size, until rtckit follows the transport's estimate:
/// 4 bits a pixel a second (1.2 Mbit/s at 640x480), from 300 kbit/s to 2.5 Mbit/s (720p
/// and up), near libwebrtc's ceilings for those sizes.
pub fn default_bitrate(width: u32, height: u32) -> u32 {
    (width * height * 4).clamp(300_000, 2_500_000)
}

/// The bitrate a video encoder targets: its fixed one, else the size's default, under the
/// sender's cap.
pub(crate) fn target_bitrate(fixed: Option<u32>, max: Option<u32>, width: u32, height: u32) -> u32 {
    let target = fixed.unwrap_or_else(|| default_bitrate(width, height));
    max.map_or(target, |max| target.min(max)).max(10_000)
}

/// Whether a running encoder should move from `current` to `wanted`: a change of 5% or more,
/// so an estimate that wobbles does not reconfigure it at every feedback.
pub(crate) fn worth_changing(current: u32, wanted: u32) -> bool {
    current.abs_diff(wanted) as u64 * 20 >= current as u64
}

/// A key frame at least every two seconds of real time, so a receiver that joins late (or
/// lost one) gets a picture soon without asking. Counted in time, not frames: a track sent as
/// fast as it encodes (hundreds of frames a second) made a key frame interval of 60 frames
/// ten key frames a second, most of its bitrate and CPU. Otherwise key frames come only when
/// asked (PLI/FIR), as libwebrtc and aiortc make them.
#[derive(Default)]
pub(crate) struct KeyFrameClock {
    last: Option<std::time::Instant>,
}

impl KeyFrameClock {
    pub(crate) const INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);
    /// The encoders' own periodic key frames, in frames: a backstop far beyond the clock's.
    pub(crate) const MAX_FRAMES: u32 = 3000;

    /// Whether this frame must be a key frame (asked for, or the interval has passed); the
    /// caller makes it one.
    pub(crate) fn key(&mut self, asked: bool) -> bool {
        let due = asked || self.last.is_none_or(|last| last.elapsed() >= Self::INTERVAL);
        if due {
            self.last = Some(std::time::Instant::now());
        }
        due
    }
}

/// The milliseconds a video encoder's rate control spends its bitrate over. A frame's own
/// timestamp where it has one (a camera's, a file's, a received track's: evenly spaced however
/// late the encoder gets to it), else the time it is encoded. Timed by the encoder alone, a
/// busy machine's late frames bunched up and OpenH264 skipped them (2 of 30 frames of a
/// recorded call lost under load). A timestamp that goes back, or jumps over a second (a new
/// track), continues from the last frame.
#[derive(Default)]
pub(crate) struct EncodeClock {
    start: Option<std::time::Instant>,
    /// A frame's timestamp in ms and the encoder time it was given, to count from.
    base: Option<(i64, i64)>,
    /// The last encoder time given (None before the first frame).
    last: Option<i64>,
}

impl EncodeClock {
    /// The encoder time of `frame` in ms, after the last one's.
    pub(crate) fn at(&mut self, frame: &crate::frame::VideoFrame) -> i64 {
        let start = *self.start.get_or_insert_with(std::time::Instant::now);
        let wall = start.elapsed().as_millis() as i64;
        let (num, den) = frame.time_base;
        let pts_ms = frame.pts.filter(|_| den > 0).map(|p| (p as i128 * num as i128 * 1000 / den as i128) as i64);
        let from_pts = pts_ms.zip(self.base).map(|(p, (base_pts, base_at))| base_at + (p - base_pts));
        let at = match (from_pts, self.last) {
            (Some(t), Some(last)) if t > last && t <= last + 1000 => t,
            (_, last) => {
                let t = last.map_or(wall, |last| wall.max(last + 1));
                if let Some(p) = pts_ms {
                    self.base = Some((p, t));
                }
                t
            }
        };
        self.last = Some(at);
        at
    }

    /// The last time given (None before the first frame).
    pub(crate) fn last(&self) -> Option<i64> {
        self.last
    }
}

/// The encoder for a negotiated codec; `bitrate` is the video target in bits per second
/// (None: [`default_bitrate`] for each frame size).
pub fn encoder_for(codec: &RTCRtpCodec, bitrate: Option<u32>) -> Result<Box<dyn Encoder>> {
    Ok(match CodecName::from_mime(&codec.mime_type).ok_or_else(|| unsupported(codec))? {
        CodecName::H264 => Box::new(H264Encoder::new(bitrate, 30.0)),
        CodecName::Vp8 => Box::new(VpxEncoder::new(Vpx::Vp8, bitrate)),
        CodecName::Vp9 => Box::new(VpxEncoder::new(Vpx::Vp9, bitrate)),
        CodecName::Opus => Box::new(opus::OpusEncoder::default()),
        CodecName::Pcmu => Box::new(g711::G711Encoder::new(g711::Law::Mu)),
        CodecName::Pcma => Box::new(g711::G711Encoder::new(g711::Law::A)),
    })
}

/// The decoder for a received codec.
pub fn decoder_for(codec: &RTCRtpCodec) -> Result<Box<dyn Decoder>> {
    match CodecName::from_mime(&codec.mime_type).ok_or_else(|| unsupported(codec))? {
        CodecName::H264 => h264::rtp_decoder(),
        CodecName::Vp8 => vpx::rtp_decoder(Vpx::Vp8),
        CodecName::Vp9 => vpx::rtp_decoder(Vpx::Vp9),
        CodecName::Opus => Ok(Box::new(opus::OpusDecoder::new(codec)?)),
        CodecName::Pcmu => Ok(Box::new(g711::G711Decoder::new(g711::Law::Mu))),
        CodecName::Pcma => Ok(Box::new(g711::G711Decoder::new(g711::Law::A))),
    }
}

/// Reassembles a video unit from its RTP packets (the marker bit ends one) and decodes it.
pub(crate) struct VideoAssembler<P, F> {
    codec: CodecName,
    depacketizer: P,
    decode: F,
    unit: BytesMut,
    /// A packet of the unit being assembled did not depacketize: the unit is dropped.
    spoiled: bool,
    jitter: crate::jitter_buffer::JitterBuffer,
    /// A frame was lost: what follows refers to it, so skip to the next key frame.
    await_key_frame: bool,
}

impl<P, F> VideoAssembler<P, F>
where
    P: Depacketizer + Send,
    F: FnMut(&[u8]) -> Result<Option<crate::frame::VideoFrame>> + Send,
{
    pub(crate) fn new(codec: CodecName, depacketizer: P, decode: F) -> Self {
        let unit = BytesMut::new();
        // A decoder starts at a key frame: joining mid-stream asks for one at once.
        Self { codec, depacketizer, decode, unit, spoiled: false, jitter: Default::default(), await_key_frame: true }
    }

    /// Adds a payload to the unit being assembled; at the marker, the whole unit, or None if
    /// a packet of it was lost or damaged.
    fn assemble(&mut self, payload: &bytes::Bytes, marker: bool) -> Option<bytes::Bytes> {
        match self.depacketizer.depacketize(payload) {
            Ok(part) => self.unit.extend_from_slice(&part),
            Err(_) => self.spoiled = true,
        }
        if !marker {
            return None;
        }
        let unit = std::mem::take(&mut self.unit).freeze();
        (!std::mem::take(&mut self.spoiled)).then_some(unit)
    }
}

impl<P, F> Decoder for VideoAssembler<P, F>
where
    P: Depacketizer + Send,
    F: FnMut(&[u8]) -> Result<Option<crate::frame::VideoFrame>> + Send,
{
    fn decode(&mut self, payload: &bytes::Bytes, marker: bool) -> Result<Option<MediaFrame>> {
        match self.assemble(payload, marker) {
            Some(unit) => self.decode_unit(&unit),
            None => Ok(None),
        }
    }

    fn receive(&mut self, seq: u16, timestamp: u32, payload: &bytes::Bytes, marker: bool) -> Result<Received> {
        let head = self.depacketizer.is_partition_head(payload);
        let now = std::time::Instant::now();
        let (complete, lost) = self.jitter.push(seq, timestamp, payload.clone(), marker, head, now);
        self.await_key_frame |= lost;
        let mut frames = Vec::new();
        for (timestamp, payloads) in complete {
            let last = payloads.len().saturating_sub(1);
            let mut unit = None;
            for (i, payload) in payloads.iter().enumerate() {
                unit = self.assemble(payload, i == last);
            }
            let Some(unit) = unit else {
                self.await_key_frame = true;
                continue;
            };
            if self.await_key_frame {
                if !is_key_frame(self.codec, &unit) {
                    continue;
                }
                self.await_key_frame = false;
            }
            match self.decode_unit(&unit) {
                Ok(Some(mut frame)) => {
                    frame.set_pts(timestamp as i64);
                    frames.push(frame);
                }
                Ok(None) => {}
                Err(err) => {
                    log::debug!("rtckit dropped a received frame: {err}");
                    self.await_key_frame = true;
                }
            }
        }
        Ok(Received { frames, needs_key_frame: self.await_key_frame })
    }

    fn decode_unit(&mut self, unit: &[u8]) -> Result<Option<MediaFrame>> {
        let Some(mut frame) = (self.decode)(unit)? else { return Ok(None) };
        frame.unit = Some(crate::frame::EncodedUnit { codec: self.codec, data: bytes::Bytes::copy_from_slice(unit) });
        Ok(Some(MediaFrame::Video(frame)))
    }
}
