//! MediaPlayer: a file (or a camera) as tracks, paced in real time (aiortc's MediaPlayer).
//!
//! A file gives an audio track, a video track, or both (WebM, MP4). Encoded files are decoded
//! for local consumers, and each frame keeps the unit it came from, so a sender of the same
//! codec forwards it without re-encoding; with `decode: false` nothing is decoded and frames
//! carry the unit over a blank picture (black video, silent audio) for senders to forward.
//! Raw files (Y4M, WAV, images) are encoded by the sender. Playing starts at the first
//! consumer of any of its tracks (a sender starts consuming once its connection is up); the
//! other track holds its frames for its own first consumer, so no frame is lost.
//!
//! `format: "v4l2"` (ffmpeg's name; also "video4linux2", "avfoundation", "dshow") opens a
//! camera instead, through getUserMedia's camera path, with ffmpeg's `video_size` and
//! `framerate` options.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::codec::{decoder_for, CodecName, Decoder, H264Decoder};
use crate::container::{Format, Reader, Sample, Stream};
use crate::device::{Numeric, VideoConstraints};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::{AudioFrame, VideoFrame};
use crate::runtime::handle;
use crate::source::MediaSource;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// aiortc's MediaPlayer arguments after the file.
#[derive(Debug, Clone)]
pub struct PlayerOptions {
    /// ffmpeg's format name; None: by the file's extension.
    pub format: Option<String>,
    /// ffmpeg's demuxer options: video_size and framerate for cameras, framerate and
    /// start_number for image sequences; others are ignored (with a warning).
    pub options: Vec<(String, String)>,
    /// Plays the file again at its end.
    pub looping: bool,
    /// False: frames are not decoded, only forwarded.
    pub decode: bool,
}

impl Default for PlayerOptions {
    fn default() -> Self {
        Self { format: None, options: Vec::new(), looping: false, decode: true }
    }
}

/// Dropping the player does not stop it: its tracks may be being sent, and play on.
pub struct MediaPlayer {
    sources: Vec<MediaSource>,
    audio: Option<MediaStreamTrack>,
    video: Option<MediaStreamTrack>,
}

const CAMERA_FORMATS: [&str; 4] = ["v4l2", "video4linux2", "avfoundation", "dshow"];

impl MediaPlayer {
    /// Opens `path` (its extension says the format); `looping` plays it again at its end.
    /// Fails now for a missing, unreadable or unsupported file.
    pub fn open(path: &str, looping: bool) -> Result<Self> {
        Self::open_with(path, &PlayerOptions { looping, ..Default::default() })
    }

    pub fn open_with(path: &str, options: &PlayerOptions) -> Result<Self> {
        if let Some(format) = options.format.as_deref().filter(|f| CAMERA_FORMATS.contains(f)) {
            return Self::camera(path, format, &options.options);
        }
        let path = PathBuf::from(path);
        let format = match &options.format {
            Some(name) => Format::named(name)?,
            None => Format::of(&path)?,
        };
        for (name, _) in &options.options {
            if !(format == Format::Images && matches!(name.as_str(), "framerate" | "start_number")) {
                log::warn!("rtckit's MediaPlayer ignores option {name:?} for this format");
            }
        }
        let reader = format.open(&path, &options.options)?;
        let label = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let streams = reader.streams();
        let mut player = Self { sources: Vec::new(), audio: None, video: None };
        let mut tracks = Vec::new();
        for stream in &streams {
            let source = MediaSource::new(stream.kind, &label);
            let track = source.create_held_track()?;
            match stream.kind {
                TrackKind::Audio => player.audio = Some(track.clone()),
                TrackKind::Video => player.video = Some(track.clone()),
            }
            player.sources.push(source);
            tracks.push(track);
        }
        let playing = Playing { path, format, options: options.clone(), streams, sources: player.sources.clone() };
        handle().spawn(playing.run(reader, tracks));
        Ok(player)
    }

    /// A camera as ffmpeg's v4l2 input opens it: `device` is /dev/videoN (or the camera's
    /// index or name); options video_size ("640x480") and framerate.
    fn camera(device: &str, format: &str, options: &[(String, String)]) -> Result<Self> {
        let mut constraints = VideoConstraints::default();
        for (name, value) in options {
            match name.as_str() {
                "video_size" => {
                    let size = value
                        .split_once('x')
                        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
                    let Some((w, h)) = size.filter(|(w, h)| *w > 0 && *h > 0) else {
                        return Err(Error::syntax(format!("video_size {value:?} is not a size: write it as 640x480")));
                    };
                    constraints.width = Numeric { ideal: Some(w as f64), exact: None };
                    constraints.height = Numeric { ideal: Some(h as f64), exact: None };
                }
                "framerate" => {
                    constraints.frame_rate =
                        Numeric { ideal: Some(crate::container::images::frame_rate(value)?), exact: None };
                }
                other => log::warn!("rtckit's camera player ignores option {other:?}"),
            }
        }
        // Fake devices stand in for every camera, as they do for getUserMedia.
        if !crate::device::fake_devices() {
            let id = match format {
                "v4l2" | "video4linux2" => {
                    if !Path::new(device).exists() {
                        return Err(Error::new(ErrorKind::NotFoundError, format!("there is no camera at {device}")));
                    }
                    // nokhwa numbers V4L2 cameras as their /dev/videoN.
                    let number = device.trim_start_matches("/dev/video");
                    if number.parse::<u32>().is_ok() {
                        number.to_owned()
                    } else {
                        device.to_owned()
                    }
                }
                _ => device.trim_start_matches("video=").split(':').next().unwrap_or(device).to_owned(),
            };
            let track = crate::camera::open(&format!("camera:{id}"), &constraints)?;
            return Ok(Self { sources: Vec::new(), audio: None, video: Some(track) });
        }
        let track = crate::device::get_user_media(None, Some(constraints))?.remove(0);
        Ok(Self { sources: Vec::new(), audio: None, video: Some(track) })
    }

    pub fn audio(&self) -> Option<MediaStreamTrack> {
        self.audio.clone()
    }

    pub fn video(&self) -> Option<MediaStreamTrack> {
        self.video.clone()
    }

    /// Stops playing: the tracks end.
    pub fn stop(&self) {
        for source in &self.sources {
            source.close();
        }
        if self.sources.is_empty() {
            // A camera: stopping its track stops reading it.
            self.video.iter().for_each(MediaStreamTrack::stop);
        }
    }
}

/// What a playing file needs to read it again (looping) and deliver its frames.
struct Playing {
    path: PathBuf,
    format: Format,
    options: PlayerOptions,
    streams: Vec<Stream>,
    sources: Vec<MediaSource>,
}

impl Playing {
    async fn run(self, reader: Box<dyn Reader>, tracks: Vec<MediaStreamTrack>) {
        // Starts at the first consumer of any track, or never if every track ended first.
        let mut waiting: Vec<_> = tracks.iter().map(|t| Box::pin(t.consumed())).collect();
        loop {
            if waiting.is_empty() {
                return;
            }
            let (consumed, _, others) = futures::future::select_all(waiting).await;
            if consumed {
                break;
            }
            waiting = others;
        }
        if let Err(err) = self.play(reader).await {
            log::warn!("rtckit stopped playing {}: {err}", self.path.display());
        }
        for source in &self.sources {
            source.close();
        }
    }

    fn decoder(&self, stream: &Stream) -> Result<Option<StreamDecoder>> {
        let Some(codec) = stream.codec else { return Ok(None) };
        if codec == CodecName::H264 && stream.reordered {
            return Ok(Some(StreamDecoder::Reordering(H264Decoder::reordering()?)));
        }
        let mut rtp = codec.rtp_codec();
        if stream.channels == 1 {
            rtp.sdp_fmtp_line = rtp.sdp_fmtp_line.replace("stereo=1", "stereo=0");
        }
        Ok(Some(StreamDecoder::Units(decoder_for(&rtp)?)))
    }

    async fn play(&self, mut reader: Box<dyn Reader>) -> Result<()> {
        let mut decoders = self.streams.iter().map(|s| self.decoder(s)).collect::<Result<Vec<_>>>()?;
        // With decode off, a blank picture of the stream's size (learned from its first key
        // frame when the file does not say) carries each unit.
        let mut blanks: Vec<Option<VideoFrame>> = self
            .streams
            .iter()
            .map(|s| (s.size.0 > 0 && s.size.1 > 0).then(|| VideoFrame::black(s.size.0, s.size.1).ok()).flatten())
            .collect();
        let start = tokio::time::Instant::now();
        // Where the current pass of the file begins (looping), the last sample's time, and the
        // first one's (a file may start later than 0).
        let mut offset = Duration::ZERO;
        let mut last = Duration::ZERO;
        let mut first: Option<Duration> = None;
        loop {
            let Some((index, sample, at)) = reader.next()? else {
                // Pictures a reordering decoder held come out at the end.
                for (index, decoder) in decoders.iter_mut().enumerate() {
                    if let Some(StreamDecoder::Reordering(d)) = decoder {
                        for mut frame in d.flush()? {
                            frame.pts = Some((offset + last).as_micros() as i64 * 9 / 100);
                            let _ = self.sources[index].push(MediaFrame::Video(frame));
                        }
                        *d = H264Decoder::reordering()?;
                    }
                }
                if !self.options.looping || last.is_zero() {
                    return Ok(());
                }
                offset += last + Duration::from_millis(20);
                reader = self.format.open(&self.path, &self.options.options)?;
                continue;
            };
            let at = at.saturating_sub(*first.get_or_insert(at));
            last = last.max(at);
            let at = offset + at;
            tokio::time::sleep_until(start + at).await;
            let frame = match sample {
                Sample::Frame(frame) => Some(frame),
                Sample::Unit(unit) if !self.options.decode => match unit.codec.kind() {
                    TrackKind::Audio => {
                        let samples = opus::packet::get_nb_samples(&unit.data, 48_000).unwrap_or(960);
                        let channels = self.streams[index].channels.max(1);
                        let mut silence = AudioFrame::new(vec![0; samples * channels as usize], 48_000, channels)?;
                        silence.unit = Some(unit);
                        Some(MediaFrame::Audio(silence))
                    }
                    TrackKind::Video => {
                        if blanks[index].is_none() && unit.is_key_frame() {
                            // The file does not state its size: the first key frame's is decoded once.
                            if let Some(Ok(Some(MediaFrame::Video(v)))) =
                                decoders[index].as_mut().map(|d| d.decode(&unit.data))
                            {
                                blanks[index] = VideoFrame::black(v.width(), v.height()).ok();
                            }
                        }
                        blanks[index].clone().map(|mut blank| {
                            blank.unit = Some(unit);
                            blank.undecoded = true;
                            MediaFrame::Video(blank)
                        })
                    }
                },
                Sample::Unit(unit) => {
                    let decoder = decoders[index].as_mut().expect("encoded streams have a decoder");
                    match decoder.decode(&unit.data) {
                        Ok(frame) => frame,
                        Err(err) => {
                            log::debug!("rtckit skipped a unit of {} that did not decode: {err}", self.path.display());
                            None
                        }
                    }
                }
            };
            let Some(mut frame) = frame else { continue };
            let pts = match &frame {
                MediaFrame::Video(_) => at.as_micros() as i64 * 9 / 100,
                MediaFrame::Audio(a) => (at.as_micros() as u64 * a.sample_rate() as u64 / 1_000_000) as i64,
            };
            frame.set_pts(pts);
            let source = &self.sources[index];
            if source.push(frame).is_err() {
                return Ok(()); // stopped
            }
            if self.sources.iter().all(|s| !s.is_wanted()) {
                return Ok(()); // every track of it stopped
            }
        }
    }
}

enum StreamDecoder {
    /// Frames keep the unit they came from, for senders of the codec to forward.
    Units(Box<dyn Decoder>),
    /// H.264 with B-frames: pictures come out in display order, after later units, so they
    /// carry no unit (a sender encodes them).
    Reordering(H264Decoder),
}

impl StreamDecoder {
    fn decode(&mut self, unit: &[u8]) -> Result<Option<MediaFrame>> {
        match self {
            Self::Units(d) => d.decode_unit(unit),
            Self::Reordering(d) => Ok(d.decode(unit)?.map(MediaFrame::Video)),
        }
    }
}
