//! Media devices: enumerateDevices and getUserMedia.
//!
//! Real cameras (camera.rs, through nokhwa), microphones and speakers (microphone.rs and
//! audio_output.rs, through cpal); and fake devices, as browsers have them (which then
//! replace the real ones): with `RTCKIT_FAKE_DEVICES=1` or `use_fake_devices(true)`, a
//! camera whose moving test pattern carries its frame number (16 blocks across the top
//! eighth of the picture, most significant bit first, white = 1; see
//! [`read_frame_number`]) and a microphone playing a 440 Hz tone.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::frame::{AudioFrame, VideoFrame};
use crate::runtime::handle;
use crate::source::MediaSource;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

pub const FAKE_DEVICES_ENV: &str = "RTCKIT_FAKE_DEVICES";
const FAKE_CAMERA_ID: &str = "fake-camera";
const FAKE_MICROPHONE_ID: &str = "fake-microphone";

/// 0: follow the environment variable; 1: on; 2: off.
static FAKE: AtomicU8 = AtomicU8::new(0);

pub fn use_fake_devices(enabled: bool) {
    FAKE.store(if enabled { 1 } else { 2 }, Ordering::Relaxed);
}

pub fn fake_devices() -> bool {
    match FAKE.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => std::env::var(FAKE_DEVICES_ENV).is_ok_and(|v| !v.is_empty() && v != "0"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub device_id: String,
    pub kind: &'static str,
    pub label: String,
    pub group_id: String,
}

pub fn enumerate_devices() -> Vec<DeviceInfo> {
    if !fake_devices() {
        let mut devices = crate::camera::list();
        devices.extend(crate::microphone::list("audioinput"));
        devices.extend(crate::microphone::list("audiooutput"));
        return devices;
    }
    vec![
        DeviceInfo {
            device_id: FAKE_CAMERA_ID.into(),
            kind: "videoinput",
            label: "rtckit fake camera".into(),
            group_id: "fake".into(),
        },
        DeviceInfo {
            device_id: FAKE_MICROPHONE_ID.into(),
            kind: "audioinput",
            label: "rtckit fake microphone".into(),
            group_id: "fake".into(),
        },
    ]
}

/// A numeric constraint: `ideal` is a preference, `exact` must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Numeric {
    pub exact: Option<f64>,
    pub ideal: Option<f64>,
}

impl Numeric {
    fn pick(&self, name: &str, default: f64, min: f64, max: f64) -> Result<f64> {
        if let Some(exact) = self.exact {
            if !(min..=max).contains(&exact) {
                return Err(Error::new(
                    ErrorKind::OverconstrainedError,
                    format!("{name}: no device can give exactly {exact} (from {min} to {max})"),
                ));
            }
            return Ok(exact);
        }
        Ok(self.ideal.unwrap_or(default).clamp(min, max))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoConstraints {
    pub device_id: Option<String>,
    pub width: Numeric,
    pub height: Numeric,
    pub frame_rate: Numeric,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudioConstraints {
    pub device_id: Option<String>,
    pub sample_rate: Numeric,
    pub channel_count: Numeric,
}

/// Parses W3C constraints as JSON (what the bindings serialise from a dict or object):
/// `true`/`false`/`null`, or `{deviceId, width, height, frameRate, sampleRate,
/// channelCount}` whose numeric members are numbers (ideal) or `{exact, ideal}`.
pub fn parse_constraints(json: &str) -> Result<(Option<AudioConstraints>, Option<VideoConstraints>)> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::type_error(format!("constraints are not valid JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(Error::type_error("getUserMedia takes an object: {audio, video}"));
    };
    let audio = kind(object.get("audio"), "audio")?.map(|m| {
        Ok::<_, Error>(AudioConstraints {
            device_id: device_id(&m)?,
            sample_rate: numeric(&m, "sampleRate")?,
            channel_count: numeric(&m, "channelCount")?,
        })
    });
    let video = kind(object.get("video"), "video")?.map(|m| {
        Ok::<_, Error>(VideoConstraints {
            device_id: device_id(&m)?,
            width: numeric(&m, "width")?,
            height: numeric(&m, "height")?,
            frame_rate: numeric(&m, "frameRate")?,
        })
    });
    Ok((audio.transpose()?, video.transpose()?))
}

type JsonMap = serde_json::Map<String, serde_json::Value>;

fn kind<'a>(value: Option<&'a serde_json::Value>, name: &str) -> Result<Option<std::borrow::Cow<'a, JsonMap>>> {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(std::borrow::Cow::Owned(JsonMap::new()))),
        Some(Value::Object(m)) => Ok(Some(std::borrow::Cow::Borrowed(m))),
        Some(_) => Err(Error::type_error(format!("{name} must be a boolean or an object of constraints"))),
    }
}

fn device_id(m: &JsonMap) -> Result<Option<String>> {
    use serde_json::Value;
    Ok(match m.get("deviceId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("exact").or_else(|| o.get("ideal")).and_then(|v| v.as_str()).map(str::to_owned),
        Some(_) => return Err(Error::type_error("deviceId must be a string or {exact, ideal}")),
    })
}

fn numeric(m: &JsonMap, name: &str) -> Result<Numeric> {
    use serde_json::Value;
    let bad = || Error::type_error(format!("the {name} constraint must be a number or {{exact, ideal}}"));
    let number = |v: Option<&Value>| -> Result<Option<f64>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(bad),
        }
    };
    match m.get(name) {
        None | Some(Value::Null) => Ok(Numeric::default()),
        Some(Value::Number(n)) => Ok(Numeric { exact: None, ideal: n.as_f64() }),
        Some(Value::Object(o)) => Ok(Numeric { exact: number(o.get("exact"))?, ideal: number(o.get("ideal"))? }),
        Some(_) => Err(bad()),
    }
}

fn check_device(asked: &Option<String>, id: &str, kind: &str) -> Result<()> {
    match asked {
        Some(asked) if asked != id => {
            Err(Error::new(ErrorKind::OverconstrainedError, format!("deviceId: there is no {kind} {asked:?}")))
        }
        _ => Ok(()),
    }
}

/// getUserMedia: the tracks asked for, or NotFoundError when there is no such device.
pub fn get_user_media(
    audio: Option<AudioConstraints>,
    video: Option<VideoConstraints>,
) -> Result<Vec<MediaStreamTrack>> {
    if audio.is_none() && video.is_none() {
        return Err(Error::type_error("getUserMedia needs audio or video (or both)"));
    }
    if !fake_devices() {
        return real_devices(audio, video);
    }
    let mut tracks = Vec::new();
    if let Some(c) = &video {
        check_device(&c.device_id, FAKE_CAMERA_ID, "camera")?;
        let width = c.width.pick("width", 640.0, 16.0, 3840.0)? as u32 & !1;
        let height = c.height.pick("height", 480.0, 16.0, 2160.0)? as u32 & !1;
        let fps = c.frame_rate.pick("frameRate", 30.0, 1.0, 120.0)?;
        tracks.push((TrackKind::Video, width, height, fps));
    }
    if let Some(c) = &audio {
        check_device(&c.device_id, FAKE_MICROPHONE_ID, "microphone")?;
        let rate = c.sample_rate.pick("sampleRate", 48000.0, 8000.0, 48000.0)?;
        let channels = c.channel_count.pick("channelCount", 1.0, 1.0, 2.0)?;
        tracks.push((TrackKind::Audio, rate as u32, channels as u32, 100.0));
    }
    Ok(tracks
        .into_iter()
        .map(|(kind, a, b, rate)| match kind {
            TrackKind::Video => fake_camera(a, b, rate),
            TrackKind::Audio => fake_microphone(a, b as u16),
        })
        .collect())
}

/// getUserMedia off the caller's thread: opening a device can take a second, and the
/// bindings' event loops must not wait on it.
pub async fn get_user_media_async(
    audio: Option<AudioConstraints>,
    video: Option<VideoConstraints>,
) -> Result<Vec<MediaStreamTrack>> {
    tokio::task::spawn_blocking(move || get_user_media(audio, video))
        .await
        .map_err(|e| Error::operation(format!("getUserMedia failed: {e}")))?
}

/// enumerateDevices off the caller's thread (it asks the sound system and the cameras).
pub async fn enumerate_devices_async() -> Vec<DeviceInfo> {
    tokio::task::spawn_blocking(enumerate_devices).await.unwrap_or_default()
}

/// getUserMedia on the system's devices: a camera (the one asked for, else the first) and a
/// microphone (the one asked for, else the default). Nothing is opened unless all is found.
fn real_devices(audio: Option<AudioConstraints>, video: Option<VideoConstraints>) -> Result<Vec<MediaStreamTrack>> {
    let camera = match &video {
        Some(c) => {
            let cameras = crate::camera::list();
            let id = match &c.device_id {
                Some(id) if cameras.iter().any(|d| &d.device_id == id) => id.clone(),
                Some(id) => return Err(Error::new(ErrorKind::OverconstrainedError, format!("deviceId: there is no camera {id:?}"))),
                None => cameras.first().map(|d| d.device_id.clone()).ok_or_else(|| {
                    Error::new(
                        ErrorKind::NotFoundError,
                        format!("there is no camera here; set {FAKE_DEVICES_ENV}=1 or call useFakeDevices(true) for a fake one"),
                    )
                })?,
            };
            Some(id)
        }
        None => None,
    };
    let mut tracks = Vec::new();
    if let Some(c) = &audio {
        // Checked before the camera opens: a missing microphone fails the call alone.
        crate::microphone::find(true, c.device_id.as_deref()).map_err(|e| match e.kind {
            ErrorKind::NotFoundError => Error::new(
                ErrorKind::NotFoundError,
                format!("{}; set {FAKE_DEVICES_ENV}=1 or call useFakeDevices(true) for a fake one", e.message),
            ),
            _ => e,
        })?;
    }
    if let (Some(id), Some(c)) = (&camera, &video) {
        tracks.push(crate::camera::open(id, c)?);
    }
    if let Some(c) = &audio {
        match crate::microphone::open(c) {
            Ok(track) => tracks.push(track),
            Err(e) => {
                tracks.iter().for_each(MediaStreamTrack::stop);
                return Err(e);
            }
        }
    }
    Ok(tracks)
}

/// Paces `make(n)` into a new source's track until the track ends.
fn run_source(
    kind: TrackKind,
    label: &str,
    period: Duration,
    make: impl Fn(u64) -> MediaFrame + Send + 'static,
) -> MediaStreamTrack {
    let source = MediaSource::new(kind, label);
    let track = source.create_track().expect("a new source is open");
    handle().spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        for n in 0.. {
            ticker.tick().await;
            if !source.is_wanted() || source.push(make(n)).is_err() {
                break;
            }
        }
        source.close();
    });
    track
}

fn fake_camera(width: u32, height: u32, fps: f64) -> MediaStreamTrack {
    let period = Duration::from_secs_f64(1.0 / fps);
    let ticks = (90_000.0 / fps) as i64;
    run_source(TrackKind::Video, "rtckit fake camera", period, move |n| {
        let mut frame = test_pattern(width, height, n as u32);
        frame.pts = Some(n as i64 * ticks);
        MediaFrame::Video(frame)
    })
}

fn fake_microphone(sample_rate: u32, channels: u16) -> MediaStreamTrack {
    let per_frame = (sample_rate / 100) as usize; // 10 ms
    run_source(TrackKind::Audio, "rtckit fake microphone", Duration::from_millis(10), move |n| {
        let start = n as usize * per_frame;
        let samples = (0..per_frame)
            .flat_map(|i| {
                let t = (start + i) as f64 / sample_rate as f64;
                let v = ((2.0 * std::f64::consts::PI * 440.0 * t).sin() * 8000.0) as i16;
                std::iter::repeat_n(v, channels as usize)
            })
            .collect();
        let mut frame = AudioFrame::new(samples, sample_rate, channels).expect("valid tone frame");
        frame.pts = Some(start as i64);
        MediaFrame::Audio(frame)
    })
}

/// Height of the band carrying the frame number.
fn band(height: u32) -> u32 {
    (height / 8).max(2)
}

/// A moving gradient with frame number `n` in 16 blocks across the top band.
pub fn test_pattern(width: u32, height: u32, n: u32) -> VideoFrame {
    let (w, h) = (width as usize, height as usize);
    let mut data = vec![128u8; crate::frame::PixelFormat::I420.frame_size(width, height)];
    let band_h = band(height) as usize;
    // The band: 16 blocks, white for a 1 bit.
    let band_row: Vec<u8> = (0..w).map(|x| if n >> (15 - (x * 16 / w) as u32) & 1 == 1 { 235 } else { 16 }).collect();
    // Below it, diagonal stripes moving 4 pixels a frame: each row is one window of a ramp.
    let ramp: Vec<u8> = (0..w + h + 220).map(|i| (16 + (i + n as usize * 4) % 220) as u8).collect();
    for (y, row) in data[..w * h].chunks_exact_mut(w).enumerate() {
        row.copy_from_slice(if y < band_h { &band_row } else { &ramp[y..y + w] });
    }
    VideoFrame::from_i420(width, height, bytes::Bytes::from(data)).expect("pattern size")
}

/// Reads back the frame number a fake camera drew (the low 16 bits), after any lossy trip.
pub fn read_frame_number(frame: &VideoFrame) -> u32 {
    let (w, band_h) = (frame.width() as usize, band(frame.height()) as usize);
    let row = &frame.i420()[(band_h / 2) * w..(band_h / 2 + 1) * w];
    (0..16).fold(0, |acc, bit| {
        let x = (bit * w + w / 2) / 16;
        (acc << 1) | (row[x] > 128) as u32
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_carries_its_frame_number() {
        for n in [0u32, 1, 77, 40000, 65535] {
            assert_eq!(read_frame_number(&test_pattern(64, 48, n)), n);
        }
    }
}
