//! NativeTrack / NativeFrameReceiver / NativeMediaStream / NativeSource wrap core's
//! track.rs and source.rs for the JS layer (MediaStreamTrack, nonstandard sources/sinks).

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::IntoNapi;

#[napi]
pub struct NativeTrack {
    pub(crate) inner: rtckit_core::MediaStreamTrack,
}

#[napi]
impl NativeTrack {
    #[napi(getter, catch_unwind)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }
    #[napi(getter, catch_unwind)]
    pub fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }
    #[napi(getter, catch_unwind)]
    pub fn label(&self) -> String {
        self.inner.label().to_owned()
    }
    #[napi(getter, catch_unwind)]
    pub fn enabled(&self) -> bool {
        self.inner.enabled()
    }
    #[napi(setter, catch_unwind)]
    pub fn set_enabled(&self, enabled: bool) {
        self.inner.set_enabled(enabled)
    }
    #[napi(getter, catch_unwind)]
    pub fn ready_state(&self) -> &'static str {
        self.inner.ready_state()
    }
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.inner.stop()
    }
    /// W3C clone(): a new track fed by the same source.
    #[napi(catch_unwind)]
    pub fn clone_track(&self) -> NativeTrack {
        NativeTrack { inner: self.inner.clone_track() }
    }
    #[napi(catch_unwind)]
    pub fn receiver(&self) -> NativeFrameReceiver {
        NativeFrameReceiver {
            inner: Arc::new(tokio::sync::Mutex::new(self.inner.subscribe())),
            stopped: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }
    /// Starts telling the hub (as `key`) when events are waiting.
    #[napi(catch_unwind)]
    pub fn listen(&self, key: u32) {
        self.inner.set_event_listener(crate::hub::listener(key))
    }

    /// The event names waiting ("ended", "mute", "unmute"); `ended` once they are over.
    #[napi(catch_unwind)]
    pub fn take_events(&self) -> TrackEvents {
        let (events, ended) = self.inner.take_events();
        TrackEvents { events: events.into_iter().map(|e| e.name().to_owned()).collect(), ended }
    }
    /// W3C `muted`: a received track is muted until media arrives.
    #[napi(getter, catch_unwind)]
    pub fn muted(&self) -> bool {
        self.inner.muted()
    }
}

#[napi(object)]
pub struct TrackEvents {
    pub events: Vec<String>,
    pub ended: bool,
}

/// A received frame: video as I420 (`data`), audio as s16le `samples`.
#[napi(object)]
pub struct FrameObj {
    pub kind: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub data: Option<Buffer>,
    pub samples: Option<Buffer>,
    pub sample_rate: Option<u32>,
    pub channel_count: Option<u32>,
    pub pts: Option<i64>,
}

#[napi]
pub struct NativeFrameReceiver {
    inner: Arc<tokio::sync::Mutex<rtckit_core::FrameReceiver>>,
    /// Set by stop(): a pending recv settles at once (a pending Promise keeps Node alive).
    stopped: Arc<tokio::sync::watch::Sender<bool>>,
}

#[napi]
impl NativeFrameReceiver {
    /// Settles a pending recv and ends this consumer.
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.stopped.send_replace(true);
    }

    /// The next frame; rejects with InvalidStateError once the track has ended or the
    /// receiver was stopped.
    #[napi(ts_return_type = "Promise<FrameObj>", catch_unwind)]
    pub fn recv<'env>(
        &self,
        env: &'env napi::Env,
    ) -> crate::error::Result<napi::bindgen_prelude::PromiseRaw<'env, FrameObj>> {
        let (inner, mut stopped) = (self.inner.clone(), self.stopped.subscribe());
        crate::error::spawn(env, async move {
            let stop = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            let frame = tokio::select! {
                frame = async { inner.lock().await.recv().await } => frame?,
                _ = stop => return Err(rtckit_core::Error::invalid_state("the sink was stopped")),
            };
            Ok(frame_obj(frame))
        })
    }
}

fn frame_obj(frame: rtckit_core::MediaFrame) -> FrameObj {
    match frame {
        rtckit_core::MediaFrame::Video(v) => FrameObj {
            kind: "video".into(),
            width: Some(v.width()),
            height: Some(v.height()),
            data: Some(Buffer::from(Vec::<u8>::from(v.i420().clone()))),
            samples: None,
            sample_rate: None,
            channel_count: None,
            pts: v.pts,
        },
        rtckit_core::MediaFrame::Audio(a) => FrameObj {
            kind: "audio".into(),
            width: None,
            height: None,
            data: None,
            samples: Some(Buffer::from(a.to_le_bytes())),
            sample_rate: Some(a.sample_rate()),
            channel_count: Some(a.channels() as u32),
            pts: a.pts,
        },
    }
}

#[napi]
pub struct NativeMediaStream {
    pub(crate) inner: rtckit_core::MediaStream,
}

#[napi]
impl NativeMediaStream {
    /// An empty stream; with `id`, that id (node-webrtc's RTCMediaStreamInit).
    #[napi(constructor, catch_unwind)]
    pub fn new(id: Option<String>) -> Self {
        Self { inner: id.map_or_else(|| rtckit_core::MediaStream::new(Vec::new()), rtckit_core::MediaStream::with_id) }
    }
    #[napi(getter, catch_unwind)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }
    #[napi(catch_unwind)]
    pub fn track_ids(&self) -> Vec<String> {
        self.inner.tracks().iter().map(|t| t.id().to_owned()).collect()
    }
    #[napi(catch_unwind)]
    pub fn add_track(&self, track: &NativeTrack) {
        self.inner.add_track(track.inner.clone())
    }
    #[napi(catch_unwind)]
    pub fn remove_track(&self, track: &NativeTrack) {
        self.inner.remove_track(&track.inner)
    }
}

#[napi]
pub struct NativeSource {
    inner: rtckit_core::MediaSource,
}

#[napi]
impl NativeSource {
    #[napi(constructor, catch_unwind)]
    pub fn new(kind: String, label: String) -> crate::error::Result<Self> {
        let kind = match kind.as_str() {
            "video" => rtckit_core::TrackKind::Video,
            "audio" => rtckit_core::TrackKind::Audio,
            _ => return Err(crate::error::to_napi(rtckit_core::Error::type_error("a source is audio or video"))),
        };
        Ok(Self { inner: rtckit_core::MediaSource::new(kind, &label) })
    }
    #[napi(catch_unwind)]
    pub fn create_track(&self) -> crate::error::Result<NativeTrack> {
        Ok(NativeTrack { inner: self.inner.create_track().napi()? })
    }
    /// Pushes an I420 frame.
    #[napi(catch_unwind)]
    pub fn push_video(&self, width: u32, height: u32, data: Uint8Array, pts: Option<i64>) -> crate::error::Result<u32> {
        let mut frame =
            rtckit_core::VideoFrame::from_i420(width, height, bytes::Bytes::copy_from_slice(&data)).napi()?;
        frame.pts = pts;
        Ok(self.inner.push(rtckit_core::MediaFrame::Video(frame)).napi()? as u32)
    }
    /// Pushes s16le interleaved samples.
    #[napi(catch_unwind)]
    pub fn push_audio(&self, samples: Uint8Array, sample_rate: u32, channels: u32) -> crate::error::Result<u32> {
        let frame = rtckit_core::AudioFrame::from_le_bytes(&samples, sample_rate, channels.min(u16::MAX as u32) as u16)
            .napi()?;
        Ok(self.inner.push(rtckit_core::MediaFrame::Audio(frame)).napi()? as u32)
    }
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close()
    }
}
