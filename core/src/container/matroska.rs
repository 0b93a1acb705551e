//! WebM and Matroska: read by matroska-demuxer (VP8, VP9, H.264 and Opus tracks, the first
//! video and the first audio), written by libwebm through the `webm` crate (VP8 or VP9, and
//! Opus), as browsers' MediaRecorder writes them.

use std::io::{Read, Seek, Write};
use std::time::Duration;

use bytes::Bytes;
use matroska_demuxer::{Frame, MatroskaFile, TrackType};
use webm::mux::{AudioCodecId, AudioTrack, Segment, SegmentBuilder, VideoCodecId, VideoTrack};

use super::avc::AvcConfig;
use super::{io_error, Interleaver, MuxUnit, Reader, Sample, Stream, Writer};
use crate::codec::CodecName;
use crate::error::{Error, ErrorKind, Result};
use crate::frame::EncodedUnit;
use crate::track::{MediaFrame, TrackKind};

struct Track {
    number: u64,
    stream: Stream,
    /// H.264 tracks hold length-prefixed NAL units.
    avc: Option<AvcConfig>,
}

pub struct MatroskaReader<R: Read + Seek> {
    file: MatroskaFile<R>,
    tracks: Vec<Track>,
    /// Nanoseconds per timestamp unit.
    scale: u64,
    frame: Frame,
}

fn bad(e: matroska_demuxer::DemuxError) -> Error {
    let why = match e {
        matroska_demuxer::DemuxError::IoError(io) => format!("cut short, or unreadable ({io})"),
        e => e.to_string(),
    };
    Error::new(ErrorKind::NotReadableError, format!("not a valid WebM/Matroska file: {why}"))
}

impl<R: Read + Seek + Send> MatroskaReader<R> {
    pub fn new(reader: R) -> Result<Self> {
        let file = MatroskaFile::open(reader).map_err(bad)?;
        let mut tracks: Vec<Track> = Vec::new();
        let mut skipped = Vec::new();
        for entry in file.tracks() {
            let codec = match entry.codec_id() {
                "V_VP8" => CodecName::Vp8,
                "V_VP9" => CodecName::Vp9,
                "V_MPEG4/ISO/AVC" => CodecName::H264,
                "A_OPUS" => CodecName::Opus,
                other => {
                    if matches!(entry.track_type(), TrackType::Video | TrackType::Audio) {
                        skipped.push(other.to_owned());
                    }
                    continue;
                }
            };
            if tracks.iter().any(|t| t.stream.kind == codec.kind()) {
                continue; // one track of each kind plays
            }
            let avc = match codec {
                CodecName::H264 => Some(AvcConfig::parse(entry.codec_private().unwrap_or_default())?),
                _ => None,
            };
            let mut stream = Stream::encoded(codec);
            // Matroska stores no decode times: H.264 above baseline may hold B-frames.
            stream.reordered = avc.as_ref().is_some_and(|a| a.profile != 66);
            if let Some(video) = entry.video() {
                stream.size = (video.pixel_width().get() as u32, video.pixel_height().get() as u32);
            }
            if let Some(audio) = entry.audio() {
                stream.channels = audio.channels().get().clamp(1, 2) as u16;
            }
            tracks.push(Track { number: entry.track_number().get(), stream, avc });
        }
        if tracks.is_empty() {
            return Err(Error::new(
                ErrorKind::NotSupportedError,
                format!(
                    "this file holds {}: rtckit plays VP8, VP9, H.264 and Opus from WebM/Matroska",
                    if skipped.is_empty() { "no audio or video".to_owned() } else { skipped.join(", ") }
                ),
            ));
        }
        for codec in skipped {
            log::warn!("rtckit skips a {codec} track it has no decoder for");
        }
        let scale = file.info().timestamp_scale().get();
        Ok(Self { file, tracks, scale, frame: Frame::default() })
    }
}

impl<R: Read + Seek + Send> Reader for MatroskaReader<R> {
    fn streams(&self) -> Vec<Stream> {
        self.tracks.iter().map(|t| t.stream).collect()
    }

    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        loop {
            if !self.file.next_frame(&mut self.frame).map_err(bad)? {
                return Ok(None);
            }
            let Some(index) = self.tracks.iter().position(|t| t.number == self.frame.track) else { continue };
            if self.frame.data.is_empty() {
                continue;
            }
            let track = &self.tracks[index];
            let data = match &track.avc {
                Some(avc) => avc.to_annexb(&self.frame.data)?,
                None => std::mem::take(&mut self.frame.data),
            };
            let codec = track.stream.codec.expect("encoded tracks");
            let at = Duration::from_nanos(self.frame.timestamp.saturating_mul(self.scale));
            return Ok(Some((index, Sample::Unit(EncodedUnit { codec, data: Bytes::from(data) }), at)));
        }
    }
}

/// An OpusHead (RFC 7845), the CodecPrivate of a WebM Opus track.
pub(crate) fn opus_head(channels: u16) -> Vec<u8> {
    let mut head = b"OpusHead".to_vec();
    head.push(1);
    head.push(channels as u8);
    head.extend_from_slice(&0u16.to_le_bytes()); // pre-skip
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&0u16.to_le_bytes()); // gain
    head.push(0); // mapping family 0: mono or stereo
    head
}

enum State<W: Write + Seek> {
    /// Before the first unit: the tracks' parameters are not known yet.
    Waiting(W),
    Writing {
        segment: Segment<W>,
        video: Option<VideoTrack>,
        audio: Option<AudioTrack>,
    },
    Done,
}

/// Writes VP8 (VP9 when the first frame came as VP9) and Opus, timed by arrival from the
/// first unit; the segment starts at the first video key frame (or audio packet when the
/// file has no video).
pub struct WebmWriter<W: Write + Seek> {
    state: State<W>,
    units: Interleaver,
    count: u64,
}

fn webm_error(what: &str) -> Error {
    Error::new(ErrorKind::NotReadableError, format!("{what} failed (libwebm refused it, or the disk did)"))
}

impl<W: Write + Seek + Send> WebmWriter<W> {
    pub fn new(writer: W, kinds: &[TrackKind]) -> Self {
        let units =
            Interleaver::new(kinds, |c| if c == Some(CodecName::Vp9) { CodecName::Vp9 } else { CodecName::Vp8 });
        Self { state: State::Waiting(writer), units, count: 0 }
    }

    fn start(&mut self, size: (u32, u32)) -> Result<()> {
        let State::Waiting(writer) = std::mem::replace(&mut self.state, State::Done) else { return Ok(()) };
        let failed = |_| webm_error("starting a WebM file");
        let mut builder = SegmentBuilder::new(webm::mux::Writer::new(writer))
            .map_err(failed)?
            .set_writing_app("rtckit")
            .map_err(failed)?;
        let mut video = None;
        if self.units.has_video() {
            let codec =
                if self.units.video_codec() == Some(CodecName::Vp9) { VideoCodecId::VP9 } else { VideoCodecId::VP8 };
            let (b, track) = builder.add_video_track(size.0, size.1, codec, None).map_err(failed)?;
            builder = b;
            video = Some(track);
        }
        let mut audio = None;
        if self.units.has_audio() {
            let channels = self.units.channels.unwrap_or(2);
            let (b, track) =
                builder.add_audio_track(48_000, channels as u32, AudioCodecId::Opus, None).map_err(failed)?;
            builder = b.set_codec_private(track, &opus_head(channels)).map_err(failed)?;
            audio = Some(track);
        }
        self.state = State::Writing { segment: builder.build(), video, audio };
        Ok(())
    }
}

impl<W: Write + Seek + Send> Writer for WebmWriter<W> {
    fn write(&mut self, stream: usize, frame: &MediaFrame) -> Result<()> {
        for MuxUnit { video, data, key, at } in self.units.units(stream, frame)? {
            if matches!(self.state, State::Waiting(_)) {
                let size = match frame {
                    MediaFrame::Video(v) => (v.width(), v.height()),
                    MediaFrame::Audio(_) => (0, 0),
                };
                self.start(size)?;
            }
            let State::Writing { segment, video: v, audio: a } = &mut self.state else { return Ok(()) };
            let track: u64 = match (video, v, a) {
                (true, Some(t), _) => (*t).into(),
                (false, _, Some(t)) => (*t).into(),
                _ => continue,
            };
            segment
                .add_frame(track, &data, at.as_nanos() as u64, key)
                .map_err(|_| webm_error("writing a WebM frame"))?;
            self.count += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Writing { segment, .. } => {
                let mut writer = segment.finalize(None).map_err(|_| webm_error("finishing a WebM file"))?.into_inner();
                writer.flush().map_err(|e| io_error("finishing a WebM file", e))
            }
            // Nothing was recorded: the file stays empty.
            State::Waiting(mut writer) => writer.flush().map_err(|e| io_error("finishing a WebM file", e)),
            State::Done => Ok(()),
        }
    }

    fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_or_foreign_file_is_not_readable() {
        let err = MatroskaReader::new(std::io::Cursor::new(b"\x1a\x45\xdf\xa3 not really".to_vec())).err().unwrap();
        assert_eq!(err.kind, ErrorKind::NotReadableError, "{err}");
        assert!(MatroskaReader::new(std::io::Cursor::new(Vec::new())).is_err());
    }
}
