//! Frames per second and CPU of a loopback video call, per codec and size: one rtckit peer
//! sends the fake camera at 60 fps to another on 127.0.0.1, which decodes it (bench/README.md).
//! `cargo run --release -p rtckit-core --example media_loop [seconds] [VP8|VP9|H264]`
//!
//! CPU is the whole process's (both peers: capture, encode, SRTP, decode), from
//! /proc/self/stat, per frame received and as a share of one core.

use std::time::{Duration, Instant};

use rtckit_core::codec::capabilities;
use rtckit_core::device::{self, VideoConstraints};
use rtckit_core::{Configuration, MediaFrame, PeerConnection, PeerConnectionEvent, TrackKind};

/// User + system CPU time of this process.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("Linux /proc");
    // Fields after the command name (which may hold spaces) start at ')'.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / 100.0) // USER_HZ is 100 on Linux
}

async fn run(codec: &str, width: u32, height: u32, seconds: f64) {
    let config = || Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() };
    let (a, b) = (PeerConnection::build(config()).await.unwrap(), PeerConnection::build(config()).await.unwrap());
    let mut constraints = VideoConstraints::default();
    constraints.width.exact = Some(width as f64);
    constraints.height.exact = Some(height as f64);
    constraints.frame_rate.exact = Some(60.0);
    let camera = device::get_user_media(None, Some(constraints)).unwrap().remove(0);
    let transceiver = a.add_transceiver_of_track(&camera, "sendonly", vec![]).await.unwrap();
    let wanted: Vec<_> = capabilities(TrackKind::Video).into_iter().filter(|c| c.mime_type.ends_with(codec)).collect();
    transceiver.set_codec_preferences(&wanted).unwrap();
    a.set_local_description(None).await.unwrap();
    while a.states().ice_gathering != "complete" {
        a.next_events().await;
    }
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
    let remote = loop {
        let events = b.next_events().await;
        if let Some(PeerConnectionEvent::Track(t, _)) = events.into_iter().find(|e| e.name() == "track") {
            break t;
        }
    };
    let mut frames = remote.subscribe();
    // One second to settle, then the measured window.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(1) {
        frames.recv().await.unwrap();
    }
    let sender = a.get_senders().remove(0);
    let (start, cpu, sent) = (Instant::now(), cpu_time(), sender.bytes_sent());
    let mut count = 0u32;
    while start.elapsed().as_secs_f64() < seconds {
        if let MediaFrame::Video(f) = frames.recv().await.unwrap() {
            assert_eq!((f.width(), f.height()), (width, height));
            count += 1;
        }
    }
    let (wall, cpu) = (start.elapsed().as_secs_f64(), (cpu_time() - cpu).as_secs_f64());
    let bitrate = (sender.bytes_sent() - sent) as f64 * 8.0 / wall / 1e6;
    println!(
        "{codec:<4} {width}x{height}: {:5.1} fps received, {:5.2} ms CPU per frame, {:4.0}% of one core, {bitrate:4.2} Mbit/s, {} key frames ({} asked for)",
        count as f64 / wall,
        cpu * 1e3 / count as f64,
        cpu / wall * 100.0,
        sender.key_frames_encoded(),
        sender.key_frame_requests(),
    );
    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}

fn main() {
    let seconds = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    // An optional second argument picks one codec.
    let only = std::env::args().nth(2);
    device::use_fake_devices(true);
    rtckit_core::runtime::block_on(async move {
        for codec in ["VP8", "VP9", "H264"].into_iter().filter(|c| only.as_deref().is_none_or(|o| o == *c)) {
            for (w, h) in [(640, 480), (1280, 720)] {
                run(codec, w, h, seconds).await;
            }
        }
    });
}
