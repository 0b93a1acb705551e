//! MediaRecorder: writes a track to a file (aiortc's MediaRecorder), and the blackhole that
//! consumes tracks and drops their frames (aiortc's MediaBlackhole).
//!
//! A file holds one track of its kind. Encoded files get each frame's unit when it is of
//! the file's codec (what was received, unchanged), else the frame encoded; raw files get
//! the decoded frames.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::container::{Format, Writer};
use crate::error::{Error, Result};
use crate::runtime::handle;
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
        let path = PathBuf::from(path);
        let format = Format::of(&path)?;
        Ok(Self { target: Some((path, format)), state: Default::default(), count: Default::default() })
    }

    /// Consumes any number of tracks and drops what they carry.
    pub fn blackhole() -> Self {
        Self { target: None, state: Default::default(), count: Default::default() }
    }

    pub fn add_track(&self, track: &MediaStreamTrack) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        if state.stop.is_some() || state.stopped {
            return Err(Error::invalid_state("addTrack must come before start()"));
        }
        if let Some((path, format)) = &self.target {
            if track.kind() != format.kind() {
                return Err(Error::type_error(format!(
                    "{} records {} and this track is {}",
                    path.display(),
                    format.kind().as_str(),
                    track.kind().as_str()
                )));
            }
            if !state.tracks.is_empty() {
                return Err(Error::invalid_state(format!("{} already records a track: a file holds one", path.display())));
            }
        }
        state.tracks.push(track.clone());
        Ok(())
    }

    /// Starts consuming the tracks (from their next frame, or from the first a received
    /// track held) and makes the file.
    pub fn start(&self) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        if state.stop.is_some() || state.stopped {
            return Err(Error::invalid_state("the recorder has already started"));
        }
        let (stop, stopping) = watch::channel(false);
        let mut writers: Vec<Option<Box<dyn Writer>>> = Vec::new();
        match &self.target {
            Some((path, format)) => writers.push(Some(format.create(path)?)),
            None => writers.extend(state.tracks.iter().map(|_| None)),
        }
        let tracks = state.tracks.clone();
        for (track, writer) in tracks.iter().zip(writers) {
            let frames = track.subscribe();
            state.tasks.push(handle().spawn(record(frames, writer, stopping.clone(), self.count.clone())));
        }
        // A file with no track is still made, empty and valid.
        if tracks.is_empty() {
            if let Some((path, format)) = &self.target {
                format.create(path)?.finish()?;
            }
        }
        state.stop = Some(stop);
        Ok(())
    }

    /// Stops and completes the file. Idempotent; a recorder that never started does nothing.
    pub async fn stop(&self) -> Result<()> {
        let tasks = {
            let mut state = self.state.lock().unwrap();
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

async fn record(mut frames: FrameReceiver, mut writer: Option<Box<dyn Writer>>, mut stopping: watch::Receiver<bool>, count: Arc<AtomicU64>) -> Result<()> {
    loop {
        let frame = tokio::select! {
            _ = stopping.wait_for(|s| *s) => break,
            frame = frames.recv() => match frame {
                Ok(frame) => frame,
                Err(_) => break, // the track ended
            },
        };
        match writer.as_mut() {
            Some(writer) => {
                let before = writer.count();
                // A write that fails (a full disk) ends the recording with its error.
                if let Err(err) = writer.write(&frame) {
                    let _ = writer.finish();
                    return Err(err);
                }
                count.fetch_add(writer.count() - before, Ordering::Relaxed);
            }
            None => {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    match writer.as_mut() {
        Some(writer) => writer.finish(),
        None => Ok(()),
    }
}
