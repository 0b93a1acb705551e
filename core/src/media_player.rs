//! MediaPlayer: a file as a track, paced in real time (aiortc's MediaPlayer).
//!
//! Encoded files (IVF, Ogg, Annex-B) are decoded for local consumers, and each frame keeps
//! the unit it came from, so a sender of the same codec forwards it without re-encoding.
//! Raw files (Y4M, WAV) are encoded by the sender. Playing starts at the track's first
//! consumer (a sender starts consuming once its connection is up), so no frame is lost.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::codec::decoder_for;
use crate::container::{Format, Reader, Sample};
use crate::error::Result;
use crate::runtime::handle;
use crate::source::MediaSource;
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// Dropping the player does not stop it: its track may be being sent, and plays on.
pub struct MediaPlayer {
    source: MediaSource,
    track: MediaStreamTrack,
}

impl MediaPlayer {
    /// Opens `path` (its extension says the format); `looping` plays it again at its end.
    /// Fails now for a missing, unreadable or unsupported file.
    pub fn open(path: &str, looping: bool) -> Result<Self> {
        let path = PathBuf::from(path);
        let format = Format::of(&path)?;
        let reader = format.open(&path)?;
        let label = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let source = MediaSource::new(format.kind(), &label);
        let track = source.create_track()?;
        handle().spawn(play(path, format, reader, looping, source.clone(), track.clone()));
        Ok(Self { source, track })
    }

    pub fn audio(&self) -> Option<MediaStreamTrack> {
        (self.track.kind() == TrackKind::Audio).then(|| self.track.clone())
    }

    pub fn video(&self) -> Option<MediaStreamTrack> {
        (self.track.kind() == TrackKind::Video).then(|| self.track.clone())
    }

    /// Stops playing: the track ends.
    pub fn stop(&self) {
        self.source.close();
    }
}

async fn play(path: PathBuf, format: Format, mut reader: Box<dyn Reader>, looping: bool, source: MediaSource, track: MediaStreamTrack) {
    if !track.consumed().await {
        return;
    }
    if let Err(err) = play_file(&path, format, &mut reader, looping, &source).await {
        log::warn!("rtckit stopped playing {}: {err}", path.display());
    }
    source.close();
}

async fn play_file(path: &Path, format: Format, reader: &mut Box<dyn Reader>, looping: bool, source: &MediaSource) -> Result<()> {
    let mut decoder = match reader.codec() {
        Some(codec) => {
            let mut rtp = codec.rtp_codec();
            if reader.channels() == 1 {
                rtp.sdp_fmtp_line = rtp.sdp_fmtp_line.replace("stereo=1", "stereo=0");
            }
            Some(decoder_for(&rtp)?)
        }
        None => None,
    };
    let start = tokio::time::Instant::now();
    // Where the current pass of the file begins (looping), and the last sample's time.
    let mut offset = Duration::ZERO;
    let mut last = Duration::ZERO;
    loop {
        let Some((sample, at)) = reader.next()? else {
            if !looping || last.is_zero() {
                return Ok(());
            }
            offset += last + Duration::from_millis(20);
            *reader = format.open(path)?;
            continue;
        };
        last = at;
        let at = offset + at;
        tokio::time::sleep_until(start + at).await;
        let frame = match sample {
            Sample::Frame(frame) => Some(frame),
            Sample::Unit(unit) => {
                let decoder = decoder.as_mut().expect("encoded formats have a decoder");
                match decoder.decode_unit(&unit.data) {
                    Ok(frame) => frame,
                    Err(err) => {
                        log::debug!("rtckit skipped a unit of {} that did not decode: {err}", path.display());
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
        if source.push(frame).is_err() || !source.is_wanted() {
            return Ok(()); // stopped, or every track of it stopped
        }
    }
}
