//! H.264 Annex-B: NAL units after start codes (00 00 01 or 00 00 00 01), grouped here into
//! access units. The stream carries no timing: it plays at 30 frames a second.

use std::io::{Read, Write};
use std::time::Duration;

use bytes::Bytes;

use super::{io_error, Reader, Sample, Stream, UnitSource, Writer};
use crate::codec::CodecName;
use crate::error::Result;
use crate::frame::EncodedUnit;
use crate::track::MediaFrame;

const FRAME: Duration = Duration::from_micros(33_333);

pub struct AnnexBReader {
    data: Bytes,
    /// Where the next NAL unit's start code begins.
    at: usize,
    frames: u32,
}

impl AnnexBReader {
    pub fn new(mut reader: impl Read) -> Result<Self> {
        let mut data = Vec::new();
        reader.read_to_end(&mut data).map_err(|e| io_error("reading an H.264 file", e))?;
        let at = start_code(&data, 0).map(|(s, _)| s).unwrap_or(data.len());
        Ok(Self { data: Bytes::from(data), at, frames: 0 })
    }

    /// The NAL unit at `self.at` (with its start code), its type and where the next begins.
    fn nal(&self) -> Option<(std::ops::Range<usize>, u8, u8)> {
        let (start, header) = start_code(&self.data, self.at)?;
        let end = start_code(&self.data, header).map(|(s, _)| s).unwrap_or(self.data.len());
        let kind = self.data.get(header)? & 0x1f;
        let second = self.data.get(header + 1).copied().unwrap_or(0);
        Some((start..end, kind, second))
    }
}

/// The next start code at or after `from`: (where it begins, where its NAL unit begins).
fn start_code(data: &[u8], from: usize) -> Option<(usize, usize)> {
    let i = data.get(from..)?.windows(3).position(|w| w == [0, 0, 1])? + from;
    let begin = if i > from && data[i - 1] == 0 { i - 1 } else { i };
    Some((begin, i + 3))
}

fn is_slice(kind: u8) -> bool {
    kind == 1 || kind == 5
}

impl Reader for AnnexBReader {
    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        let first = self.at;
        let mut has_slice = false;
        while let Some((range, kind, second)) = self.nal() {
            // A new access unit begins with an access unit delimiter, SPS, PPS or SEI after a
            // slice, or with a slice whose first_mb_in_slice is 0 (its first bit set).
            let starts_unit = matches!(kind, 6..=9) || (is_slice(kind) && second & 0x80 != 0);
            if has_slice && starts_unit {
                break;
            }
            has_slice |= is_slice(kind);
            self.at = range.end;
        }
        if self.at == first {
            return Ok(None);
        }
        let unit = EncodedUnit { codec: CodecName::H264, data: self.data.slice(first..self.at) };
        let at = FRAME * self.frames;
        self.frames += 1;
        Ok(Some((0, Sample::Unit(unit), at)))
    }

    fn streams(&self) -> Vec<Stream> {
        vec![Stream::encoded(CodecName::H264)]
    }
}

/// Writes access units as they are (Annex-B already).
pub struct AnnexBWriter<W> {
    writer: W,
    units: UnitSource,
    count: u64,
}

impl<W: Write + Send> AnnexBWriter<W> {
    pub fn new(writer: W) -> Self {
        Self { writer, units: UnitSource::new(CodecName::H264), count: 0 }
    }
}

impl<W: Write + Send> Writer for AnnexBWriter<W> {
    fn write(&mut self, _stream: usize, frame: &MediaFrame) -> Result<()> {
        for (unit, _) in self.units.units(frame)? {
            self.writer.write_all(&unit).map_err(|e| io_error("writing H.264", e))?;
            self.count += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| io_error("finishing an H.264 file", e))
    }

    fn count(&self) -> u64 {
        self.count
    }
}
