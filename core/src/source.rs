//! Sources of local tracks: frames the application pushes (VideoSource/AudioSource, and
//! @roamhq/wrtc's RTCVideoSource/RTCAudioSource); fake devices build on the same type.

use parking_lot::Mutex;
use std::sync::{Arc, Weak};

use crate::error::{Error, Result};
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

struct SourceInner {
    kind: TrackKind,
    label: String,
    tracks: Mutex<Option<Vec<MediaStreamTrack>>>,
    muted: std::sync::atomic::AtomicBool,
}

/// What a track keeps of its source: the source lives as long as whoever pushes into it.
pub(crate) struct WeakSource(Weak<SourceInner>);

impl WeakSource {
    pub(crate) fn upgrade(&self) -> Option<MediaSource> {
        self.0.upgrade().map(|inner| MediaSource { inner })
    }
}

/// A source of one kind; every track made from it receives what is pushed.
#[derive(Clone)]
pub struct MediaSource {
    inner: Arc<SourceInner>,
}

impl MediaSource {
    pub fn new(kind: TrackKind, label: &str) -> Self {
        Self {
            inner: Arc::new(SourceInner {
                kind,
                label: label.to_owned(),
                tracks: Mutex::new(Some(Vec::new())),
                muted: Default::default(),
            }),
        }
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
        self.register(track.clone())?;
        Ok(track)
    }

    /// Feeds `track` from now on (a new track, or a clone of one of its tracks).
    pub(crate) fn register(&self, track: MediaStreamTrack) -> Result<()> {
        let mut tracks = self.inner.tracks.lock();
        let Some(tracks) = tracks.as_mut() else {
            return Err(Error::invalid_state("the source is closed"));
        };
        track.set_source(WeakSource(Arc::downgrade(&self.inner)));
        tracks.push(track);
        Ok(())
    }

    /// W3C `muted` is the source's: every track of it (clones too) mutes and unmutes.
    pub(crate) fn set_muted(&self, muted: bool) {
        if self.inner.muted.swap(muted, std::sync::atomic::Ordering::AcqRel) == muted {
            return;
        }
        if let Some(tracks) = self.inner.tracks.lock().as_ref() {
            for track in tracks {
                track.set_muted(muted);
            }
        }
    }

    pub(crate) fn muted(&self) -> bool {
        self.inner.muted.load(std::sync::atomic::Ordering::Acquire)
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
        let mut tracks = self.inner.tracks.lock();
        let Some(tracks) = tracks.as_mut() else {
            return Err(Error::invalid_state("the source is closed: it takes no more frames"));
        };
        tracks.retain(|t| t.deliver(&frame));
        Ok(tracks.len())
    }

    /// True while some track made from it is live (or none was made yet).
    pub fn is_wanted(&self) -> bool {
        match self.inner.tracks.lock().as_mut() {
            Some(tracks) => {
                tracks.retain(|t| t.is_live());
                !tracks.is_empty()
            }
            None => false,
        }
    }

    /// Ends the source: its tracks end (firing `ended`) and pushes fail.
    pub fn close(&self) {
        if let Some(tracks) = self.inner.tracks.lock().take() {
            for track in tracks {
                track.end();
            }
        }
    }

    pub fn is_closed(&self) -> bool {
        self.inner.tracks.lock().is_none()
    }
}
