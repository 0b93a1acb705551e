//! Y4M (YUV4MPEG2): a text header (size, rate, chroma), then frames of "FRAME" and I420.

use std::io::{BufRead, Read, Write};
use std::time::Duration;

use bytes::Bytes;

use super::{io_error, malformed, Reader, Sample, Stream, Writer};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::{PixelFormat, VideoFrame};
use crate::track::{MediaFrame, TrackKind};

pub struct Y4mReader<R> {
    reader: R,
    width: u32,
    height: u32,
    /// Seconds per frame, as (numerator, denominator).
    frame_time: (u64, u64),
    frames: u64,
}

/// A header or frame line: a few dozen bytes in a real file, so a longer one is cut at 4 KiB
/// (and then does not parse) rather than read whole.
fn line(reader: &mut impl BufRead) -> Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader.take(4096).read_until(b'\n', &mut line).map_err(|e| io_error("reading a Y4M file", e))?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&line).trim_end().to_owned()))
}

impl<R: BufRead + Send> Y4mReader<R> {
    pub fn new(mut reader: R) -> Result<Self> {
        let header = line(&mut reader)?.ok_or_else(|| malformed("Y4M file (empty)"))?;
        let mut fields = header.split(' ');
        if fields.next() != Some("YUV4MPEG2") {
            return Err(malformed("Y4M file (no YUV4MPEG2 signature)"));
        }
        let (mut width, mut height, mut frame_time) = (0, 0, (1, 30));
        for field in fields {
            let mut chars = field.chars();
            let (tag, value) = (chars.next(), chars.as_str());
            match tag {
                Some('W') => width = value.parse().map_err(|_| malformed("Y4M width"))?,
                Some('H') => height = value.parse().map_err(|_| malformed("Y4M height"))?,
                Some('F') => {
                    let (n, d) = value.split_once(':').ok_or_else(|| malformed("Y4M frame rate"))?;
                    let (n, d): (u64, u64) = (
                        n.parse().map_err(|_| malformed("Y4M frame rate"))?,
                        d.parse().map_err(|_| malformed("Y4M frame rate"))?,
                    );
                    if n == 0 || d == 0 {
                        return Err(malformed("Y4M frame rate"));
                    }
                    frame_time = (d, n);
                }
                Some('C') if !value.starts_with("420") => {
                    return Err(Error::new(
                        ErrorKind::NotSupportedError,
                        format!("this Y4M file is C{value}: rtckit plays 4:2:0 (C420) Y4M files"),
                    ))
                }
                _ => {}
            }
        }
        if width == 0 || height == 0 {
            return Err(malformed("Y4M file (no W or H)"));
        }
        // Before any frame is allocated at that size.
        crate::frame::check_size(width, height)?;
        Ok(Self { reader, width, height, frame_time, frames: 0 })
    }
}

impl<R: BufRead + Send> Reader for Y4mReader<R> {
    fn streams(&self) -> Vec<Stream> {
        vec![Stream { size: (self.width, self.height), ..Stream::raw(TrackKind::Video) }]
    }

    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        let Some(header) = line(&mut self.reader)? else { return Ok(None) };
        if !header.starts_with("FRAME") {
            return Err(malformed("Y4M file (a frame without FRAME)"));
        }
        // Read as far as the file goes: a truncated file does not get a whole frame allocated
        // beyond 64 MiB (a real frame up to 8K is read into one allocation).
        let size = PixelFormat::I420.frame_size(self.width, self.height);
        let mut data = Vec::with_capacity(size.min(64 << 20));
        (&mut self.reader).take(size as u64).read_to_end(&mut data).map_err(|e| io_error("reading a Y4M file", e))?;
        if data.len() < size {
            return Err(malformed("Y4M file (a truncated frame)"));
        }
        let frame = VideoFrame::from_i420(self.width, self.height, Bytes::from(data))?;
        let (num, den) = self.frame_time;
        let at = Duration::from_nanos((self.frames as u128 * num as u128 * 1_000_000_000 / den as u128) as u64);
        self.frames += 1;
        Ok(Some((0, Sample::Frame(MediaFrame::Video(frame)), at)))
    }
}

/// Writes decoded frames at the first frame's size (frames of another size are skipped),
/// marked 30 frames a second.
pub struct Y4mWriter<W> {
    writer: W,
    size: Option<(u32, u32)>,
    count: u64,
}

impl<W: Write + Send> Y4mWriter<W> {
    pub fn new(writer: W) -> Self {
        Self { writer, size: None, count: 0 }
    }
}

impl<W: Write + Send> Writer for Y4mWriter<W> {
    fn write(&mut self, _stream: usize, frame: &MediaFrame) -> Result<()> {
        let MediaFrame::Video(video) = frame else { return Ok(()) };
        let size = (video.width(), video.height());
        let write = |w: &mut W, header: Option<String>| -> std::io::Result<()> {
            if let Some(header) = header {
                w.write_all(header.as_bytes())?;
            }
            w.write_all(b"FRAME\n")?;
            w.write_all(video.i420())
        };
        let header = match self.size {
            None => {
                self.size = Some(size);
                Some(format!("YUV4MPEG2 W{} H{} F30:1 Ip A1:1 C420jpeg\n", size.0, size.1))
            }
            Some(first) if first != size => {
                log::warn!(
                    "rtckit's Y4M recorder skipped a {}x{} frame (the file is {}x{})",
                    size.0,
                    size.1,
                    first.0,
                    first.1
                );
                return Ok(());
            }
            Some(_) => None,
        };
        write(&mut self.writer, header).map_err(|e| io_error("writing a Y4M frame", e))?;
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| io_error("finishing a Y4M file", e))
    }

    fn count(&self) -> u64 {
        self.count
    }
}
