//! MediaStreamTrack and MediaStream: where frames flow from a source to their consumers.
//!
//! A track carries decoded frames (VideoFrame or AudioFrame). Sources (source.rs: pushed
//! frames, fake devices) deliver into it; each consumer (Python's `recv()`, Node's sinks)
//! subscribes and receives every frame from then on, a slow one losing the oldest.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::events::EventQueue;
use crate::frame::{AudioFrame, VideoFrame};

/// Frames a consumer may fall behind by before it loses the oldest (about a second of
/// video at 30 fps; 300 ms of 10 ms audio frames).
const FRAME_BUFFER: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    Audio,
    Video,
}

impl TrackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
        }
    }

    /// webrtc-rs's name for the kind.
    pub(crate) fn rtp(self) -> rtc::rtp_transceiver::rtp_sender::RtpCodecKind {
        use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
        match self {
            Self::Audio => RtpCodecKind::Audio,
            Self::Video => RtpCodecKind::Video,
        }
    }
}

#[derive(Debug, Clone)]
pub enum MediaFrame {
    Video(VideoFrame),
    Audio(AudioFrame),
}

impl MediaFrame {
    pub fn kind(&self) -> TrackKind {
        match self {
            Self::Video(_) => TrackKind::Video,
            Self::Audio(_) => TrackKind::Audio,
        }
    }

    /// The encoded unit it was decoded from, if any.
    pub fn unit(&self) -> Option<&crate::frame::EncodedUnit> {
        match self {
            Self::Video(v) => v.unit.as_ref(),
            Self::Audio(a) => a.unit.as_ref(),
        }
    }

    pub fn set_pts(&mut self, pts: i64) {
        match self {
            Self::Video(v) => v.pts = Some(pts),
            Self::Audio(a) => a.pts = Some(pts),
        }
    }
}

/// Track events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackEvent {
    /// The source ended (W3C does not fire it for stop()).
    Ended,
    /// A received track's media stopped (the remote stopped sending on its m-section).
    Mute,
    /// Media arrived on a muted received track.
    Unmute,
    /// A consumer waits for a frame and none is buffered: a track whose frames come from
    /// user code (Python's own `recv()`) should produce one now, and only then.
    Demand,
}

impl TrackEvent {
    pub fn name(self) -> &'static str {
        match self {
            Self::Ended => "ended",
            Self::Mute => "mute",
            Self::Unmute => "unmute",
            Self::Demand => "demand",
        }
    }
}

pub(crate) struct TrackInner {
    id: String,
    kind: TrackKind,
    label: String,
    enabled: AtomicBool,
    /// W3C `muted`: a received track is muted until media arrives.
    muted: AtomicBool,
    /// See [`MediaStreamTrack::keeps_every_frame`].
    keep_every_frame: AtomicBool,
    /// Frames come from user code, produced on demand (see [`TrackEvent::Demand`]).
    pulled: AtomicBool,
    /// A clone of a pulled track: its consumers' demand goes to the track whose user code
    /// produces the frames.
    demand_to: OnceLock<Weak<TrackInner>>,
    /// The source that feeds it (set when the source registers it): clones register there.
    source: OnceLock<crate::source::WeakSource>,
    /// A consumer is waiting for a frame.
    wanted: AtomicBool,
    sender: Mutex<Option<broadcast::Sender<MediaFrame>>>,
    /// A received track holds its frames until its first consumer (as aiortc's queue
    /// does), so a recorder attached in the track handler misses none; None once taken.
    held: Mutex<Option<std::collections::VecDeque<MediaFrame>>>,
    /// Becomes true at the first subscribe: a player starts then.
    consumed: tokio::sync::watch::Sender<bool>,
    events: EventQueue<TrackEvent>,
}

/// Frames a received track holds for its first consumer: two seconds of 10 ms audio or
/// of 60 fps video.
const HELD_FRAMES: usize = 200;

#[derive(Clone)]
pub struct MediaStreamTrack {
    pub(crate) inner: Arc<TrackInner>,
}

impl std::fmt::Debug for MediaStreamTrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MediaStreamTrack({} {:?})", self.kind().as_str(), self.label())
    }
}

/// A random UUID (version 4), as browsers and aiortc give tracks and streams.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl MediaStreamTrack {
    pub(crate) fn new(kind: TrackKind, label: &str) -> Self {
        let (sender, _) = broadcast::channel(FRAME_BUFFER);
        Self {
            inner: Arc::new(TrackInner {
                id: new_id(),
                kind,
                label: label.to_owned(),
                enabled: AtomicBool::new(true),
                muted: AtomicBool::new(false),
                keep_every_frame: AtomicBool::new(false),
                pulled: AtomicBool::new(false),
                demand_to: OnceLock::new(),
                source: OnceLock::new(),
                wanted: AtomicBool::new(false),
                sender: Mutex::new(Some(sender)),
                held: Mutex::new(None),
                consumed: tokio::sync::watch::channel(false).0,
                events: EventQueue::default(),
            }),
        }
    }

    /// A track of a file or of a receiver: it holds its frames until the first consumer,
    /// and a sender takes every one of them (see [`MediaStreamTrack::keeps_every_frame`]).
    pub(crate) fn new_held(kind: TrackKind, label: &str) -> Self {
        let track = Self::new(kind, label);
        *track.inner.held.lock() = Some(Default::default());
        track.inner.keep_every_frame.store(true, Ordering::Relaxed);
        track
    }

    /// A file's or a receiver's track: a sender encodes each of its frames. A live source's
    /// (pushed frames, a camera) is sent newest first: a sender behind skips what it missed.
    pub fn keeps_every_frame(&self) -> bool {
        self.inner.keep_every_frame.load(Ordering::Relaxed)
    }

    pub fn muted(&self) -> bool {
        self.inner.muted.load(Ordering::Acquire)
    }

    /// Sets `muted`, firing `mute` or `unmute` if it changed (never after the end).
    pub(crate) fn set_muted(&self, muted: bool) {
        if !self.is_live() {
            return;
        }
        if self.inner.muted.swap(muted, Ordering::AcqRel) != muted {
            self.inner.events.push(if muted { TrackEvent::Mute } else { TrackEvent::Unmute });
        }
    }

    /// Takes the pending demand for a frame (see [`TrackEvent::Demand`]): true if a consumer
    /// waited since the last call.
    pub fn take_demand(&self) -> bool {
        self.inner.wanted.swap(false, Ordering::AcqRel)
    }

    /// Marks the track as fed by user code on demand: from now on a consumer waiting for a
    /// frame fires [`TrackEvent::Demand`].
    pub fn set_pulled(&self) {
        self.inner.pulled.store(true, Ordering::Release);
    }

    fn signal_demand(&self) {
        if let Some(origin) = self.inner.demand_to.get().and_then(Weak::upgrade) {
            return Self { inner: origin }.signal_demand();
        }
        if self.inner.pulled.load(Ordering::Acquire) && !self.inner.wanted.swap(true, Ordering::AcqRel) {
            self.inner.events.push(TrackEvent::Demand);
        }
    }

    /// W3C `clone()`: a new track (new id) fed by the same source, with its own `enabled`
    /// and its own stop(); it starts with this one's enabled, muted and readyState.
    /// (Not `Clone::clone`, which is another handle on this same track.)
    pub fn clone_track(&self) -> MediaStreamTrack {
        let clone = Self::new(self.kind(), self.label());
        clone.set_enabled(self.enabled());
        clone.inner.muted.store(self.muted(), Ordering::Release);
        clone.inner.keep_every_frame.store(self.keeps_every_frame(), Ordering::Relaxed);
        if self.inner.pulled.load(Ordering::Acquire) || self.inner.demand_to.get().is_some() {
            let origin = self.inner.demand_to.get().cloned().unwrap_or_else(|| Arc::downgrade(&self.inner));
            let _ = clone.inner.demand_to.set(origin);
        }
        let registered = self.is_live()
            && self
                .inner
                .source
                .get()
                .and_then(|s| s.upgrade())
                .is_some_and(|source| source.register(clone.clone()).is_ok());
        // A source that is gone sends nothing more to this track either: the clone is live
        // and silent like it.
        if !registered && !self.is_live() {
            clone.stop();
        }
        clone
    }

    /// Called by the source that registers it.
    pub(crate) fn set_source(&self, source: crate::source::WeakSource) {
        let _ = self.inner.source.set(source);
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    pub fn kind(&self) -> TrackKind {
        self.inner.kind
    }

    /// Waits for the track's first consumer (false if it ended first).
    pub async fn consumed(&self) -> bool {
        let mut consumed = self.inner.consumed.subscribe();
        tokio::select! {
            r = consumed.wait_for(|c| *c) => r.is_ok(),
            _ = async { while self.is_live() { tokio::time::sleep(std::time::Duration::from_millis(20)).await } } => false,
        }
    }

    pub fn label(&self) -> &str {
        &self.inner.label
    }

    pub fn enabled(&self) -> bool {
        self.inner.enabled.load(Ordering::Relaxed)
    }

    /// A disabled track delivers black video and silent audio (W3C).
    pub fn set_enabled(&self, enabled: bool) {
        self.inner.enabled.store(enabled, Ordering::Relaxed)
    }

    pub fn is_live(&self) -> bool {
        self.inner.sender.lock().is_some()
    }

    pub fn ready_state(&self) -> &'static str {
        if self.is_live() {
            "live"
        } else {
            "ended"
        }
    }

    /// Stops the track: consumers get what was delivered, then the end. No ended event.
    pub fn stop(&self) {
        self.inner.sender.lock().take();
        self.inner.events.close();
    }

    /// The source ended: like stop(), and fires `ended`.
    pub(crate) fn end(&self) {
        if self.inner.sender.lock().take().is_some() {
            self.inner.events.push_and_close(Some(TrackEvent::Ended));
        }
    }

    /// Delivers a frame to every consumer; false once the track has ended.
    pub(crate) fn deliver(&self, frame: &MediaFrame) -> bool {
        let sender = self.inner.sender.lock();
        let Some(sender) = sender.as_ref() else { return false };
        let frame = if self.enabled() { frame.clone() } else { muted(frame) };
        if sender.receiver_count() == 0 {
            if let Some(held) = self.inner.held.lock().as_mut() {
                if held.len() == HELD_FRAMES {
                    held.pop_front();
                }
                held.push_back(frame);
                return true;
            }
        }
        let _ = sender.send(frame); // no consumer yet: nothing to do
        true
    }

    /// A new consumer, receiving every frame delivered from now on.
    pub fn subscribe(&self) -> FrameReceiver {
        let sender = self.inner.sender.lock();
        let receiver = sender.as_ref().map(|s| s.subscribe());
        let held = self.inner.held.lock().take().unwrap_or_default();
        drop(sender);
        self.inner.consumed.send_replace(true);
        FrameReceiver { held, receiver, track: self.clone(), lost: 0 }
    }

    /// A consumer that wants only what comes next (a sender relaying a received track): the
    /// frames held for a first consumer are dropped, not sent late in a burst.
    pub fn subscribe_live(&self) -> FrameReceiver {
        let mut receiver = self.subscribe();
        receiver.held.clear();
        receiver
    }

    pub async fn next_events(&self) -> Vec<TrackEvent> {
        self.inner.events.next_batch().await
    }

    pub fn take_events(&self) -> (Vec<TrackEvent>, bool) {
        self.inner.events.take_batch()
    }

    pub fn set_event_listener(&self, listener: crate::events::Listener) {
        self.inner.events.set_listener(listener)
    }
}

fn muted(frame: &MediaFrame) -> MediaFrame {
    match frame {
        MediaFrame::Video(v) => {
            let mut black = VideoFrame::black(v.width(), v.height()).unwrap_or_else(|_| v.clone());
            black.pts = v.pts;
            black.time_base = v.time_base;
            MediaFrame::Video(black)
        }
        MediaFrame::Audio(a) => {
            let mut silent = AudioFrame::new(vec![0; a.samples().len()], a.sample_rate(), a.channels())
                .unwrap_or_else(|_| a.clone());
            silent.pts = a.pts;
            MediaFrame::Audio(silent)
        }
    }
}

/// One consumer of a track.
pub struct FrameReceiver {
    /// What the track held for its first consumer, given before the rest.
    held: std::collections::VecDeque<MediaFrame>,
    receiver: Option<broadcast::Receiver<MediaFrame>>,
    track: MediaStreamTrack,
    /// Frames this consumer lost by falling behind, not yet taken (see take_lost).
    lost: u64,
}

impl FrameReceiver {
    /// The next frame; InvalidStateError once the track has ended and everything
    /// delivered before was received. A consumer that fell behind skips the oldest.
    pub async fn recv(&mut self) -> Result<MediaFrame> {
        if let Some(frame) = self.held.pop_front() {
            return Ok(frame);
        }
        let ended = || {
            Error::invalid_state(format!("the {} track {:?} has ended", self.track.kind().as_str(), self.track.label()))
        };
        let Some(receiver) = self.receiver.as_mut() else { return Err(ended()) };
        if receiver.is_empty() {
            self.track.signal_demand();
        }
        loop {
            match receiver.recv().await {
                Ok(frame) => return Ok(frame),
                Err(broadcast::error::RecvError::Lagged(n)) => self.lost += n,
                Err(broadcast::error::RecvError::Closed) => return Err(ended()),
            }
        }
    }

    /// The next frame if one was delivered already; never waits.
    pub fn try_recv(&mut self) -> Option<MediaFrame> {
        if let Some(frame) = self.held.pop_front() {
            return Some(frame);
        }
        let receiver = self.receiver.as_mut()?;
        loop {
            match receiver.try_recv() {
                Ok(frame) => return Some(frame),
                Err(broadcast::error::TryRecvError::Lagged(n)) => self.lost += n,
                Err(_) => return None,
            }
        }
    }

    /// The frames lost by falling behind since the last call.
    pub fn take_lost(&mut self) -> u64 {
        std::mem::take(&mut self.lost)
    }
}

/// MediaStream: an id and a set of tracks.
#[derive(Clone, Debug)]
pub struct MediaStream {
    id: String,
    tracks: Arc<Mutex<Vec<MediaStreamTrack>>>,
}

impl MediaStream {
    pub fn new(tracks: Vec<MediaStreamTrack>) -> Self {
        Self::with_id(new_id()).with_tracks(tracks)
    }

    /// A stream with a given id: a remote stream has its sender's (a=msid).
    pub fn with_id(id: String) -> Self {
        Self { id, tracks: Arc::new(Mutex::new(Vec::new())) }
    }

    fn with_tracks(self, tracks: Vec<MediaStreamTrack>) -> Self {
        *self.tracks.lock() = tracks;
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn tracks(&self) -> Vec<MediaStreamTrack> {
        self.tracks.lock().clone()
    }

    pub fn add_track(&self, track: MediaStreamTrack) {
        let mut tracks = self.tracks.lock();
        if !tracks.iter().any(|t| t.id() == track.id()) {
            tracks.push(track);
        }
    }

    pub fn remove_track(&self, track: &MediaStreamTrack) {
        self.tracks.lock().retain(|t| t.id() != track.id());
    }
}
