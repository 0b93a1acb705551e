//! The file formats MediaPlayer reads and MediaRecorder writes, one file each: IVF (VP8, VP9),
//! Ogg (Opus), H.264 Annex-B, Y4M (raw I420) and WAV (16-bit PCM).
//!
//! Readers give what the file holds, with its time from the start: encoded units for the
//! compressed formats (so a sender of the same codec forwards them unchanged) and frames
//! for the raw ones. Writers take decoded frames and write the unit a frame came from
//! when it is of the file's codec (as received), else encode the frame.

pub mod annexb;
pub mod ivf;
pub mod ogg;
pub mod wav;
pub mod y4m;

use std::path::Path;
use std::time::Duration;

use crate::codec::{encoder_for, CodecName, Encoder};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::EncodedUnit;
use crate::track::{MediaFrame, TrackKind};

/// A file format, known by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ivf,
    Ogg,
    AnnexB,
    Y4m,
    Wav,
}

impl Format {
    pub fn of(path: &Path) -> Result<Self> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        Ok(match ext.as_str() {
            "ivf" => Self::Ivf,
            "ogg" | "opus" => Self::Ogg,
            "h264" | "264" => Self::AnnexB,
            "y4m" => Self::Y4m,
            "wav" => Self::Wav,
            _ => {
                return Err(Error::new(
                    ErrorKind::NotSupportedError,
                    format!(
                        "{}: rtckit reads and writes .ivf (VP8, VP9), .ogg (Opus), .h264 (Annex-B), .y4m and .wav files",
                        path.display()
                    ),
                ))
            }
        })
    }

    pub fn kind(self) -> TrackKind {
        match self {
            Self::Ogg | Self::Wav => TrackKind::Audio,
            _ => TrackKind::Video,
        }
    }

    pub fn open(self, path: &Path) -> Result<Box<dyn Reader>> {
        let file = open_file(path, std::fs::File::open(path))?;
        let reader = std::io::BufReader::new(file);
        Ok(match self {
            Self::Ivf => Box::new(ivf::IvfReader::new(reader)?),
            Self::Ogg => Box::new(ogg::OggReader::new(reader)?),
            Self::AnnexB => Box::new(annexb::AnnexBReader::new(reader)?),
            Self::Y4m => Box::new(y4m::Y4mReader::new(reader)?),
            Self::Wav => Box::new(wav::WavReader::new(reader)?),
        })
    }

    pub fn create(self, path: &Path) -> Result<Box<dyn Writer>> {
        let file = open_file(path, std::fs::File::create(path))?;
        let file = std::io::BufWriter::new(file);
        Ok(match self {
            Self::Ivf => Box::new(ivf::IvfWriter::new(file)),
            Self::Ogg => Box::new(ogg::OggWriter::new(file)),
            Self::AnnexB => Box::new(annexb::AnnexBWriter::new(file)),
            Self::Y4m => Box::new(y4m::Y4mWriter::new(file)),
            Self::Wav => Box::new(wav::WavWriter::new(file)),
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

/// Reads a file's samples in order, each with its time from the start of the file.
pub trait Reader: Send {
    fn next(&mut self) -> Result<Option<(Sample, Duration)>>;

    /// Audio channels of the encoded units (Ogg's header says); 0 for video.
    fn channels(&self) -> u16 {
        0
    }

    /// The codec of the units it gives; None for raw frames.
    fn codec(&self) -> Option<CodecName> {
        None
    }
}

/// Writes frames; `finish` completes the file (sizes and counts in its headers).
pub trait Writer: Send {
    fn write(&mut self, frame: &MediaFrame) -> Result<()>;
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
