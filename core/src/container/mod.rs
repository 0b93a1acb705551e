//! The file formats MediaPlayer reads and MediaRecorder writes, one file each: WebM and
//! Matroska (VP8, VP9, H.264, Opus), MP4 (H.264, Opus), IVF (VP8, VP9), Ogg (Opus), H.264
//! Annex-B, Y4M (raw I420), WAV (16-bit PCM) and image sequences (PNG; JPEG read).
//!
//! Readers give what the file holds, stream by stream, with its time from the start:
//! encoded units for the compressed formats (so a sender of the same codec forwards them
//! unchanged) and frames for the raw ones. Writers take decoded frames and write the unit a
//! frame came from when it is of the file's codec (as received), else encode the frame.

mod aac;
pub mod annexb;
mod avc;
pub mod images;
pub mod ivf;
pub mod matroska;
pub mod mp4;
pub mod ogg;
pub mod wav;
pub mod y4m;

use std::path::Path;
use std::time::Duration;

use crate::codec::{encoder_for, CodecName, Encoder};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::EncodedUnit;
use crate::track::{MediaFrame, TrackKind};

/// What rtckit plays and records, for the errors that name it.
pub const SUPPORTED: &str = "rtckit plays and records .webm (VP8, VP9, Opus), .mp4 (H.264, Opus), .ivf (VP8, VP9), \
.ogg (Opus), .h264 (Annex-B), .y4m, .wav and image sequences such as frame-%3d.png; it also plays .mkv and .mov \
files, JPEG sequences, and cameras (format=\"v4l2\")";

/// A file format, known by its extension (or named as ffmpeg names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ivf,
    Ogg,
    AnnexB,
    Y4m,
    Wav,
    /// WebM (Matroska of VP8, VP9 and Opus, as browsers record it), written by libwebm.
    WebM,
    /// Other Matroska files (.mkv): read only.
    Matroska,
    Mp4,
    /// Numbered images (ffmpeg's image2): frame-%3d.png.
    Images,
}

fn not_supported(what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::NotSupportedError, format!("{what}: {SUPPORTED}"))
}

impl Format {
    pub fn of(path: &Path) -> Result<Self> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        Ok(match ext.as_str() {
            "ivf" => Self::Ivf,
            "ogg" | "opus" => Self::Ogg,
            "h264" | "264" => Self::AnnexB,
            "y4m" => Self::Y4m,
            "wav" => Self::Wav,
            "webm" => Self::WebM,
            "mkv" | "mka" => Self::Matroska,
            "mp4" | "m4a" | "m4v" | "mov" => Self::Mp4,
            "png" | "jpg" | "jpeg" => Self::Images,
            _ if images::pattern(name).is_some() => Self::Images,
            _ => return Err(not_supported(path.display())),
        })
    }

    /// A format as ffmpeg (and so aiortc's `format=`) names it.
    pub fn named(name: &str) -> Result<Self> {
        Ok(match name {
            "ivf" => Self::Ivf,
            "ogg" | "opus" => Self::Ogg,
            "h264" => Self::AnnexB,
            "yuv4mpegpipe" | "y4m" => Self::Y4m,
            "wav" => Self::Wav,
            "webm" => Self::WebM,
            "matroska" | "matroska,webm" | "mkv" => Self::Matroska,
            "mp4" | "mov" | "mov,mp4,m4a,3gp,3g2,mj2" => Self::Mp4,
            "image2" | "png_pipe" | "jpeg_pipe" => Self::Images,
            other => return Err(not_supported(format!("format {other:?}"))),
        })
    }

    /// The kinds of track it records: one track, or a video and an audio track.
    pub fn kinds(self) -> &'static [TrackKind] {
        match self {
            Self::Ogg | Self::Wav => &[TrackKind::Audio],
            Self::WebM | Self::Matroska | Self::Mp4 => &[TrackKind::Video, TrackKind::Audio],
            _ => &[TrackKind::Video],
        }
    }

    /// Checks that rtckit can write `path` in this format.
    pub fn check_writable(self, path: &Path) -> Result<()> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match self {
            Self::Matroska => Err(not_supported(format!("{}: rtckit writes Matroska as .webm", path.display()))),
            Self::Mp4 if ext == "mov" => {
                Err(not_supported(format!("{}: rtckit writes .mp4, not .mov", path.display())))
            }
            Self::Images if ext != "png" => {
                Err(not_supported(format!("{}: rtckit writes image sequences as PNG", path.display())))
            }
            Self::Images if images::pattern(name).is_none() => Err(Error::syntax(format!(
                "{}: an image sequence needs a number in its name, as frame-%3d.png",
                path.display()
            ))),
            _ => Ok(()),
        }
    }

    /// Opens `path` for reading; `options` are ffmpeg's demuxer options (image sequences
    /// take framerate and start_number).
    pub fn open(self, path: &Path, options: &[(String, String)]) -> Result<Box<dyn Reader>> {
        if self == Self::Images {
            return Ok(Box::new(images::ImageReader::new(path, options)?));
        }
        let file = open_file(path, std::fs::File::open(path))?;
        let reader = std::io::BufReader::new(file);
        Ok(match self {
            Self::Ivf => Box::new(ivf::IvfReader::new(reader)?),
            Self::Ogg => Box::new(ogg::OggReader::new(reader)?),
            Self::AnnexB => Box::new(annexb::AnnexBReader::new(reader)?),
            Self::Y4m => Box::new(y4m::Y4mReader::new(reader)?),
            Self::Wav => Box::new(wav::WavReader::new(reader)?),
            Self::WebM | Self::Matroska => Box::new(matroska::MatroskaReader::new(reader)?),
            Self::Mp4 => Box::new(mp4::Mp4Reader::new(reader)?),
            Self::Images => unreachable!("opened above"),
        })
    }

    /// Makes the file for tracks of `kinds`, in the order the writer's streams number them.
    pub fn create(self, path: &Path, kinds: &[TrackKind]) -> Result<Box<dyn Writer>> {
        self.check_writable(path)?;
        if self == Self::Images {
            return Ok(Box::new(images::ImageWriter::new(path)?));
        }
        let file = open_file(path, std::fs::File::create(path))?;
        let file = std::io::BufWriter::new(file);
        Ok(match self {
            Self::Ivf => Box::new(ivf::IvfWriter::new(file)),
            Self::Ogg => Box::new(ogg::OggWriter::new(file)),
            Self::AnnexB => Box::new(annexb::AnnexBWriter::new(file)),
            Self::Y4m => Box::new(y4m::Y4mWriter::new(file)),
            Self::Wav => Box::new(wav::WavWriter::new(file)),
            Self::WebM => Box::new(matroska::WebmWriter::new(file, kinds)),
            Self::Mp4 => Box::new(mp4::Mp4Writer::new(file, kinds)),
            Self::Matroska | Self::Images => unreachable!("checked above"),
        })
    }
}

fn open_file(path: &Path, opened: std::io::Result<std::fs::File>) -> Result<std::fs::File> {
    opened.map_err(|e| {
        let kind = match e.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFoundError,
            _ => ErrorKind::NotReadableError,
        };
        Error::new(kind, format!("{}: {e}", path.display()))
    })
}

/// A read or write that failed part way.
pub(crate) fn io_error(what: &str, err: std::io::Error) -> Error {
    Error::new(ErrorKind::NotReadableError, format!("{what}: {err}"))
}

/// A file that is not what its extension says.
pub(crate) fn malformed(what: &str) -> Error {
    Error::new(ErrorKind::NotReadableError, format!("not a valid {what}"))
}

/// What a file holds next.
pub enum Sample {
    Unit(EncodedUnit),
    Frame(MediaFrame),
}

/// One stream of a file: what its samples are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    pub kind: TrackKind,
    /// The codec of its units; None for raw frames.
    pub codec: Option<CodecName>,
    /// Audio channels of the encoded units (0: unknown, or video).
    pub channels: u16,
    /// The picture size the file states (0x0: unknown, or audio).
    pub size: (u32, u32),
    /// Units come in decode order, not display order (H.264 B-frames): they need a decoder
    /// that reorders, and cannot be forwarded over RTP as they are.
    pub reordered: bool,
}

impl Stream {
    pub fn encoded(codec: CodecName) -> Self {
        Self { kind: codec.kind(), codec: Some(codec), channels: 0, size: (0, 0), reordered: false }
    }

    pub fn raw(kind: TrackKind) -> Self {
        Self { kind, codec: None, channels: 0, size: (0, 0), reordered: false }
    }
}

/// Reads a file's samples in order, each with its stream (an index into `streams()`) and
/// its time from the start of the file.
pub trait Reader: Send {
    /// The streams rtckit plays, at most one of each kind; others are skipped.
    fn streams(&self) -> Vec<Stream>;

    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>>;
}

/// Writes frames; `finish` completes the file (sizes and counts in its headers).
pub trait Writer: Send {
    /// Writes a frame of stream `stream` (the index of its kind in the kinds it was made for).
    fn write(&mut self, stream: usize, frame: &MediaFrame) -> Result<()>;
    fn finish(&mut self) -> Result<()>;
    /// Frames (video) or packets (audio) written so far.
    fn count(&self) -> u64;
}

/// The units of one codec for a writer of encoded files: the unit a frame came from when it
/// is of that codec (starting at a key frame), else the frame encoded.
pub(crate) struct UnitSource {
    codec: CodecName,
    encoder: Option<Box<dyn Encoder>>,
    /// Forwarded units so far; encoding resumes with a key frame.
    forwarding: bool,
    started: bool,
}

impl UnitSource {
    pub(crate) fn new(codec: CodecName) -> Self {
        Self { codec, encoder: None, forwarding: false, started: false }
    }

    pub(crate) fn codec(&self) -> CodecName {
        self.codec
    }

    /// The units for `frame` (an audio encoder may buffer, giving none or several), each
    /// with its length in the codec's clock when known.
    pub(crate) fn units(&mut self, frame: &MediaFrame) -> Result<Vec<(Vec<u8>, Option<u32>)>> {
        let unit = frame.unit().filter(|u| u.codec == self.codec);
        let video = self.codec.kind() == TrackKind::Video;
        let forward = match unit {
            Some(u) if video && !self.forwarding => u.is_key_frame(),
            Some(_) => true,
            None => false,
        };
        let need_key = !self.started || (self.forwarding && !forward);
        self.forwarding = forward;
        if forward {
            self.started = true;
            return Ok(vec![(unit.expect("forwarded").data.to_vec(), None)]);
        }
        if self.encoder.is_none() {
            self.encoder = Some(encoder_for(&self.codec.rtp_codec(), None)?);
        }
        let units = self.encoder.as_mut().expect("made above").encode(frame, need_key)?;
        self.started |= !units.is_empty();
        Ok(units.into_iter().map(|u| (u.data, u.ticks)).collect())
    }
}

/// A unit for a writer of a video and an audio track (WebM, MP4).
pub(crate) struct MuxUnit {
    pub video: bool,
    pub data: Vec<u8>,
    pub key: bool,
    /// From the file's first unit; strictly increasing across both tracks.
    pub at: Duration,
}

/// The units of a file of a video and an audio track, timed by the clock they arrive by (one
/// clock for both, so they stay in sync). A file with video starts at a video key frame:
/// audio before it is dropped, as players expect the first frame of such a file to be video.
pub(crate) struct Interleaver {
    video: Option<usize>,
    audio: Option<usize>,
    /// The video codec for the first frame's unit codec.
    pick: fn(Option<CodecName>) -> CodecName,
    video_units: Option<UnitSource>,
    audio_units: UnitSource,
    /// Channels of the first Opus packet seen.
    pub channels: Option<u16>,
    started: Option<std::time::Instant>,
    last: Option<Duration>,
}

impl Interleaver {
    pub(crate) fn new(kinds: &[TrackKind], pick: fn(Option<CodecName>) -> CodecName) -> Self {
        Self {
            video: kinds.iter().position(|k| *k == TrackKind::Video),
            audio: kinds.iter().position(|k| *k == TrackKind::Audio),
            pick,
            video_units: None,
            audio_units: UnitSource::new(CodecName::Opus),
            channels: None,
            started: None,
            last: None,
        }
    }

    pub(crate) fn has_video(&self) -> bool {
        self.video.is_some()
    }

    pub(crate) fn has_audio(&self) -> bool {
        self.audio.is_some()
    }

    /// The video codec, once the first video frame chose it.
    pub(crate) fn video_codec(&self) -> Option<CodecName> {
        self.video_units.as_ref().map(|u| u.codec())
    }

    pub(crate) fn units(&mut self, stream: usize, frame: &MediaFrame) -> Result<Vec<MuxUnit>> {
        let now = std::time::Instant::now();
        let video = match frame {
            MediaFrame::Video(_) if Some(stream) == self.video => true,
            MediaFrame::Audio(_) if Some(stream) == self.audio => false,
            _ => return Ok(vec![]),
        };
        let units = if video {
            let pick = self.pick;
            self.video_units.get_or_insert_with(|| UnitSource::new(pick(frame.unit().map(|u| u.codec)))).units(frame)?
        } else {
            self.audio_units.units(frame)?
        };
        let mut out = Vec::with_capacity(units.len());
        for (data, _) in units {
            if !video && self.channels.is_none() {
                self.channels = opus::packet::get_nb_channels(&data).ok().map(|c| c as u16);
            }
            if self.started.is_none() && !video && self.video.is_some() {
                continue;
            }
            let started = *self.started.get_or_insert(now);
            let mut at = now.duration_since(started);
            if let Some(last) = self.last.filter(|l| at <= *l) {
                at = last + Duration::from_micros(1);
            }
            self.last = Some(at);
            let codec = if video { self.video_codec().expect("chosen above") } else { CodecName::Opus };
            let key = !video || crate::codec::is_key_frame(codec, &data);
            out.push(MuxUnit { video, data, key, at });
        }
        Ok(out)
    }
}
