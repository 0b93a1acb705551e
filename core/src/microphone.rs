//! Microphones through cpal (ALSA on Linux), and the listing of audio devices for
//! enumerateDevices. A capture stream lives on a thread of its own (cpal streams stay on
//! the thread that made them) until no track of it is live.

use std::sync::mpsc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::device::{AudioConstraints, DeviceInfo};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::AudioFrame;
use crate::source::MediaSource;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

pub(crate) fn device_id(device: &cpal::Device) -> Option<String> {
    device.id().ok().map(|id| id.to_string())
}

fn label(device: &cpal::Device) -> String {
    device.description().map(|d| d.name().to_owned()).unwrap_or_else(|_| device_id(device).unwrap_or_default())
}

/// The host's devices of one direction, without ALSA's "null" (it discards what it is
/// given and records silence: not a microphone or a speaker).
fn devices(input: bool) -> Vec<cpal::Device> {
    let host = cpal::default_host();
    let devices =
        if input { host.input_devices().map(|d| d.collect()) } else { host.output_devices().map(|d| d.collect()) };
    devices
        .unwrap_or_else(|_| Vec::new())
        .into_iter()
        .filter(|d| device_id(d).is_some_and(|id| !id.ends_with(":null")))
        .collect()
}

/// The host's audio devices of one direction as MediaDeviceInfo.
pub(crate) fn list(kind: &'static str) -> Vec<DeviceInfo> {
    devices(kind == "audioinput")
        .into_iter()
        .filter_map(|d| Some(DeviceInfo { device_id: device_id(&d)?, kind, label: label(&d), group_id: String::new() }))
        .collect()
}

/// The device with `id`, or the host's default for the direction.
pub(crate) fn find(input: bool, id: Option<&str>) -> Result<cpal::Device> {
    let host = cpal::default_host();
    let what = if input { "microphone" } else { "speaker" };
    let known = devices(input);
    match id {
        Some(id) => known
            .into_iter()
            .find(|d| device_id(d).as_deref() == Some(id))
            .ok_or_else(|| Error::new(ErrorKind::OverconstrainedError, format!("deviceId: there is no {what} {id:?}"))),
        // ALSA names a default even with no sound card: only a listed device counts.
        None if known.is_empty() => Err(Error::new(ErrorKind::NotFoundError, format!("there is no {what} here"))),
        None => (if input { host.default_input_device() } else { host.default_output_device() })
            .ok_or_else(|| Error::new(ErrorKind::NotFoundError, format!("there is no {what} here"))),
    }
}

pub(crate) fn not_readable(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::NotReadableError, format!("{what} could not be opened (busy, or not allowed?): {e}"))
}

/// The stream configuration for `constraints` among what the device supports: its default,
/// moved to the asked rate and channel count where it can do them.
fn config(device: &cpal::Device, c: &AudioConstraints) -> Result<cpal::SupportedStreamConfig> {
    let default = device.default_input_config().map_err(|e| not_readable("the microphone", e))?;
    let rate = c.sample_rate.exact.or(c.sample_rate.ideal).map(|r| r as u32);
    let channels = c.channel_count.exact.or(c.channel_count.ideal).map(|n| n as u16);
    let supported: Vec<_> = device.supported_input_configs().map(|s| s.collect()).unwrap_or_default();
    let fits = |range: &cpal::SupportedStreamConfigRange| {
        range.sample_format() == default.sample_format()
            && channels.is_none_or(|n| range.channels() == n)
            && rate.is_none_or(|r| (range.min_sample_rate()..=range.max_sample_rate()).contains(&r))
    };
    let chosen = match supported.iter().find(|r| fits(r)) {
        Some(range) => range.with_sample_rate(
            rate.unwrap_or(default.sample_rate()).clamp(range.min_sample_rate(), range.max_sample_rate()),
        ),
        None => default,
    };
    for (name, exact, got) in [
        ("sampleRate", c.sample_rate.exact, chosen.sample_rate()),
        ("channelCount", c.channel_count.exact, chosen.channels() as u32),
    ] {
        if exact.is_some_and(|e| e as u32 != got) {
            return Err(Error::new(
                ErrorKind::OverconstrainedError,
                format!("{name}: the microphone cannot give exactly {}", exact.unwrap_or_default()),
            ));
        }
    }
    Ok(chosen)
}

/// Runs a cpal stream on a thread of its own (cpal streams stay on the thread that made
/// them): `build` makes it there, the stream plays, and it is dropped once `done()` says so
/// (checked every 10 ms). Returns when the stream plays, or with why it could not.
pub(crate) fn stream_thread(
    what: &'static str,
    build: impl FnOnce() -> Result<std::result::Result<cpal::Stream, cpal::Error>> + Send + 'static,
    done: impl Fn() -> bool + Send + 'static,
) -> Result<std::thread::JoinHandle<()>> {
    let (opened_tx, opened_rx) = mpsc::channel::<Result<()>>();
    let thread = std::thread::Builder::new()
        .name(format!("rtckit-{}", what.trim_start_matches("the ")))
        .spawn(move || {
            let playing = build()
                .and_then(|s| s.map_err(|e| not_readable(what, e)))
                .and_then(|s| s.play().map(|_| s).map_err(|e| not_readable(what, e)));
            let stream = match playing {
                Ok(stream) => stream,
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                    return;
                }
            };
            let _ = opened_tx.send(Ok(()));
            while !done() {
                std::thread::sleep(Duration::from_millis(10));
            }
            drop(stream);
        })
        .map_err(|e| Error::operation(format!("could not start a thread for {what}: {e}")))?;
    opened_rx.recv().map_err(|_| Error::operation(format!("the thread of {what} ended")))??;
    Ok(thread)
}

/// The sample formats rtckit converts from and to.
pub(crate) fn unsupported_format(what: &'static str, format: cpal::SampleFormat) -> Error {
    not_readable(what, format!("its {format} samples are not supported"))
}

/// Cuts captured samples into 10 ms frames for the track.
struct Framer {
    source: MediaSource,
    rate: u32,
    channels: u16,
    pending: Vec<i16>,
    pts: i64,
}

impl Framer {
    fn push(&mut self, samples: impl Iterator<Item = i16>) {
        self.pending.extend(samples);
        let size = (self.rate / 100) as usize * self.channels as usize;
        while self.pending.len() >= size {
            let rest = self.pending.split_off(size);
            let samples = std::mem::replace(&mut self.pending, rest);
            if let Ok(mut frame) = AudioFrame::new(samples, self.rate, self.channels) {
                frame.pts = Some(self.pts);
                self.pts += (self.rate / 100) as i64;
                let _ = self.source.push(MediaFrame::Audio(frame));
            }
        }
    }
}

pub(crate) fn open(c: &AudioConstraints) -> Result<MediaStreamTrack> {
    let device = find(true, c.device_id.as_deref())?;
    let supported = config(&device, c)?;
    let source = MediaSource::new(TrackKind::Audio, &label(&device));
    let track = source.create_track().expect("a new source is open");
    let config: cpal::StreamConfig = supported.config();
    let mut framer =
        Framer { source: source.clone(), rate: config.sample_rate, channels: config.channels, pending: vec![], pts: 0 };
    let build = move || {
        let error = |e: cpal::Error| log::warn!("rtckit's microphone stream failed: {e}");
        Ok(match supported.sample_format() {
            cpal::SampleFormat::I16 => {
                device.build_input_stream::<i16, _, _>(config, move |d, _| framer.push(d.iter().copied()), error, None)
            }
            cpal::SampleFormat::F32 => device.build_input_stream::<f32, _, _>(
                config,
                move |d, _| framer.push(d.iter().map(|&s| (s.clamp(-1.0, 1.0) * 32767.0) as i16)),
                error,
                None,
            ),
            other => return Err(unsupported_format("the microphone", other)),
        })
    };
    let watched = source.clone();
    let opened = stream_thread("the microphone", build, move || {
        if watched.is_wanted() {
            return false;
        }
        watched.close();
        true
    });
    if let Err(e) = opened {
        source.close();
        return Err(e);
    }
    Ok(track)
}
