//! Image sequences as ffmpeg's image2 names them: one file a frame, numbered by a printf
//! pattern in the name (frame-%3d.png, frame-%03d.png; ffmpeg zero-pads both). PNG is read
//! and written (the `png` crate), JPEG read. Played at 25 frames a second (image2's default)
//! or the `framerate` option, from the first of start_number..start_number+4 that exists
//! (image2's search), to the first missing number; recorded from 1, as image2 writes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Reader, Sample, Stream, Writer};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::{PixelFormat, VideoFrame};
use crate::track::{MediaFrame, TrackKind};

/// A name's number pattern: the text before it, its width, the text after it.
pub(crate) fn pattern(name: &str) -> Option<(String, usize, String)> {
    let mut at = 0;
    while let Some(i) = name[at..].find('%').map(|i| i + at) {
        let rest = &name[i + 1..];
        if rest.starts_with('%') {
            at = i + 2;
            continue;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if rest[digits..].starts_with('d') {
            let width = rest[..digits].parse().unwrap_or(0);
            return Some((name[..i].replace("%%", "%"), width, rest[digits + 1..].replace("%%", "%")));
        }
        at = i + 1;
    }
    None
}

/// The files of a sequence named `path`, by number.
struct Sequence {
    dir: PathBuf,
    pattern: Option<(String, usize, String)>,
    single: PathBuf,
}

impl Sequence {
    fn new(path: &Path) -> Self {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self { dir, pattern: pattern(name), single: path.to_path_buf() }
    }

    fn path(&self, n: u64) -> PathBuf {
        match &self.pattern {
            Some((before, width, after)) => self.dir.join(format!("{before}{n:0width$}{after}")),
            None => self.single.clone(),
        }
    }
}

fn option<T: std::str::FromStr>(options: &[(String, String)], name: &str) -> Result<Option<T>> {
    match options.iter().rev().find(|(k, _)| k == name) {
        Some((_, v)) => {
            v.trim().parse().map(Some).map_err(|_| Error::syntax(format!("option {name}={v:?} is not a valid value")))
        }
        None => Ok(None),
    }
}

/// A frame rate as ffmpeg takes it: "30", "29.97" or "30000/1001".
pub(crate) fn frame_rate(value: &str) -> Result<f64> {
    let bad = || Error::syntax(format!("framerate {value:?} is not a frame rate (30, 29.97 or 30000/1001)"));
    let rate = match value.split_once('/') {
        Some((n, d)) => n.trim().parse::<f64>().map_err(|_| bad())? / d.trim().parse::<f64>().map_err(|_| bad())?,
        None => value.trim().parse::<f64>().map_err(|_| bad())?,
    };
    if !(rate.is_finite() && rate > 0.0 && rate <= 1000.0) {
        return Err(bad());
    }
    Ok(rate)
}

fn decode(path: &Path) -> Result<VideoFrame> {
    let unreadable = |what: String| Error::new(ErrorKind::NotReadableError, format!("{}: {what}", path.display()));
    let data = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    if data.starts_with(&[0xff, 0xd8]) {
        return crate::camera::to_i420(crate::camera::CameraFormat::Mjpeg, 0, 0, &data);
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&data));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| unreadable(format!("not a valid PNG or JPEG image ({e})")))?;
    let mut pixels = vec![0; reader.output_buffer_size().ok_or_else(|| unreadable("a PNG too large".into()))?];
    let info = reader.next_frame(&mut pixels).map_err(|e| unreadable(format!("not a valid PNG image ({e})")))?;
    pixels.truncate(info.buffer_size());
    let format = match info.color_type {
        png::ColorType::Rgb => PixelFormat::Rgb24,
        png::ColorType::Rgba => PixelFormat::Rgba,
        png::ColorType::Grayscale => PixelFormat::Gray,
        png::ColorType::GrayscaleAlpha => {
            pixels = pixels.chunks_exact(2).map(|p| p[0]).collect();
            PixelFormat::Gray
        }
        png::ColorType::Indexed => return Err(unreadable("an indexed PNG that did not expand".into())),
    };
    VideoFrame::from_pixels(info.width, info.height, format, &pixels)
}

pub struct ImageReader {
    sequence: Sequence,
    next: Option<u64>,
    /// The first image, decoded when opening (so a bad file fails then).
    first: Option<VideoFrame>,
    frame_time: Duration,
    frames: u32,
    size: (u32, u32),
}

impl ImageReader {
    pub fn new(path: &Path, options: &[(String, String)]) -> Result<Self> {
        let sequence = Sequence::new(path);
        let rate = match options.iter().rev().find(|(k, _)| k == "framerate") {
            Some((_, v)) => frame_rate(v)?,
            None => 25.0,
        };
        let start: u64 = option(options, "start_number")?.unwrap_or(0);
        let first_number = match &sequence.pattern {
            Some(_) => (start..start + 5).find(|n| sequence.path(*n).is_file()).ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFoundError,
                    format!("{}: no image numbered {start} to {}", path.display(), start + 4),
                )
            })?,
            None => 0,
        };
        let first = match decode(&sequence.path(first_number)) {
            Err(e) if e.kind == ErrorKind::NotReadableError && !sequence.path(first_number).exists() => {
                return Err(Error::new(ErrorKind::NotFoundError, e.message))
            }
            other => other?,
        };
        let size = (first.width(), first.height());
        Ok(Self {
            sequence,
            next: Some(first_number + 1),
            first: Some(first),
            frame_time: Duration::from_secs_f64(1.0 / rate),
            frames: 0,
            size,
        })
    }
}

impl Reader for ImageReader {
    fn streams(&self) -> Vec<Stream> {
        vec![Stream { size: self.size, ..Stream::raw(TrackKind::Video) }]
    }

    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        let frame = match self.first.take() {
            Some(frame) => frame,
            None => {
                let Some(n) = self.next.filter(|_| self.sequence.pattern.is_some()) else { return Ok(None) };
                let path = self.sequence.path(n);
                if !path.is_file() {
                    self.next = None;
                    return Ok(None);
                }
                self.next = Some(n + 1);
                decode(&path)?
            }
        };
        let at = self.frame_time * self.frames;
        self.frames += 1;
        Ok(Some((0, Sample::Frame(MediaFrame::Video(frame)), at)))
    }
}

/// Writes each frame as an RGB PNG, numbered from 1.
pub struct ImageWriter {
    sequence: Sequence,
    count: u64,
}

impl ImageWriter {
    pub fn new(path: &Path) -> Result<Self> {
        Ok(Self { sequence: Sequence::new(path), count: 0 })
    }
}

impl Writer for ImageWriter {
    fn write(&mut self, _stream: usize, frame: &MediaFrame) -> Result<()> {
        let MediaFrame::Video(video) = frame else { return Ok(()) };
        let path = self.sequence.path(self.count + 1);
        let failed = |e: &dyn std::fmt::Display| {
            Error::new(ErrorKind::NotReadableError, format!("writing {}: {e}", path.display()))
        };
        let file = std::fs::File::create(&path).map_err(|e| failed(&e))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), video.width(), video.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().map_err(|e| failed(&e))?;
        writer.write_image_data(&video.to_pixels(PixelFormat::Rgb24)).map_err(|e| failed(&e))?;
        writer.finish().map_err(|e| failed(&e))?;
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }

    fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_as_image2_reads_them() {
        assert_eq!(pattern("frame-%3d.png"), Some(("frame-".into(), 3, ".png".into())));
        assert_eq!(pattern("f%03d.png"), Some(("f".into(), 3, ".png".into())));
        assert_eq!(pattern("%d.png"), Some(("".into(), 0, ".png".into())));
        assert_eq!(pattern("100%%-%02d.png"), Some(("100%-".into(), 2, ".png".into())));
        assert_eq!(pattern("frame.png"), None);
        assert_eq!(pattern("frame-%s.png"), None);
        let s = Sequence::new(Path::new("dir/frame-%3d.png"));
        assert_eq!(s.path(7), Path::new("dir/frame-007.png"));
        assert_eq!(s.path(1234), Path::new("dir/frame-1234.png"));
    }

    #[test]
    fn frame_rates_as_ffmpeg_takes_them() {
        assert_eq!(frame_rate("30").unwrap(), 30.0);
        assert!((frame_rate("30000/1001").unwrap() - 29.97).abs() < 0.01);
        for bad in ["", "fast", "0", "-5", "1/0"] {
            assert_eq!(frame_rate(bad).unwrap_err().kind, ErrorKind::SyntaxError, "{bad}");
        }
    }
}
