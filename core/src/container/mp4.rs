//! MP4: read by Mozilla's mp4parse (H.264, VP8, VP9, Opus and AAC tracks, the first video and
//! the first audio; samples in decode order by their sample tables; AAC decoded here, as
//! WebRTC has none), written by muxide (H.264 and Opus, moov first so the file plays while
//! it downloads).
//!
//! muxide holds the samples until the file is finished: a recording costs its size in memory.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use bytes::Bytes;
use mp4parse::{AudioCodecSpecific, CodecType, SampleEntry, VideoCodecSpecific};
use muxide::api::{AudioCodec, Muxer, MuxerBuilder, VideoCodec};

use super::aac::Aac;
use super::avc::AvcConfig;
use super::{io_error, malformed, Interleaver, MuxUnit, Reader, Sample, Stream, Writer};
use crate::codec::CodecName;
use crate::error::{Error, ErrorKind, Result};
use crate::frame::EncodedUnit;
use crate::track::{MediaFrame, TrackKind};

/// What turns a track's samples into what the player takes.
enum Codec {
    Units,
    Avc(AvcConfig),
    Aac(Box<Aac>),
}

struct SampleAt {
    stream: usize,
    offset: u64,
    len: usize,
    at: Duration,
}

pub struct Mp4Reader<R> {
    reader: R,
    streams: Vec<(Stream, Codec)>,
    /// Every sample of the played tracks, by time.
    samples: std::vec::IntoIter<SampleAt>,
}

fn bad(e: mp4parse::Error) -> Error {
    match e {
        mp4parse::Error::Unsupported(what) => {
            Error::new(ErrorKind::NotSupportedError, format!("this MP4 file has {what}, which rtckit cannot play"))
        }
        e => Error::new(ErrorKind::NotReadableError, format!("not a valid MP4 file: {e}")),
    }
}

/// Boxes that hold boxes, and where in their payload (`head`, its first bytes) they start:
/// the containers, the sample descriptions, and the sample entries in them (whose avcC, esds
/// or dOps mp4parse reads whole).
fn children_at(name: &[u8; 4], head: &[u8]) -> Option<u64> {
    match name {
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"edts" | b"mvex" | b"moof" | b"traf" | b"dinf" | b"udta" => {
            Some(0)
        }
        b"meta" => Some(4),
        b"stsd" => Some(8),
        b"avc1" | b"avc3" | b"vp08" | b"vp09" | b"encv" | b"hev1" | b"hvc1" | b"av01" => Some(78),
        // The audio sample entry's version (QuickTime's 1 and 2 add fields) is at byte 8.
        b"mp4a" | b"Opus" | b"enca" | b"fLaC" => match head.get(8..10) {
            Some([0, 1]) => Some(44),
            Some([0, 2]) => Some(64),
            _ => Some(28),
        },
        _ => None,
    }
}

/// The bytes a table box needs for the entry count it states: (offset of the count in the
/// payload, bytes per entry), from the box's version.
fn table_entries(name: &[u8; 4], version: u8) -> Option<(u64, u64)> {
    Some(match name {
        b"stco" | b"stss" => (4, 4),
        b"co64" | b"stts" | b"ctts" => (4, 8),
        b"stsc" => (4, 12),
        b"stsz" => (8, 4), // per-sample sizes; none when the box names one size for all
        b"elst" => (4, if version == 1 { 20 } else { 12 }),
        b"stsd" | b"dref" => (4, 8), // each entry is a box of 8 bytes or more
        _ => return None,
    })
}

/// Checks that every box fits in its parent and that every sample table holds the entries
/// its count states, before mp4parse reserves memory for that count (a damaged `stco` asking
/// for 33 million entries in a 32-byte box must not get 256 MiB).
fn check_boxes<R: Read + Seek>(reader: &mut R, start: u64, end: u64, depth: u32) -> Result<()> {
    let broken = |what: &str| malformed(&format!("MP4 file ({what})"));
    let mut at = start;
    while at + 8 <= end {
        reader.seek(SeekFrom::Start(at)).map_err(|e| io_error("reading an MP4 file", e))?;
        let mut header = [0u8; 16];
        reader.read_exact(&mut header[..8]).map_err(|_| broken("a box header past the end"))?;
        let name: [u8; 4] = header[4..8].try_into().expect("4 bytes");
        let (size, payload) = match u32::from_be_bytes(header[..4].try_into().expect("4 bytes")) {
            0 => (end - at, at + 8), // to the end of its parent
            1 => {
                reader.read_exact(&mut header[8..16]).map_err(|_| broken("a box header past the end"))?;
                (u64::from_be_bytes(header[8..16].try_into().expect("8 bytes")), at + 16)
            }
            n => (n as u64, at + 8),
        };
        if size < payload - at || at.checked_add(size).is_none_or(|box_end| box_end > end) {
            return Err(broken("a box larger than what holds it"));
        }
        let box_end = at + size;
        let mut head = [0u8; 12];
        let head_len = (box_end - payload).min(12) as usize;
        reader.read_exact(&mut head[..head_len]).map_err(|_| broken("a box past the end"))?;
        let head = &head[..head_len];
        if let Some((count_at, entry)) = head.first().and_then(|&version| table_entries(&name, version)) {
            let count_at = count_at as usize;
            if let Some(count) = head.get(count_at..count_at + 4) {
                let count = u32::from_be_bytes(count.try_into().expect("4 bytes")) as u64;
                let uniform = &name == b"stsz" && head[4..8] != [0; 4];
                let needed = count_at as u64 + 4 + if uniform { 0 } else { count * entry };
                if needed > box_end - payload {
                    return Err(broken("a table shorter than its count"));
                }
            }
        }
        if let Some(skip) = children_at(&name, head) {
            if depth < 16 {
                check_boxes(reader, payload + skip, box_end, depth + 1)?;
            }
        }
        at = box_end;
    }
    Ok(())
}

/// The samples a track's sample-to-chunk table states, counted as mp4parse counts them (its
/// SampleToChunkIterator), which reserves a table entry for each: a damaged table can state
/// billions.
fn stated_samples(track: &mp4parse::Track) -> u64 {
    let (Some(stsc), Some(stco)) = (&track.stsc, &track.stco) else { return 0 };
    let entries = &stsc.samples;
    let (mut remain, mut total, mut i) = (stco.offsets.len() as u64, 0u64, 0);
    while let Some(e) = entries.get(i) {
        i += 1;
        let chunks = match entries.get(i) {
            Some(next) if next.first_chunk == e.first_chunk => continue, // skipped as invalid
            Some(next) if e.first_chunk > 0 && next.first_chunk > 0 => {
                (next.first_chunk as u64).saturating_sub(e.first_chunk as u64)
            }
            None if e.first_chunk > 0 => remain, // the last entry takes the chunks left
            _ => 0,
        };
        // An empty run, or more chunks than stco has, ends mp4parse's count.
        let Some(left) = remain.checked_sub(chunks).filter(|_| chunks > 0) else { break };
        remain = left;
        total = total.saturating_add(chunks.saturating_mul(e.samples_per_chunk as u64));
    }
    total
}

impl<R: Read + Seek + Send> Mp4Reader<R> {
    pub fn new(mut reader: R) -> Result<Self> {
        let end = reader.seek(SeekFrom::End(0)).map_err(|e| io_error("reading an MP4 file", e))?;
        check_boxes(&mut reader, 0, end, 0)?;
        reader.seek(SeekFrom::Start(0)).map_err(|e| io_error("reading an MP4 file", e))?;
        let context = mp4parse::read_mp4(&mut reader).map_err(bad)?;
        let mut streams: Vec<(Stream, Codec)> = Vec::new();
        let mut samples = Vec::new();
        let mut skipped = Vec::new();
        let mut fragmented = false;
        for track in context.tracks.iter() {
            let Some(entry) = track.stsd.as_ref().and_then(|s| s.descriptions.first()) else { continue };
            let (stream, codec) = match entry {
                SampleEntry::Video(v) => {
                    let (name, codec) = match (&v.codec_specific, v.codec_type) {
                        (VideoCodecSpecific::AVCConfig(record), _) => {
                            (CodecName::H264, Codec::Avc(AvcConfig::parse(record)?))
                        }
                        (VideoCodecSpecific::VPxConfig(_), CodecType::VP9) => (CodecName::Vp9, Codec::Units),
                        (VideoCodecSpecific::VPxConfig(_), CodecType::VP8) => (CodecName::Vp8, Codec::Units),
                        (_, other) => {
                            skipped.push(format!("{other:?}"));
                            continue;
                        }
                    };
                    (Stream { size: (v.width as u32, v.height as u32), ..Stream::encoded(name) }, codec)
                }
                SampleEntry::Audio(a) => match (&a.codec_specific, a.codec_type) {
                    (AudioCodecSpecific::OpusSpecificBox(_), _) => (
                        Stream { channels: (a.channelcount as u16).clamp(1, 2), ..Stream::encoded(CodecName::Opus) },
                        Codec::Units,
                    ),
                    (AudioCodecSpecific::ES_Descriptor(es), CodecType::AAC) => {
                        (Stream::raw(TrackKind::Audio), Codec::Aac(Box::new(Aac::new(&es.decoder_specific_data)?)))
                    }
                    (_, other) => {
                        skipped.push(format!("{other:?}"));
                        continue;
                    }
                },
                SampleEntry::Unknown => continue,
            };
            if streams.iter().any(|(s, _)| s.kind == stream.kind) {
                continue; // one track of each kind plays
            }
            let Some(scale) = track.timescale.map(|t| t.0).filter(|t| *t > 0) else {
                return Err(malformed("MP4 file (a track without a timescale)"));
            };
            // A sample takes a byte of the file at least (or has a size in stsz).
            let sizes = track.stsz.as_ref().map_or(0, |z| z.sample_sizes.len() as u64);
            if stated_samples(track) > sizes.max(end) {
                return Err(malformed("MP4 file (a sample table stating more samples than the file holds)"));
            }
            let table = mp4parse::unstable::create_sample_table(track, 0.into())
                .ok_or_else(|| malformed("MP4 file (its sample tables do not add up)"))?;
            fragmented |= table.is_empty() && context.mvex.is_some();
            let stream =
                Stream { reordered: table.iter().any(|s| s.start_composition.0 != s.start_decode.0), ..stream };
            let index = streams.len();
            for sample in table.iter() {
                let (start, end) = (sample.start_offset.0, sample.end_offset.0);
                let ticks = sample.start_decode.0.max(0) as u64;
                samples.push(SampleAt {
                    stream: index,
                    offset: start,
                    len: end
                        .checked_sub(start)
                        .ok_or_else(|| malformed("MP4 file (a sample that ends before it starts)"))?
                        as usize,
                    at: Duration::from_micros((ticks as u128 * 1_000_000 / scale as u128) as u64),
                });
            }
            streams.push((stream, codec));
        }
        if fragmented && samples.is_empty() {
            return Err(Error::new(
                ErrorKind::NotSupportedError,
                "this MP4 file is fragmented (moof boxes): rtckit plays MP4 files with their samples in moov",
            ));
        }
        if streams.is_empty() {
            return Err(Error::new(
                ErrorKind::NotSupportedError,
                format!(
                    "this MP4 file holds {}: rtckit plays H.264, VP8, VP9, Opus and AAC from MP4",
                    if skipped.is_empty() { "no audio or video".to_owned() } else { skipped.join(", ") }
                ),
            ));
        }
        for codec in skipped {
            log::warn!("rtckit skips a {codec} track it has no decoder for");
        }
        samples.sort_by_key(|s| s.at);
        Ok(Self { reader, streams, samples: samples.into_iter() })
    }
}

impl<R: Read + Seek + Send> Reader for Mp4Reader<R> {
    fn streams(&self) -> Vec<Stream> {
        self.streams.iter().map(|(s, _)| *s).collect()
    }

    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        loop {
            let Some(sample) = self.samples.next() else { return Ok(None) };
            if sample.len > 64 << 20 {
                return Err(malformed("MP4 file (a sample over 64 MB)"));
            }
            let mut data = vec![0u8; sample.len];
            self.reader.seek(SeekFrom::Start(sample.offset)).map_err(|e| io_error("reading an MP4 sample", e))?;
            self.reader.read_exact(&mut data).map_err(|_| malformed("MP4 file (a sample past its end: cut short?)"))?;
            let (stream, codec) = &mut self.streams[sample.stream];
            let out = match codec {
                Codec::Aac(aac) => match aac.decode(&data)? {
                    Some(frame) => Sample::Frame(MediaFrame::Audio(frame)),
                    None => continue, // a packet that primes the decoder, or a damaged one
                },
                Codec::Avc(avc) => {
                    Sample::Unit(EncodedUnit { codec: CodecName::H264, data: Bytes::from(avc.to_annexb(&data)?) })
                }
                Codec::Units => {
                    Sample::Unit(EncodedUnit { codec: stream.codec.expect("encoded tracks"), data: Bytes::from(data) })
                }
            };
            return Ok(Some((sample.stream, out, sample.at)));
        }
    }
}

enum State<W: Write> {
    /// Before the first unit: the tracks' parameters are not known yet.
    Waiting(W),
    Writing(Box<Muxer<W>>),
    Done,
}

/// Writes H.264 and Opus, timed by arrival from the first unit; the file starts at the first
/// video key frame (or audio packet when it has no video).
pub struct Mp4Writer<W: Write> {
    state: State<W>,
    units: Interleaver,
    count: u64,
}

fn mux_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::NotReadableError, format!("{what}: {e}"))
}

impl<W: Write + Send> Mp4Writer<W> {
    pub fn new(writer: W, kinds: &[TrackKind]) -> Self {
        Self { state: State::Waiting(writer), units: Interleaver::new(kinds, |_| CodecName::H264), count: 0 }
    }

    fn start(&mut self, size: (u32, u32)) -> Result<()> {
        let State::Waiting(writer) = std::mem::replace(&mut self.state, State::Done) else { return Ok(()) };
        let mut builder = MuxerBuilder::new(writer);
        if self.units.has_video() {
            builder = builder.video(VideoCodec::H264, size.0, size.1, 30.0);
        }
        if self.units.has_audio() {
            builder = builder.audio(AudioCodec::Opus, 48_000, self.units.channels.unwrap_or(2));
        }
        self.state = State::Writing(Box::new(builder.build().map_err(|e| mux_error("starting an MP4 file", e))?));
        Ok(())
    }
}

impl<W: Write + Send> Writer for Mp4Writer<W> {
    fn write(&mut self, stream: usize, frame: &MediaFrame) -> Result<()> {
        for MuxUnit { video, data, key, at } in self.units.units(stream, frame)? {
            if matches!(self.state, State::Waiting(_)) {
                let size = match frame {
                    MediaFrame::Video(v) => (v.width(), v.height()),
                    MediaFrame::Audio(_) => (0, 0),
                };
                self.start(size)?;
            }
            let State::Writing(muxer) = &mut self.state else { return Ok(()) };
            let written = if video {
                muxer.write_video(at.as_secs_f64(), &data, key)
            } else {
                muxer.write_audio(at.as_secs_f64(), &data)
            };
            written.map_err(|e| mux_error("writing an MP4 sample", e))?;
            self.count += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Writing(mut muxer) => {
                muxer.finish_in_place().map_err(|e| mux_error("finishing an MP4 file", e))?;
                muxer.into_writer().flush().map_err(|e| io_error("finishing an MP4 file", e))
            }
            // Nothing was recorded: the file stays empty.
            State::Waiting(mut writer) => writer.flush().map_err(|e| io_error("finishing an MP4 file", e)),
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
    fn a_file_that_is_not_mp4_is_not_readable() {
        let err = Mp4Reader::new(std::io::Cursor::new(b"\0\0\0\x10ftypisom\0\0\0\0 and then garbage".to_vec()))
            .err()
            .unwrap();
        assert!(matches!(err.kind, ErrorKind::NotReadableError | ErrorKind::NotSupportedError), "{err}");
        assert!(Mp4Reader::new(std::io::Cursor::new(Vec::new())).is_err());
    }
}
