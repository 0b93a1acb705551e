//! Raw media frames: VideoFrame (held as I420) with conversion and scaling from and to the
//! formats PyAV names (yuv420p, nv12, rgb24, bgr24, rgba, bgra, gray), and AudioFrame
//! (16-bit interleaved PCM). YUV is BT.601 limited range with libyuv's integer coefficients,
//! what libwebrtc and browsers use for I420; gray is full-range luma, as swscale makes it.

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};

/// Pixel layouts images are read and written in; I420 is how a VideoFrame holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    I420,
    Nv12,
    Rgb24,
    Bgr24,
    Rgba,
    Bgra,
    Gray,
}

/// One plane of an image: its size in samples and the bytes of one row (rows are packed,
/// without padding). An nv12 chroma plane is `width` (U, V) pairs wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plane {
    pub width: u32,
    pub height: u32,
    pub line_size: usize,
}

impl Plane {
    pub fn size(&self) -> usize {
        self.line_size * self.height as usize
    }

    /// Bytes per sample: interleaved channels.
    fn channels(&self) -> usize {
        self.line_size / self.width as usize
    }
}

impl PixelFormat {
    /// Names as PyAV/aiortc spell them, plus "i420" and "gray8".
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "yuv420p" | "i420" | "I420" => Self::I420,
            "nv12" | "NV12" => Self::Nv12,
            "rgb24" => Self::Rgb24,
            "bgr24" => Self::Bgr24,
            "rgba" => Self::Rgba,
            "bgra" => Self::Bgra,
            "gray" | "gray8" => Self::Gray,
            other => {
                return Err(Error::new(
                    ErrorKind::NotSupportedError,
                    format!(
                        "pixel format {other:?} is not supported: use yuv420p, nv12, rgb24, bgr24, rgba, bgra or gray"
                    ),
                ))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::I420 => "yuv420p",
            Self::Nv12 => "nv12",
            Self::Rgb24 => "rgb24",
            Self::Bgr24 => "bgr24",
            Self::Rgba => "rgba",
            Self::Bgra => "bgra",
            Self::Gray => "gray",
        }
    }

    /// Bytes per pixel of a packed format, or None for the planar YUV ones.
    pub fn packed_bytes(self) -> Option<usize> {
        match self {
            Self::I420 | Self::Nv12 => None,
            Self::Rgb24 | Self::Bgr24 => Some(3),
            Self::Rgba | Self::Bgra => Some(4),
            Self::Gray => Some(1),
        }
    }

    fn is_yuv(self) -> bool {
        self.packed_bytes().is_none()
    }

    /// The planes of a width x height image, in PyAV's order (chroma of ceil(w/2) x ceil(h/2)).
    pub fn planes(self, width: u32, height: u32) -> Vec<Plane> {
        let luma = Plane { width, height, line_size: width as usize };
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        match self {
            Self::I420 => {
                let chroma = Plane { width: cw, height: ch, line_size: cw as usize };
                vec![luma, chroma, chroma]
            }
            Self::Nv12 => vec![luma, Plane { width: cw, height: ch, line_size: 2 * cw as usize }],
            packed => {
                let bpp = packed.packed_bytes().unwrap_or(1);
                vec![Plane { width, height, line_size: width as usize * bpp }]
            }
        }
    }

    /// The size of a width x height image in this format.
    pub fn frame_size(self, width: u32, height: u32) -> usize {
        self.planes(width, height).iter().map(Plane::size).sum()
    }
}

/// Checks an image size: each side 1 to 16384 pixels.
pub fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 || width > 16384 || height > 16384 {
        return Err(Error::new(
            ErrorKind::RangeError,
            format!("a frame of {width}x{height} is out of range: each side must be 1 to 16384 pixels"),
        ));
    }
    Ok(())
}

/// Splits `buffers` (one holding every plane back to back, or one per plane) into planes,
/// checking their sizes.
fn plane_sizes(format: PixelFormat, width: u32, height: u32, lengths: &[usize]) -> Result<Vec<usize>> {
    check_size(width, height)?;
    let planes = format.planes(width, height);
    let name = format.name();
    if lengths.len() == 1 {
        let expected = format.frame_size(width, height);
        if lengths[0] != expected {
            return Err(Error::type_error(format!(
                "a {name} image of {width}x{height} is {expected} bytes, not {}",
                lengths[0]
            )));
        }
    } else if lengths.len() == planes.len() {
        for (i, (plane, &len)) in planes.iter().zip(lengths).enumerate() {
            if len != plane.size() {
                return Err(Error::type_error(format!(
                    "plane {i} of a {name} image of {width}x{height} is {} bytes, not {len}",
                    plane.size()
                )));
            }
        }
    } else {
        return Err(Error::type_error(format!(
            "a {name} image has {} planes: give one buffer per plane or one for all, not {}",
            planes.len(),
            lengths.len()
        )));
    }
    Ok(planes.iter().map(Plane::size).collect())
}

/// A borrowed image: its format, size and planes.
pub struct Image<'a> {
    format: PixelFormat,
    width: u32,
    height: u32,
    planes: Vec<&'a [u8]>,
}

impl<'a> Image<'a> {
    /// An image over `buffers`: one holding every plane back to back, or one per plane.
    pub fn new(format: PixelFormat, width: u32, height: u32, buffers: &[&'a [u8]]) -> Result<Self> {
        let lengths: Vec<usize> = buffers.iter().map(|b| b.len()).collect();
        let sizes = plane_sizes(format, width, height, &lengths)?;
        let planes = if buffers.len() == 1 && sizes.len() > 1 {
            let mut rest = buffers[0];
            sizes
                .iter()
                .map(|&n| {
                    let (plane, tail) = rest.split_at(n);
                    rest = tail;
                    plane
                })
                .collect()
        } else {
            buffers.to_vec()
        };
        Ok(Self { format, width, height, planes })
    }
}

/// A writable image, as Image.
pub struct ImageMut<'a> {
    format: PixelFormat,
    width: u32,
    height: u32,
    planes: Vec<&'a mut [u8]>,
}

impl<'a> ImageMut<'a> {
    pub fn new(format: PixelFormat, width: u32, height: u32, buffers: Vec<&'a mut [u8]>) -> Result<Self> {
        let lengths: Vec<usize> = buffers.iter().map(|b| b.len()).collect();
        let sizes = plane_sizes(format, width, height, &lengths)?;
        let planes = if buffers.len() == 1 && sizes.len() > 1 {
            let mut rest = buffers.into_iter().next().unwrap_or_default();
            sizes
                .iter()
                .map(|&n| {
                    let (plane, tail) = std::mem::take(&mut rest).split_at_mut(n);
                    rest = tail;
                    plane
                })
                .collect()
        } else {
            buffers
        };
        Ok(Self { format, width, height, planes })
    }

    fn as_image(&self) -> Image<'_> {
        Image {
            format: self.format,
            width: self.width,
            height: self.height,
            planes: self.planes.iter().map(|p| &**p).collect(),
        }
    }
}

/// Converts and scales `src` into `dst` (their formats and sizes may differ). Scaling is
/// bilinear when enlarging and an area average when shrinking, done at the smaller size.
pub fn reformat(src: &Image, dst: &mut ImageMut) {
    let same_size = (src.width, src.height) == (dst.width, dst.height);
    if same_size {
        convert(src, dst);
    } else if src.format == dst.format {
        scale(src, dst);
    } else if u64::from(dst.width) * u64::from(dst.height) <= u64::from(src.width) * u64::from(src.height) {
        let mut tmp = vec![0u8; src.format.frame_size(dst.width, dst.height)];
        let mut scaled = image_mut(src.format, dst.width, dst.height, &mut tmp);
        scale(src, &mut scaled);
        convert(&scaled.as_image(), dst);
    } else {
        let mut tmp = vec![0u8; dst.format.frame_size(src.width, src.height)];
        let mut converted = image_mut(dst.format, src.width, src.height, &mut tmp);
        convert(src, &mut converted);
        scale(&converted.as_image(), dst);
    }
}

/// An image over a buffer this file sized for it.
fn image_mut(format: PixelFormat, width: u32, height: u32, buffer: &mut [u8]) -> ImageMut<'_> {
    let mut rest = buffer;
    let planes = format
        .planes(width, height)
        .iter()
        .map(|plane| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(plane.size());
            rest = tail;
            head
        })
        .collect();
    ImageMut { format, width, height, planes }
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// A packed pixel of an RGB-family or gray format as (r, g, b, alpha).
fn read_rgba(format: PixelFormat, p: &[u8]) -> [i32; 4] {
    let [a, b, c] = [p[0] as i32, p.get(1).copied().unwrap_or(0) as i32, p.get(2).copied().unwrap_or(0) as i32];
    let alpha = p.get(3).copied().unwrap_or(255) as i32;
    match format {
        PixelFormat::Gray => [a, a, a, 255],
        PixelFormat::Bgr24 | PixelFormat::Bgra => [c, b, a, alpha],
        _ => [a, b, c, alpha],
    }
}

fn write_rgba(format: PixelFormat, p: &mut [u8], [r, g, b, alpha]: [i32; 4]) {
    match format {
        // Full-range BT.601 luma (swscale's rgb -> gray).
        PixelFormat::Gray => p[0] = clamp((19595 * r + 38470 * g + 7471 * b + 32768) >> 16),
        PixelFormat::Bgr24 | PixelFormat::Bgra => p[..3].copy_from_slice(&[b as u8, g as u8, r as u8]),
        _ => p[..3].copy_from_slice(&[r as u8, g as u8, b as u8]),
    }
    if let Some(a) = p.get_mut(3) {
        *a = alpha as u8;
    }
}

/// The chroma of a YUV image: separate U and V planes, or interleaved UV.
enum Chroma<'a> {
    Planar(&'a [u8], &'a [u8]),
    Interleaved(&'a [u8]),
}

impl Chroma<'_> {
    fn at(&self, i: usize) -> (u8, u8) {
        match self {
            Self::Planar(u, v) => (u[i], v[i]),
            Self::Interleaved(uv) => (uv[2 * i], uv[2 * i + 1]),
        }
    }
}

enum ChromaMut<'a> {
    Planar(&'a mut [u8], &'a mut [u8]),
    Interleaved(&'a mut [u8]),
}

impl ChromaMut<'_> {
    fn set(&mut self, i: usize, (u, v): (u8, u8)) {
        match self {
            Self::Planar(up, vp) => {
                up[i] = u;
                vp[i] = v;
            }
            Self::Interleaved(uv) => {
                uv[2 * i] = u;
                uv[2 * i + 1] = v;
            }
        }
    }
}

fn yuv_planes<'a>(image: &'a Image) -> (&'a [u8], Chroma<'a>) {
    match image.planes[..] {
        [y, u, v] => (y, Chroma::Planar(u, v)),
        [y, uv] => (y, Chroma::Interleaved(uv)),
        _ => (image.planes[0], Chroma::Interleaved(&[])),
    }
}

fn yuv_planes_mut<'a>(image: &'a mut ImageMut) -> (&'a mut [u8], ChromaMut<'a>) {
    match &mut image.planes[..] {
        [y, u, v] => (y, ChromaMut::Planar(u, v)),
        [y, uv] => (y, ChromaMut::Interleaved(uv)),
        [y, ..] => (y, ChromaMut::Interleaved(&mut [])),
        [] => (&mut [], ChromaMut::Interleaved(&mut [])),
    }
}

/// Converts between images of the same size.
fn convert(src: &Image, dst: &mut ImageMut) {
    let (w, h) = (src.width as usize, src.height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (from, to) = (src.format, dst.format);
    if from == to {
        for (s, d) in src.planes.iter().zip(dst.planes.iter_mut()) {
            d.copy_from_slice(s);
        }
        return;
    }
    match (from.is_yuv(), to.is_yuv()) {
        (true, true) => {
            let (sy, schroma) = yuv_planes(src);
            let (dy, mut dchroma) = yuv_planes_mut(dst);
            dy.copy_from_slice(sy);
            for i in 0..cw * ch {
                dchroma.set(i, schroma.at(i));
            }
        }
        (false, false) => {
            let (sb, db) = (from.packed_bytes().unwrap_or(1), to.packed_bytes().unwrap_or(1));
            let (s, d) = (src.planes[0], &mut dst.planes[0]);
            for i in 0..w * h {
                write_rgba(to, &mut d[i * db..(i + 1) * db], read_rgba(from, &s[i * sb..(i + 1) * sb]));
            }
        }
        (false, true) => {
            let bpp = from.packed_bytes().unwrap_or(1);
            let pixels = src.planes[0];
            let rgb = |x: usize, y: usize| read_rgba(from, &pixels[(y * w + x) * bpp..(y * w + x + 1) * bpp]);
            let (y_plane, mut chroma) = yuv_planes_mut(dst);
            for y in 0..h {
                for x in 0..w {
                    let [r, g, b, _] = rgb(x, y);
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
                            r += p[0];
                            g += p[1];
                            b += p[2];
                            n += 1;
                        }
                    }
                    let (r, g, b) = (r / n, g / n, b / n);
                    let u = clamp(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
                    let v = clamp(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
                    chroma.set(cy * cw + cx, (u, v));
                }
            }
        }
        (true, false) => {
            let bpp = to.packed_bytes().unwrap_or(1);
            let (y_plane, chroma) = yuv_planes(src);
            let out = &mut dst.planes[0];
            for y in 0..h {
                for x in 0..w {
                    let luma = y_plane[y * w + x] as i32;
                    let p = &mut out[(y * w + x) * bpp..(y * w + x + 1) * bpp];
                    if to == PixelFormat::Gray {
                        // Luma expanded to full range, as swscale does.
                        p[0] = clamp(((luma - 16) * 255 + 109) / 219);
                        continue;
                    }
                    let (u, v) = chroma.at((y / 2) * cw + x / 2);
                    let (c, d, e) = (298 * (luma - 16), u as i32 - 128, v as i32 - 128);
                    let rgba =
                        [(c + 409 * e + 128) >> 8, (c - 100 * d - 208 * e + 128) >> 8, (c + 516 * d + 128) >> 8, 255];
                    write_rgba(to, p, rgba.map(|v| clamp(v) as i32));
                }
            }
        }
    }
}

/// Scales between images of the same format, plane by plane.
fn scale(src: &Image, dst: &mut ImageMut) {
    let from = src.format.planes(src.width, src.height);
    let to = dst.format.planes(dst.width, dst.height);
    for (i, (s, d)) in src.planes.iter().zip(dst.planes.iter_mut()).enumerate() {
        resample(s, from[i], d, to[i]);
    }
}

/// Separable resampling: bilinear when enlarging, an area average when shrinking (every
/// source pixel counts by how much of it an output pixel covers).
fn resample(src: &[u8], from: Plane, dst: &mut [u8], to: Plane) {
    let channels = from.channels();
    let (sw, sh, dw, dh) = (from.width as usize, from.height as usize, to.width as usize, to.height as usize);
    if (sw, sh) == (dw, dh) {
        dst.copy_from_slice(src);
        return;
    }
    let (xtaps, ytaps) = (taps(sw, dw), taps(sh, dh));
    let row = dw * channels;
    let mut rows = vec![0f32; sh * row];
    for y in 0..sh {
        let line = &src[y * sw * channels..(y + 1) * sw * channels];
        for (x, (start, weights)) in xtaps.iter().enumerate() {
            for c in 0..channels {
                let sum: f32 =
                    weights.iter().enumerate().map(|(k, w)| w * line[(start + k) * channels + c] as f32).sum();
                rows[y * row + x * channels + c] = sum;
            }
        }
    }
    for (y, (start, weights)) in ytaps.iter().enumerate() {
        for i in 0..row {
            let sum: f32 = weights.iter().enumerate().map(|(k, w)| w * rows[(start + k) * row + i]).sum();
            dst[y * row + i] = (sum + 0.5).clamp(0.0, 255.0) as u8;
        }
    }
}

/// For each output position: the first source position it reads and the normalised weights.
fn taps(src: usize, dst: usize) -> Vec<(usize, Vec<f32>)> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|i| {
            let center = (i as f64 + 0.5) * scale;
            let weight = |j: usize| {
                if scale > 1.0 {
                    let (lo, hi) = (center - scale / 2.0, center + scale / 2.0);
                    ((j + 1) as f64).min(hi) - (j as f64).max(lo)
                } else {
                    1.0 - (j as f64 + 0.5 - center).abs()
                }
            };
            let reach = scale.max(1.0);
            let lo = (center - reach).floor().max(0.0) as usize;
            let hi = ((center + reach).ceil() as usize).min(src);
            let weights: Vec<f64> = (lo..hi).map(|j| weight(j).max(0.0)).collect();
            let total: f64 = weights.iter().sum();
            (lo, weights.iter().map(|w| (w / total) as f32).collect())
        })
        .collect()
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
    /// The picture is a stand-in (MediaPlayer with decode off): only `unit` carries it, so a
    /// sender that cannot forward the unit waits for the next key unit rather than encode it.
    pub undecoded: bool,
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

impl VideoFrame {
    /// A black frame.
    pub fn black(width: u32, height: u32) -> Result<Self> {
        check_size(width, height)?;
        let luma = (width * height) as usize;
        let mut data = vec![16u8; PixelFormat::I420.frame_size(width, height)];
        data[luma..].fill(128);
        Ok(Self::new(width, height, Bytes::from(data)))
    }

    fn new(width: u32, height: u32, data: Bytes) -> Self {
        Self { width, height, data, pts: None, time_base: VIDEO_TIME_BASE, unit: None, undecoded: false }
    }

    /// Wraps I420 data without copying.
    pub fn from_i420(width: u32, height: u32, data: Bytes) -> Result<Self> {
        plane_sizes(PixelFormat::I420, width, height, &[data.len()])?;
        Ok(Self::new(width, height, data))
    }

    /// Converts an image of any format into a frame.
    pub fn from_image(image: &Image) -> Result<Self> {
        let mut data = vec![0u8; PixelFormat::I420.frame_size(image.width, image.height)];
        convert(image, &mut image_mut(PixelFormat::I420, image.width, image.height, &mut data));
        Ok(Self::new(image.width, image.height, Bytes::from(data)))
    }

    /// Converts packed or planar pixels of `format` (every plane back to back) into a frame.
    pub fn from_pixels(width: u32, height: u32, format: PixelFormat, pixels: &[u8]) -> Result<Self> {
        Self::from_image(&Image::new(format, width, height, &[pixels])?)
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

    /// The frame as an I420 image.
    pub fn image(&self) -> Image<'_> {
        let mut rest = &self.data[..];
        let planes = PixelFormat::I420
            .planes(self.width, self.height)
            .iter()
            .map(|plane| {
                let (head, tail) = rest.split_at(plane.size());
                rest = tail;
                head
            })
            .collect();
        Image { format: PixelFormat::I420, width: self.width, height: self.height, planes }
    }

    /// The pixels in `format` (a copy; I420 too).
    pub fn to_pixels(&self, format: PixelFormat) -> Vec<u8> {
        let mut out = vec![0u8; format.frame_size(self.width, self.height)];
        convert(&self.image(), &mut image_mut(format, self.width, self.height, &mut out));
        out
    }

    /// The frame scaled to width x height, with its pts and time base.
    pub fn scaled(&self, width: u32, height: u32) -> Result<Self> {
        check_size(width, height)?;
        let mut data = vec![0u8; PixelFormat::I420.frame_size(width, height)];
        scale(&self.image(), &mut image_mut(PixelFormat::I420, width, height, &mut data));
        Ok(Self { pts: self.pts, time_base: self.time_base, ..Self::new(width, height, Bytes::from(data)) })
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
        if !samples.len().is_multiple_of(channels as usize) {
            return Err(Error::type_error(format!(
                "{} interleaved samples do not divide into {channels} channels",
                samples.len()
            )));
        }
        Ok(Self { samples, sample_rate, channels, pts: None, unit: None })
    }

    /// From little-endian s16 bytes.
    pub fn from_le_bytes(bytes: &[u8], sample_rate: u32, channels: u16) -> Result<Self> {
        if !bytes.len().is_multiple_of(2) {
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

    fn reformatted(from: PixelFormat, w: u32, h: u32, data: &[u8], to: PixelFormat, dw: u32, dh: u32) -> Vec<u8> {
        let mut out = vec![0u8; to.frame_size(dw, dh)];
        let src = Image::new(from, w, h, &[data]).unwrap();
        reformat(&src, &mut ImageMut::new(to, dw, dh, vec![&mut out]).unwrap());
        out
    }

    #[test]
    fn lossless_conversions_are_exact() {
        let (w, h) = (5u32, 3u32);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i * 53 % 251) as u8).collect();
        let bgra = reformatted(PixelFormat::Rgba, w, h, &rgba, PixelFormat::Bgra, w, h);
        assert_eq!(&bgra[..4], &[rgba[2], rgba[1], rgba[0], rgba[3]]); // alpha kept
        assert_eq!(reformatted(PixelFormat::Bgra, w, h, &bgra, PixelFormat::Rgba, w, h), rgba);
        let rgb = reformatted(PixelFormat::Rgba, w, h, &rgba, PixelFormat::Rgb24, w, h);
        let bgr = reformatted(PixelFormat::Rgb24, w, h, &rgb, PixelFormat::Bgr24, w, h);
        assert_eq!(reformatted(PixelFormat::Bgr24, w, h, &bgr, PixelFormat::Rgb24, w, h), rgb);
        let opaque = reformatted(PixelFormat::Rgb24, w, h, &rgb, PixelFormat::Rgba, w, h);
        assert!(opaque.chunks(4).all(|p| p[3] == 255));
        // I420 and NV12 hold the same samples in another order.
        let i420: Vec<u8> = (0..PixelFormat::I420.frame_size(w, h)).map(|i| (i * 7 % 256) as u8).collect();
        let nv12 = reformatted(PixelFormat::I420, w, h, &i420, PixelFormat::Nv12, w, h);
        assert_eq!(&nv12[15..19], &[i420[15], i420[21], i420[16], i420[22]]);
        assert_eq!(reformatted(PixelFormat::Nv12, w, h, &nv12, PixelFormat::I420, w, h), i420);
        // Gray: replicated into RGB, full-range luma out of it, limited-range Y in I420.
        let gray = [0u8, 50, 128, 255];
        let as_rgb = reformatted(PixelFormat::Gray, 4, 1, &gray, PixelFormat::Rgb24, 4, 1);
        assert_eq!(as_rgb, [0, 0, 0, 50, 50, 50, 128, 128, 128, 255, 255, 255]);
        assert_eq!(reformatted(PixelFormat::Rgb24, 4, 1, &as_rgb, PixelFormat::Gray, 4, 1), gray);
        let primaries = [255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100];
        assert_eq!(reformatted(PixelFormat::Rgb24, 4, 1, &primaries, PixelFormat::Gray, 4, 1), [76, 150, 29, 100]);
        let yuv = reformatted(PixelFormat::Gray, 4, 2, &[gray, gray].concat(), PixelFormat::I420, 4, 2);
        assert_eq!(&yuv[..4], &[16, 59, 126, 235]);
        assert!(yuv[8..].iter().all(|&c| c == 128));
        assert_eq!(reformatted(PixelFormat::I420, 4, 2, &yuv, PixelFormat::Gray, 4, 2)[..4], [0, 50, 128, 255]);
    }

    #[test]
    fn scaling_keeps_flat_areas_and_averages_when_shrinking() {
        let frame = VideoFrame::from_pixels(4, 4, PixelFormat::Rgb24, &[90, 140, 200].repeat(16)).unwrap();
        let up = frame.scaled(7, 5).unwrap();
        assert_eq!((up.width(), up.height(), up.i420().len()), (7, 5, 35 + 2 * 4 * 3));
        let expected = frame.i420()[0];
        assert!(up.image().planes[0].iter().all(|&y| y == expected));
        assert_eq!(frame.scaled(4, 4).unwrap().i420(), frame.i420()); // identity
                                                                      // Stripes one pixel wide shrink to their average, not to one of them.
        let stripes: Vec<u8> = (0..64).map(|i| if i % 2 == 0 { 0 } else { 200 }).collect();
        let half = reformatted(PixelFormat::Gray, 8, 8, &stripes, PixelFormat::Gray, 4, 4);
        assert!(half.iter().all(|&v| v == 100), "{half:?}");
        // Packed formats scale per channel; scaling and converting happen in one call.
        let rgb = reformatted(PixelFormat::Rgb24, 4, 4, &[10, 20, 30].repeat(16), PixelFormat::Rgb24, 2, 3);
        assert_eq!(rgb, [10, 20, 30].repeat(6));
        let mut out = vec![0u8; 6 * 4];
        let src = frame.image();
        reformat(&src, &mut ImageMut::new(PixelFormat::Rgba, 3, 2, vec![&mut out]).unwrap());
        assert!(out.chunks(4).all(|p| (p[0] as i32 - 90).abs() <= 3 && (p[2] as i32 - 200).abs() <= 3 && p[3] == 255));
        assert_eq!(frame.scaled(0, 4).unwrap_err().kind, ErrorKind::RangeError);
    }

    #[test]
    fn images_take_one_buffer_or_one_per_plane() {
        let (y, u, v) = (vec![1u8; 6], vec![2u8; 2], vec![3u8; 2]);
        let planar = Image::new(PixelFormat::I420, 3, 2, &[&y, &u, &v]).unwrap();
        let frame = VideoFrame::from_image(&planar).unwrap();
        assert_eq!(&frame.i420()[..], &[1, 1, 1, 1, 1, 1, 2, 2, 3, 3]);
        let err = Image::new(PixelFormat::I420, 3, 2, &[&y, &u]).err().unwrap();
        assert_eq!(err.kind, ErrorKind::TypeError);
        assert!(Image::new(PixelFormat::I420, 3, 2, &[&y, &u, &y]).is_err());
        assert_eq!(PixelFormat::Nv12.planes(5, 3)[1], Plane { width: 3, height: 2, line_size: 6 });
        assert_eq!(PixelFormat::parse("yuv444p").unwrap_err().kind, ErrorKind::NotSupportedError);
    }
}
