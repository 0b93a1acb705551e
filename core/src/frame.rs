//! Raw media frames: VideoFrame (I420, converted from and to packed RGB/BGR/RGBA/BGRA and
//! gray) and AudioFrame (16-bit interleaved PCM). Colour conversion is BT.601 limited
//! range with libyuv's integer coefficients, what libwebrtc and browsers use for I420.

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};

/// Pixel layouts a frame converts from and to; I420 is how frames are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    I420,
    Rgb24,
    Bgr24,
    Rgba,
    Bgra,
    Gray,
}

impl PixelFormat {
    /// Names as PyAV/aiortc spell them, plus "i420".
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "yuv420p" | "i420" | "I420" => Self::I420,
            "rgb24" => Self::Rgb24,
            "bgr24" => Self::Bgr24,
            "rgba" => Self::Rgba,
            "bgra" => Self::Bgra,
            "gray" | "gray8" => Self::Gray,
            other => {
                return Err(Error::new(
                    ErrorKind::NotSupportedError,
                    format!("pixel format {other:?} is not supported: use yuv420p, rgb24, bgr24, rgba, bgra or gray"),
                ))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::I420 => "yuv420p",
            Self::Rgb24 => "rgb24",
            Self::Bgr24 => "bgr24",
            Self::Rgba => "rgba",
            Self::Bgra => "bgra",
            Self::Gray => "gray",
        }
    }

    /// Bytes per pixel of a packed format, or None for planar I420.
    pub fn packed_bytes(self) -> Option<usize> {
        match self {
            Self::I420 => None,
            Self::Rgb24 | Self::Bgr24 => Some(3),
            Self::Rgba | Self::Bgra => Some(4),
            Self::Gray => Some(1),
        }
    }

    /// The size of a width x height image in this format.
    pub fn frame_size(self, width: u32, height: u32) -> usize {
        let (w, h) = (width as usize, height as usize);
        match self.packed_bytes() {
            Some(bpp) => w * h * bpp,
            None => w * h + 2 * w.div_ceil(2) * h.div_ceil(2),
        }
    }

    /// Offsets of R, G, B (and alpha) in a packed pixel.
    fn rgb_offsets(self) -> (usize, usize, usize) {
        match self {
            Self::Rgb24 | Self::Rgba => (0, 1, 2),
            Self::Bgr24 | Self::Bgra => (2, 1, 0),
            _ => (0, 0, 0),
        }
    }
}

/// A video frame held as I420 (Y plane, then U, then V; chroma planes of ceil(w/2) x ceil(h/2)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoFrame {
    width: u32,
    height: u32,
    data: Bytes,
    /// Presentation timestamp in `time_base` units.
    pub pts: Option<i64>,
    /// (numerator, denominator) of a pts unit, in seconds.
    pub time_base: (u32, u32),
    /// The encoded unit this frame was decoded from (a received or played one): a sender of
    /// the same codec forwards it as is, and MediaRecorder writes it as received.
    pub unit: Option<EncodedUnit>,
}

/// An encoded unit (a VP8 frame, an H.264 access unit in Annex-B, an Opus packet) and its
/// codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedUnit {
    pub codec: crate::codec::CodecName,
    pub data: Bytes,
}

impl EncodedUnit {
    pub fn is_key_frame(&self) -> bool {
        crate::codec::is_key_frame(self.codec, &self.data)
    }
}

/// The RTP video clock (90 kHz) is the default time base.
pub const VIDEO_TIME_BASE: (u32, u32) = (1, 90_000);

fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 || width > 16384 || height > 16384 {
        return Err(Error::new(
            ErrorKind::RangeError,
            format!("a frame of {width}x{height} is out of range: each side must be 1 to 16384 pixels"),
        ));
    }
    Ok(())
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

impl VideoFrame {
    /// A black frame.
    pub fn black(width: u32, height: u32) -> Result<Self> {
        check_size(width, height)?;
        let luma = (width * height) as usize;
        let mut data = vec![16u8; PixelFormat::I420.frame_size(width, height)];
        data[luma..].fill(128);
        Ok(Self { width, height, data: Bytes::from(data), pts: None, time_base: VIDEO_TIME_BASE, unit: None })
    }

    /// Wraps I420 data without copying.
    pub fn from_i420(width: u32, height: u32, data: Bytes) -> Result<Self> {
        check_size(width, height)?;
        let expected = PixelFormat::I420.frame_size(width, height);
        if data.len() != expected {
            return Err(Error::type_error(format!(
                "an I420 frame of {width}x{height} is {expected} bytes, not {}",
                data.len()
            )));
        }
        Ok(Self { width, height, data, pts: None, time_base: VIDEO_TIME_BASE, unit: None })
    }

    /// Converts packed or planar pixels of `format` into a frame.
    pub fn from_pixels(width: u32, height: u32, format: PixelFormat, pixels: &[u8]) -> Result<Self> {
        check_size(width, height)?;
        let expected = format.frame_size(width, height);
        if pixels.len() != expected {
            return Err(Error::type_error(format!(
                "a {} image of {width}x{height} is {expected} bytes, not {}",
                format.name(),
                pixels.len()
            )));
        }
        if format == PixelFormat::I420 {
            return Self::from_i420(width, height, Bytes::copy_from_slice(pixels));
        }
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut out = vec![0u8; PixelFormat::I420.frame_size(width, height)];
        let (y_plane, chroma) = out.split_at_mut(w * h);
        let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
        let bpp = format.packed_bytes().unwrap_or(1);
        let rgb = |x: usize, y: usize| -> (i32, i32, i32) {
            let p = &pixels[(y * w + x) * bpp..];
            if format == PixelFormat::Gray {
                let g = p[0] as i32;
                return (g, g, g);
            }
            let (r, g, b) = format.rgb_offsets();
            (p[r] as i32, p[g] as i32, p[b] as i32)
        };
        for y in 0..h {
            for x in 0..w {
                let (r, g, b) = rgb(x, y);
                y_plane[y * w + x] = clamp(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
            }
        }
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut r, mut g, mut b, mut n) = (0, 0, 0, 0);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (x, y) = (cx * 2 + dx, cy * 2 + dy);
                    if x < w && y < h {
                        let p = rgb(x, y);
                        r += p.0;
                        g += p.1;
                        b += p.2;
                        n += 1;
                    }
                }
                let (r, g, b) = (r / n, g / n, b / n);
                u_plane[cy * cw + cx] = clamp(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
                v_plane[cy * cw + cx] = clamp(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
            }
        }
        Ok(Self { width, height, data: Bytes::from(out), pts: None, time_base: VIDEO_TIME_BASE, unit: None })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The I420 bytes (shared, not copied).
    pub fn i420(&self) -> &Bytes {
        &self.data
    }

    /// The pixels in `format` (a copy; I420 too).
    pub fn to_pixels(&self, format: PixelFormat) -> Vec<u8> {
        if format == PixelFormat::I420 {
            return self.data.to_vec();
        }
        let (w, h) = (self.width as usize, self.height as usize);
        let cw = w.div_ceil(2);
        let (y_plane, chroma) = self.data.split_at(w * h);
        let (u_plane, v_plane) = chroma.split_at(cw * h.div_ceil(2));
        let bpp = format.packed_bytes().unwrap_or(1);
        let mut out = vec![255u8; w * h * bpp];
        for y in 0..h {
            for x in 0..w {
                let luma = y_plane[y * w + x] as i32;
                let p = &mut out[(y * w + x) * bpp..(y * w + x + 1) * bpp];
                if format == PixelFormat::Gray {
                    p[0] = clamp(((luma - 16) * 255 + 109) / 219);
                    continue;
                }
                let c = 298 * (luma - 16);
                let d = u_plane[(y / 2) * cw + x / 2] as i32 - 128;
                let e = v_plane[(y / 2) * cw + x / 2] as i32 - 128;
                let (ri, gi, bi) = format.rgb_offsets();
                p[ri] = clamp((c + 409 * e + 128) >> 8);
                p[gi] = clamp((c - 100 * d - 208 * e + 128) >> 8);
                p[bi] = clamp((c + 516 * d + 128) >> 8);
            }
        }
        out
    }

    /// The frame as a PNG image (RGB, uncompressed deflate): for notebooks and debugging.
    pub fn to_png(&self) -> Vec<u8> {
        let rgb = self.to_pixels(PixelFormat::Rgb24);
        let row = self.width as usize * 3;
        let mut raw = Vec::with_capacity((row + 1) * self.height as usize);
        for line in rgb.chunks(row) {
            raw.push(0); // filter: none
            raw.extend_from_slice(line);
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::with_capacity(13);
        ihdr.extend_from_slice(&self.width.to_be_bytes());
        ihdr.extend_from_slice(&self.height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png_chunk(&mut png, b"IHDR", &ihdr);
        png_chunk(&mut png, b"IDAT", &zlib_stored(&raw));
        png_chunk(&mut png, b"IEND", &[]);
        png
    }
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { 0xedb8_8320 ^ (crc >> 1) } else { crc >> 1 };
        }
    }
    !crc
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(65535).collect() };
    for (i, block) in blocks.iter().enumerate() {
        out.push((i + 1 == blocks.len()) as u8);
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// An audio frame: signed 16-bit samples, interleaved by channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioFrame {
    samples: Vec<i16>,
    sample_rate: u32,
    channels: u16,
    /// Presentation timestamp in `time_base` units (default 1/sample_rate).
    pub pts: Option<i64>,
    /// The encoded packet it was decoded from, as for VideoFrame.
    pub unit: Option<EncodedUnit>,
}

impl AudioFrame {
    pub fn new(samples: Vec<i16>, sample_rate: u32, channels: u16) -> Result<Self> {
        if !(1..=8).contains(&channels) {
            return Err(Error::new(ErrorKind::RangeError, format!("{channels} channels: 1 to 8 are supported")));
        }
        if !(8000..=192_000).contains(&sample_rate) {
            return Err(Error::new(
                ErrorKind::RangeError,
                format!("a sample rate of {sample_rate} Hz is out of range (8000 to 192000)"),
            ));
        }
        if samples.len() % channels as usize != 0 {
            return Err(Error::type_error(format!(
                "{} interleaved samples do not divide into {channels} channels",
                samples.len()
            )));
        }
        Ok(Self { samples, sample_rate, channels, pts: None, unit: None })
    }

    /// From little-endian s16 bytes.
    pub fn from_le_bytes(bytes: &[u8], sample_rate: u32, channels: u16) -> Result<Self> {
        if bytes.len() % 2 != 0 {
            return Err(Error::type_error("s16 audio needs an even number of bytes"));
        }
        let samples = bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        Self::new(samples, sample_rate, channels)
    }

    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// Samples per channel.
    pub fn samples_per_channel(&self) -> usize {
        self.samples.len() / self.channels as usize
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn channels(&self) -> u16 {
        self.channels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_round_trip_stays_close_and_sizes_are_checked() {
        let (w, h) = (5u32, 3u32); // odd sizes: chroma rounds up
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 256) as u8).collect();
        let frame = VideoFrame::from_pixels(w, h, PixelFormat::Rgb24, &rgb).unwrap();
        assert_eq!(frame.i420().len(), 15 + 2 * 3 * 2);
        let flat = VideoFrame::from_pixels(2, 2, PixelFormat::Rgb24, &[200, 100, 50].repeat(4)).unwrap();
        let back = flat.to_pixels(PixelFormat::Rgb24);
        for (a, b) in back.iter().zip([200u8, 100, 50].repeat(4)) {
            assert!((*a as i32 - b as i32).abs() <= 3, "{back:?}");
        }
        let err = VideoFrame::from_pixels(w, h, PixelFormat::Rgba, &rgb).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TypeError);
        assert!(frame.to_png().starts_with(b"\x89PNG"));
    }
}
