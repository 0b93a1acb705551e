//! MediaRecorder: writes a track to a file (aiortc's MediaRecorder), and the blackhole that
//! consumes tracks and drops their frames (aiortc's MediaBlackhole).
//!
//! A file holds one track of its kind, or (WebM, MP4) a video and an audio track. Encoded
//! files get each frame's unit when it is of the file's codec (what was received,
//! unchanged), else the frame encoded; raw files get the decoded frames.

use parking_lot::Mutex;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::container::{Format, Writer};
use crate::error::{Error, Result};
use crate::runtime::handle;
use crate::track::TrackKind;
use crate::track::{FrameReceiver, MediaStreamTrack};

pub struct MediaRecorder {
    /// None: the blackhole.
    target: Option<(PathBuf, Format)>,
    state: Mutex<State>,
    /// Frames (video) or packets (audio) written, or frames dropped by the blackhole.
    count: Arc<AtomicU64>,
}

#[derive(Default)]
struct State {
    tracks: Vec<MediaStreamTrack>,
    /// Set to stop the running tasks.
    stop: Option<watch::Sender<bool>>,
    tasks: Vec<JoinHandle<Result<()>>>,
    stopped: bool,
}

impl MediaRecorder {
    /// A recorder writing to `path`, whose extension says the format. The file is made at
    /// start().
    pub fn new(path: &str) -> Result<Self> {
        Self::with_format(path, None)
    }

    /// A recorder writing `path` in `format` (ffmpeg's name: "webm", "mp4", "image2"...).
    pub fn with_format(path: &str, format: Option<&str>) -> Result<Self> {
        let path = PathBuf::from(path);
        let format = match format {
            Some(name) => Format::named(name)?,
            None => Format::of(&path)?,
        };
        format.check_writable(&path)?;
        Ok(Self { target: Some((path, format)), state: Default::default(), count: Default::default() })
    }

    /// Consumes any number of tracks and drops what they carry.
    pub fn blackhole() -> Self {
        Self { target: None, state: Default::default(), count: Default::default() }
    }

    pub fn add_track(&self, track: &MediaStreamTrack) -> Result<()> {
        let mut state = self.state.lock();
        if state.stop.is_some() || state.stopped {
            return Err(Error::invalid_state("addTrack must come before start()"));
        }
        if let Some((path, format)) = &self.target {
            if !format.kinds().contains(&track.kind()) {
                return Err(Error::type_error(format!(
                    "{} records {} and this track is {}",
                    path.display(),
                    format.kinds()[0].as_str(),
                    track.kind().as_str()
                )));
            }
            let kinds = format.kinds();
            if kinds.len() == 1 && !state.tracks.is_empty() {
                return Err(Error::invalid_state(format!(
                    "{} already records a track: a file holds one",
                    path.display()
                )));
            }
            if state.tracks.iter().any(|t| t.kind() == track.kind()) {
                return Err(Error::invalid_state(format!(
                    "{} already records a {} track: it holds one video and one audio track",
                    path.display(),
                    track.kind().as_str()
                )));
            }
        }
        state.tracks.push(track.clone());
        Ok(())
    }

    /// Starts consuming the tracks (from their next frame, or from the first a received
    /// track held) and makes the file.
    pub fn start(&self) -> Result<()> {
        let mut state = self.state.lock();
        if state.stop.is_some() || state.stopped {
            return Err(Error::invalid_state("the recorder has already started"));
        }
        let (stop, stopping) = watch::channel(false);
        let tracks = state.tracks.clone();
        // One writer for the file, shared by its tracks' tasks; the last to end finishes it.
        let writer = match &self.target {
            Some((path, format)) => {
                let kinds: Vec<TrackKind> = tracks.iter().map(|t| t.kind()).collect();
                let mut writer = format.create(path, &kinds)?;
                if tracks.is_empty() {
                    // A file with no track is still made, complete.
                    writer.finish()?;
                }
                Some(Arc::new(Shared { writer: Mutex::new(Some(writer)), running: AtomicUsize::new(tracks.len()) }))
            }
            None => None,
        };
        for (stream, track) in tracks.iter().enumerate() {
            let frames = track.subscribe();
            let output = writer.clone().map(|shared| (shared, stream));
            state.tasks.push(handle().spawn(record(frames, output, stopping.clone(), self.count.clone())));
        }
        state.stop = Some(stop);
        Ok(())
    }

    /// Stops and completes the file. Idempotent; a recorder that never started does nothing.
    pub async fn stop(&self) -> Result<()> {
        let tasks = {
            let mut state = self.state.lock();
            state.stopped = true;
            if let Some(stop) = state.stop.take() {
                stop.send_replace(true);
            }
            std::mem::take(&mut state.tasks)
        };
        let mut result = Ok(());
        for task in tasks {
            match task.await {
                Ok(Err(err)) if result.is_ok() => result = Err(err),
                Err(join) => log::warn!("a recorder task failed: {join}"),
                _ => {}
            }
        }
        result
    }

    /// Frames (video) or packets (audio) written so far; frames consumed by a blackhole.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// The file a recorder's tasks write to.
struct Shared {
    /// None once finished.
    writer: Mutex<Option<Box<dyn Writer>>>,
    /// Tasks still recording.
    running: AtomicUsize,
}

impl Shared {
    /// Writes a frame of `stream`: the frames (or packets) it added.
    fn write(&self, stream: usize, frame: &crate::track::MediaFrame) -> Result<u64> {
        let mut writer = self.writer.lock();
        let Some(w) = writer.as_mut() else { return Ok(0) };
        let before = w.count();
        match w.write(stream, frame) {
            Ok(()) => Ok(w.count() - before),
            // A write that fails (a full disk) ends the recording with its error.
            Err(err) => {
                let _ = w.finish();
                *writer = None;
                Err(err)
            }
        }
    }

    /// A task ended: the last one completes the file.
    fn done(&self) -> Result<()> {
        if self.running.fetch_sub(1, Ordering::AcqRel) != 1 {
            return Ok(());
        }
        match self.writer.lock().take() {
            Some(mut writer) => writer.finish(),
            None => Ok(()),
        }
    }
}

async fn record(
    mut frames: FrameReceiver,
    output: Option<(Arc<Shared>, usize)>,
    mut stopping: watch::Receiver<bool>,
    count: Arc<AtomicU64>,
) -> Result<()> {
    let mut result = Ok(());
    loop {
        let frame = tokio::select! {
            _ = stopping.wait_for(|s| *s) => break,
            frame = frames.recv() => match frame {
                Ok(frame) => frame,
                Err(_) => break, // the track ended
            },
        };
        match &output {
            Some((shared, stream)) => match shared.write(*stream, &frame) {
                Ok(n) => {
                    count.fetch_add(n, Ordering::Relaxed);
                }
                Err(err) => {
                    result = Err(err);
                    break;
                }
            },
            None => {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    let finished = match &output {
        Some((shared, _)) => shared.done(),
        None => Ok(()),
    };
    result.and(finished)
}
