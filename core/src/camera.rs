//! Cameras through nokhwa (V4L2 on Linux; AVFoundation and Media Foundation where built),
//! and the conversion of what they deliver (MJPEG, YUYV, NV12, gray, RGB, BGR) to I420.
//!
//! A camera is read on a thread of its own (nokhwa's handles stay on the thread that opened
//! them) until no track of it is live.

use std::sync::mpsc;
use std::time::Instant;

use bytes::Bytes;

use crate::device::{DeviceInfo, VideoConstraints};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::{PixelFormat, VideoFrame};
use crate::source::MediaSource;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// How a camera lays out a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraFormat {
    Mjpeg,
    /// Packed 4:2:2: Y0 U Y1 V for each two pixels.
    Yuyv,
    /// A Y plane, then interleaved U and V at half size.
    Nv12,
    Gray,
    Rgb,
    Bgr,
}

/// A camera's frame as I420.
pub fn to_i420(format: CameraFormat, width: u32, height: u32, data: &[u8]) -> Result<VideoFrame> {
    let (w, h) = (width as usize, height as usize);
    let short = |need: usize| {
        Error::type_error(format!("a {format:?} frame of {width}x{height} needs {need} bytes, not {}", data.len()))
    };
    match format {
        CameraFormat::Mjpeg => {
            use zune_jpeg::zune_core::colorspace::ColorSpace;
            use zune_jpeg::zune_core::options::DecoderOptions;
            let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(data, options);
            let rgb = decoder.decode().map_err(|e| {
                Error::new(ErrorKind::NotReadableError, format!("the camera sent a JPEG that does not decode: {e:?}"))
            })?;
            let info = decoder.info().ok_or_else(|| Error::operation("JPEG without headers"))?;
            VideoFrame::from_pixels(info.width as u32, info.height as u32, PixelFormat::Rgb24, &rgb)
        }
        CameraFormat::Yuyv => {
            if w % 2 != 0 {
                return Err(Error::type_error(format!("YUYV frames have even widths, not {width}")));
            }
            if data.len() < w * h * 2 {
                return Err(short(w * h * 2));
            }
            let (cw, ch) = (w / 2, h.div_ceil(2));
            let mut out = vec![0u8; w * h + 2 * cw * ch];
            let (y_plane, chroma) = out.split_at_mut(w * h);
            let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
            for (row, line) in data.chunks_exact(w * 2).take(h).enumerate() {
                for (x, px) in line.chunks_exact(4).enumerate() {
                    y_plane[row * w + 2 * x] = px[0];
                    y_plane[row * w + 2 * x + 1] = px[2];
                }
                // Chroma from the even rows, averaged with the odd row below.
                if row % 2 == 0 {
                    let below = data.get((row + 1) * w * 2..(row + 2) * w * 2).unwrap_or(line);
                    for x in 0..cw {
                        let i = (row / 2) * cw + x;
                        u_plane[i] = (line[4 * x + 1] as u16 + below[4 * x + 1] as u16).div_ceil(2) as u8;
                        v_plane[i] = (line[4 * x + 3] as u16 + below[4 * x + 3] as u16).div_ceil(2) as u8;
                    }
                }
            }
            VideoFrame::from_i420(width, height, Bytes::from(out))
        }
        CameraFormat::Nv12 => {
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let need = w * h + 2 * cw * ch;
            if data.len() < need {
                return Err(short(need));
            }
            let mut out = Vec::with_capacity(need);
            out.extend_from_slice(&data[..w * h]);
            let uv = &data[w * h..need];
            out.extend(uv.iter().step_by(2));
            out.extend(uv.iter().skip(1).step_by(2));
            VideoFrame::from_i420(width, height, Bytes::from(out))
        }
        CameraFormat::Gray => {
            if data.len() < w * h {
                return Err(short(w * h));
            }
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let mut out = Vec::with_capacity(w * h + 2 * cw * ch);
            out.extend_from_slice(&data[..w * h]);
            out.resize(w * h + 2 * cw * ch, 128);
            VideoFrame::from_i420(width, height, Bytes::from(out))
        }
        CameraFormat::Rgb => VideoFrame::from_pixels(
            width,
            height,
            PixelFormat::Rgb24,
            data.get(..w * h * 3).ok_or_else(|| short(w * h * 3))?,
        ),
        CameraFormat::Bgr => VideoFrame::from_pixels(
            width,
            height,
            PixelFormat::Bgr24,
            data.get(..w * h * 3).ok_or_else(|| short(w * h * 3))?,
        ),
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod native {
    use super::*;
    use nokhwa::utils::{ApiBackend, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution};
    use nokhwa::Camera;

    fn format_of(f: FrameFormat) -> CameraFormat {
        match f {
            FrameFormat::MJPEG => CameraFormat::Mjpeg,
            FrameFormat::YUYV => CameraFormat::Yuyv,
            FrameFormat::NV12 => CameraFormat::Nv12,
            FrameFormat::GRAY => CameraFormat::Gray,
            FrameFormat::RAWRGB => CameraFormat::Rgb,
            FrameFormat::RAWBGR => CameraFormat::Bgr,
        }
    }

    pub(crate) fn list() -> Vec<DeviceInfo> {
        let Ok(cameras) = nokhwa::query(ApiBackend::Auto) else { return vec![] };
        cameras
            .into_iter()
            .map(|c| DeviceInfo {
                device_id: format!("camera:{}", c.index()),
                kind: "videoinput",
                label: c.human_name(),
                group_id: String::new(),
            })
            .collect()
    }

    fn index_of(device_id: &str) -> CameraIndex {
        let id = device_id.strip_prefix("camera:").unwrap_or(device_id);
        match id.parse::<u32>() {
            Ok(n) => CameraIndex::Index(n),
            Err(_) => CameraIndex::String(id.to_owned()),
        }
    }

    fn open_error(device: &str, e: impl std::fmt::Display) -> Error {
        Error::new(
            ErrorKind::NotReadableError,
            format!("the camera {device} could not be opened (busy, or not allowed?): {e}"),
        )
    }

    pub(crate) fn open(device_id: &str, c: &VideoConstraints) -> Result<MediaStreamTrack> {
        let width = c.width.exact.or(c.width.ideal).unwrap_or(640.0) as u32;
        let height = c.height.exact.or(c.height.ideal).unwrap_or(480.0) as u32;
        let fps = c.frame_rate.exact.or(c.frame_rate.ideal).unwrap_or(30.0) as u32;
        let (opened_tx, opened_rx) = mpsc::channel::<Result<(MediaSource, MediaStreamTrack)>>();
        let index = index_of(device_id);
        let device = device_id.to_owned();
        let constraints = c.clone();
        std::thread::Builder::new()
            .name("rtckit-camera".into())
            .spawn(move || {
                let wanted = nokhwa::utils::CameraFormat::new(Resolution::new(width, height), FrameFormat::MJPEG, fps);
                let formats =
                    [FrameFormat::MJPEG, FrameFormat::YUYV, FrameFormat::NV12, FrameFormat::GRAY, FrameFormat::RAWRGB];
                let request = RequestedFormat::with_formats(RequestedFormatType::Closest(wanted), &formats);
                let opened = Camera::new(index, request).map_err(|e| open_error(&device, e)).and_then(|mut camera| {
                    let got = camera.camera_format();
                    let (gw, gh) = (got.resolution().width(), got.resolution().height());
                    for (name, exact, value) in [
                        ("width", constraints.width.exact, gw),
                        ("height", constraints.height.exact, gh),
                        ("frameRate", constraints.frame_rate.exact, got.frame_rate()),
                    ] {
                        if exact.is_some_and(|e| e as u32 != value) {
                            return Err(Error::new(
                                ErrorKind::OverconstrainedError,
                                format!(
                                    "{name}: the camera {device} cannot give exactly {}",
                                    exact.unwrap_or_default()
                                ),
                            ));
                        }
                    }
                    camera.open_stream().map_err(|e| open_error(&device, e))?;
                    Ok(camera)
                });
                let mut camera = match opened {
                    Ok(camera) => camera,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let label = camera.info().human_name();
                let source = MediaSource::new(TrackKind::Video, &label);
                let track = source.create_track().expect("a new source is open");
                let _ = opened_tx.send(Ok((source.clone(), track)));
                let started = Instant::now();
                while source.is_wanted() {
                    let buffer = match camera.frame() {
                        Ok(b) => b,
                        Err(e) => {
                            log::warn!("rtckit stopped reading the camera: {e}");
                            break;
                        }
                    };
                    let res = buffer.resolution();
                    match to_i420(format_of(buffer.source_frame_format()), res.width(), res.height(), buffer.buffer()) {
                        Ok(mut frame) => {
                            frame.pts = Some((started.elapsed().as_micros() as i64) * 9 / 100);
                            if source.push(MediaFrame::Video(frame)).is_err() {
                                break;
                            }
                        }
                        Err(e) => log::debug!("rtckit skipped a camera frame: {e}"),
                    }
                }
                let _ = camera.stop_stream();
                source.close();
            })
            .map_err(|e| Error::operation(format!("could not start the camera thread: {e}")))?;
        let (_, track) = opened_rx.recv().map_err(|_| Error::operation("the camera thread ended"))??;
        Ok(track)
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod native {
    use super::*;
    pub(crate) fn list() -> Vec<DeviceInfo> {
        vec![]
    }
    pub(crate) fn open(device_id: &str, _: &VideoConstraints) -> Result<MediaStreamTrack> {
        Err(Error::new(
            ErrorKind::NotFoundError,
            format!("no camera {device_id}: rtckit has no camera backend on this system"),
        ))
    }
}

pub(crate) use native::{list, open};
