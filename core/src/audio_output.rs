//! AudioOutput (rtckit's own, in both languages): plays an audio track on a speaker through
//! cpal, resampled and remixed to what the device takes.

use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cpal::traits::DeviceTrait;

use crate::codec::audio_chunker::AudioChunker;
use crate::error::{Error, Result};
use crate::microphone::{find, not_readable, stream_thread, unsupported_format};
use crate::track::{MediaFrame, MediaStreamTrack, TrackKind};

/// Samples the speaker may lag behind by before the oldest are dropped: 200 ms at 48 kHz
/// stereo, so a stalled device does not build up delay.
const MAX_QUEUED: usize = 48_000 * 2 / 5;

pub struct AudioOutput {
    stopped: Arc<AtomicBool>,
    /// The device's thread, joined by stop().
    thread: parking_lot::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl AudioOutput {
    /// Plays `track` on the output device `device_id` (the default one when None).
    pub fn start(track: &MediaStreamTrack, device_id: Option<&str>) -> Result<Self> {
        if track.kind() != TrackKind::Audio {
            return Err(Error::type_error("AudioOutput plays an audio track, not a video one"));
        }
        if !track.is_live() {
            return Err(Error::invalid_state("the track has ended"));
        }
        let device = find(false, device_id)?;
        let supported = device.default_output_config().map_err(|e| not_readable("the speaker", e))?;
        let config: cpal::StreamConfig = supported.config();
        let queue = Arc::new(Mutex::new(VecDeque::<i16>::new()));
        let stopped = Arc::new(AtomicBool::new(false));

        let played = queue.clone();
        let build = move || {
            let next = move || played.lock().pop_front().unwrap_or(0);
            let error = |e: cpal::Error| log::warn!("rtckit's speaker stream failed: {e}");
            Ok(match supported.sample_format() {
                cpal::SampleFormat::I16 => device.build_output_stream::<i16, _, _>(
                    config,
                    move |out, _| out.iter_mut().for_each(|s| *s = next()),
                    error,
                    None,
                ),
                cpal::SampleFormat::F32 => device.build_output_stream::<f32, _, _>(
                    config,
                    move |out, _| out.iter_mut().for_each(|s| *s = next() as f32 / 32768.0),
                    error,
                    None,
                ),
                other => return Err(unsupported_format("the speaker", other)),
            })
        };
        // Until stop(), or the track ended.
        let flag = stopped.clone();
        let thread = stream_thread("the speaker", build, move || flag.load(Ordering::Acquire))?;

        // Frames to the device's rate and layout, 10 ms at a time.
        let mut chunker = AudioChunker::new(config.sample_rate, config.channels, (config.sample_rate / 100) as usize);
        let mut frames = track.subscribe();
        let flag = stopped.clone();
        crate::runtime::handle().spawn(async move {
            while !flag.load(Ordering::Acquire) {
                let Ok(frame) = frames.recv().await else { break };
                let MediaFrame::Audio(frame) = frame else { continue };
                let mut queue = queue.lock();
                for packet in chunker.push(&frame) {
                    queue.extend(packet);
                }
                let excess = queue.len().saturating_sub(MAX_QUEUED);
                queue.drain(..excess);
            }
            flag.store(true, Ordering::Release);
        });
        Ok(Self { stopped, thread: parking_lot::Mutex::new(Some(thread)) })
    }

    /// Stops playing; the device is closed when it returns. Idempotent.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        if let Some(thread) = self.thread.lock().take() {
            let _ = thread.join();
        }
    }

    pub fn is_playing(&self) -> bool {
        !self.stopped.load(Ordering::Acquire)
    }
}

impl Drop for AudioOutput {
    fn drop(&mut self) {
        self.stop();
    }
}
