//! Sources of local tracks: frames the application pushes (VideoSource/AudioSource, and
//! @roamhq/wrtc's RTCVideoSource/RTCAudioSource); fake devices build on the same type.

use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

struct SourceInner {
    kind: TrackKind,
    label: String,
    tracks: Mutex<Option<Vec<MediaStreamTrack>>>,
}

/// A source of one kind; every track made from it receives what is pushed.
#[derive(Clone)]
pub struct MediaSource {
    inner: Arc<SourceInner>,
}

impl MediaSource {
    pub fn new(kind: TrackKind, label: &str) -> Self {
        Self { inner: Arc::new(SourceInner { kind, label: label.to_owned(), tracks: Mutex::new(Some(Vec::new())) }) }
    }

    pub fn kind(&self) -> TrackKind {
        self.inner.kind
    }

    /// A new track fed by this source.
    pub fn create_track(&self) -> Result<MediaStreamTrack> {
        self.add_track(MediaStreamTrack::new(self.inner.kind, &self.inner.label))
    }

    /// A new track that holds what is pushed until its first consumer (a received track).
    pub(crate) fn create_held_track(&self) -> Result<MediaStreamTrack> {
        self.add_track(MediaStreamTrack::new_held(self.inner.kind, &self.inner.label))
    }

    fn add_track(&self, track: MediaStreamTrack) -> Result<MediaStreamTrack> {
        let mut tracks = self.inner.tracks.lock().unwrap();
        let Some(tracks) = tracks.as_mut() else {
            return Err(Error::invalid_state("the source is closed"));
        };
        tracks.push(track.clone());
        Ok(track)
    }

    /// Delivers a frame to the source's live tracks; the number of them.
    pub fn push(&self, frame: MediaFrame) -> Result<usize> {
        if frame.kind() != self.inner.kind {
            return Err(Error::type_error(format!(
                "this is a {} source: it takes {} frames, not {} frames",
                self.inner.kind.as_str(),
                self.inner.kind.as_str(),
                frame.kind().as_str()
            )));
        }
        let mut tracks = self.inner.tracks.lock().unwrap();
        let Some(tracks) = tracks.as_mut() else {
            return Err(Error::invalid_state("the source is closed: it takes no more frames"));
        };
        tracks.retain(|t| t.deliver(&frame));
        Ok(tracks.len())
    }

    /// True while some track made from it is live (or none was made yet).
    pub fn is_wanted(&self) -> bool {
        match self.inner.tracks.lock().unwrap().as_mut() {
            Some(tracks) => {
                tracks.retain(|t| t.is_live());
                !tracks.is_empty()
            }
            None => false,
        }
    }

    /// Ends the source: its tracks end (firing `ended`) and pushes fail.
    pub fn close(&self) {
        if let Some(tracks) = self.inner.tracks.lock().unwrap().take() {
            for track in tracks {
                track.end();
            }
        }
    }

    pub fn is_closed(&self) -> bool {
        self.inner.tracks.lock().unwrap().is_none()
    }
}
