//! IVF: a 32-byte file header (DKIF, codec, size, time base, frame count), then frames of
//! a 12-byte header (size, timestamp) and the VP8 or VP9 frame.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{io_error, malformed, Reader, Sample, Stream, UnitSource, Writer};
use crate::codec::CodecName;
use crate::error::{Error, ErrorKind, Result};
use crate::frame::EncodedUnit;
use crate::track::MediaFrame;

pub struct IvfReader<R> {
    reader: R,
    codec: CodecName,
    /// Seconds per timestamp unit, as (numerator, denominator).
    time_base: (u64, u64),
    /// The header's picture size (0x0 when it says none).
    size: (u32, u32),
}

impl<R: Read + Send> IvfReader<R> {
    pub fn new(mut reader: R) -> Result<Self> {
        let mut header = [0u8; 32];
        reader.read_exact(&mut header).map_err(|_| malformed("IVF file (no header)"))?;
        if &header[..4] != b"DKIF" {
            return Err(malformed("IVF file (no DKIF signature)"));
        }
        let codec = match &header[8..12] {
            b"VP80" => CodecName::Vp8,
            b"VP90" => CodecName::Vp9,
            other => {
                return Err(Error::new(
                    ErrorKind::NotSupportedError,
                    format!(
                        "this IVF file holds {}: rtckit plays VP8 and VP9 IVF files",
                        String::from_utf8_lossy(other)
                    ),
                ))
            }
        };
        let header_size = u16::from_le_bytes([header[6], header[7]]) as usize;
        if header_size > 32 {
            let mut skip = vec![0; header_size - 32];
            reader.read_exact(&mut skip).map_err(|_| malformed("IVF file"))?;
        }
        let rate = u32::from_le_bytes(header[16..20].try_into().unwrap()) as u64;
        let scale = u32::from_le_bytes(header[20..24].try_into().unwrap()) as u64;
        if rate == 0 || scale == 0 {
            return Err(malformed("IVF file (a time base of 0)"));
        }
        let size =
            (u16::from_le_bytes([header[12], header[13]]) as u32, u16::from_le_bytes([header[14], header[15]]) as u32);
        Ok(Self { reader, codec, time_base: (scale, rate), size })
    }
}

impl<R: Read + Send> Reader for IvfReader<R> {
    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        let mut header = [0u8; 12];
        match self.reader.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io_error("reading an IVF frame", e)),
        }
        let size = u32::from_le_bytes(header[..4].try_into().unwrap()) as usize;
        let timestamp = u64::from_le_bytes(header[4..].try_into().unwrap());
        if size > 16 << 20 {
            return Err(malformed("IVF file (a frame over 16 MB)"));
        }
        let mut data = vec![0; size];
        self.reader.read_exact(&mut data).map_err(|_| malformed("IVF file (a truncated frame)"))?;
        let (num, den) = self.time_base;
        let at = Duration::from_nanos((timestamp as u128 * num as u128 * 1_000_000_000 / den as u128) as u64);
        Ok(Some((0, Sample::Unit(EncodedUnit { codec: self.codec, data: Bytes::from(data) }), at)))
    }

    fn streams(&self) -> Vec<Stream> {
        vec![Stream { size: self.size, ..Stream::encoded(self.codec) }]
    }
}

/// Writes VP8 frames, or VP9 ones when the first frame came as VP9, timed in milliseconds
/// from the first.
pub struct IvfWriter<W> {
    writer: W,
    /// Chosen at the first frame.
    units: Option<UnitSource>,
    started: Option<Instant>,
    size: Option<(u32, u32)>,
    count: u64,
}

impl<W: Write + Seek + Send> IvfWriter<W> {
    pub fn new(writer: W) -> Self {
        Self { writer, units: None, started: None, size: None, count: 0 }
    }

    fn header(&mut self) -> std::io::Result<()> {
        let (w, h) = self.size.unwrap_or((0, 0));
        let mut header = Vec::with_capacity(32);
        header.extend_from_slice(b"DKIF");
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&32u16.to_le_bytes());
        let vp9 = self.units.as_ref().is_some_and(|u| u.codec() == CodecName::Vp9);
        header.extend_from_slice(if vp9 { b"VP90" } else { b"VP80" });
        header.extend_from_slice(&(w as u16).to_le_bytes());
        header.extend_from_slice(&(h as u16).to_le_bytes());
        header.extend_from_slice(&1000u32.to_le_bytes());
        header.extend_from_slice(&1u32.to_le_bytes());
        header.extend_from_slice(&(self.count as u32).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        self.writer.write_all(&header)
    }
}

impl<W: Write + Seek + Send> Writer for IvfWriter<W> {
    fn write(&mut self, _stream: usize, frame: &MediaFrame) -> Result<()> {
        let MediaFrame::Video(video) = frame else { return Ok(()) };
        let now = Instant::now();
        let codec = match frame.unit() {
            Some(u) if u.codec == CodecName::Vp9 => CodecName::Vp9,
            _ => CodecName::Vp8,
        };
        let units = self.units.get_or_insert_with(|| UnitSource::new(codec)).units(frame)?;
        for (unit, _) in units {
            if self.size.is_none() {
                self.size = Some((video.width(), video.height()));
                self.started = Some(now);
                self.header().map_err(|e| io_error("writing an IVF header", e))?;
            }
            let ms = now.duration_since(self.started.unwrap_or(now)).as_millis() as u64;
            let mut header = Vec::with_capacity(12);
            header.extend_from_slice(&(unit.len() as u32).to_le_bytes());
            header.extend_from_slice(&ms.to_le_bytes());
            self.writer
                .write_all(&header)
                .and_then(|_| self.writer.write_all(&unit))
                .map_err(|e| io_error("writing an IVF frame", e))?;
            self.count += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let done = (|| {
            // An empty file still gets its header; a written one gets its frame count.
            if self.size.is_some() {
                self.writer.seek(SeekFrom::Start(0))?;
            }
            self.header()?;
            self.writer.seek(SeekFrom::End(0))?;
            self.writer.flush()
        })();
        done.map_err(|e| io_error("finishing an IVF file", e))
    }

    fn count(&self) -> u64 {
        self.count
    }
}
