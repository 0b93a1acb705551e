//! What the core's media tests share: two peers on 127.0.0.1, the offer cut down to one
//! codec, and a Goertzel scan for the dominant frequency.
#![allow(dead_code)]

use std::time::Duration;

use rtckit_core::device::{self, read_frame_number, VideoConstraints};
use rtckit_core::{
    Configuration, MediaFrame, MediaStreamTrack, PeerConnection, PeerConnectionEvent, SessionDescription,
};

/// The fake camera at `width` x `height`.
pub fn fake_camera(width: u32, height: u32) -> MediaStreamTrack {
    device::use_fake_devices(true);
    let mut constraints = VideoConstraints::default();
    constraints.width.ideal = Some(width as f64);
    constraints.height.ideal = Some(height as f64);
    device::get_user_media(None, Some(constraints)).unwrap().remove(0)
}

pub fn config() -> Configuration {
    Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() }
}

/// Keeps only the payload types of `codec` (and their RTX) in the offer's media sections.
pub fn only_codec(sdp: &str, codec: &str) -> String {
    let mut wanted: Vec<String> = sdp
        .lines()
        .filter_map(|l| l.strip_prefix("a=rtpmap:"))
        .filter(|l| l.split_whitespace().nth(1).is_some_and(|c| c.to_lowercase().starts_with(&codec.to_lowercase())))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    // The RTX payload types repairing them (a=fmtp:<rtx> apt=<codec pt>).
    let rtx: Vec<String> = sdp
        .lines()
        .filter_map(|l| l.strip_prefix("a=fmtp:"))
        .filter_map(|l| l.split_once(" apt="))
        .filter(|(_, apt)| wanted.iter().any(|w| w == apt.trim()))
        .map(|(pt, _)| pt.to_owned())
        .collect();
    wanted.extend(rtx);
    let keep = |pt: &str| wanted.iter().any(|w| w == pt);
    let mut out = String::new();
    for line in sdp.lines() {
        if line.starts_with("m=audio") || line.starts_with("m=video") {
            let mut parts: Vec<&str> = line.split(' ').collect();
            let pts: Vec<&str> = parts.split_off(3).into_iter().filter(|pt| keep(pt)).collect();
            if !pts.is_empty() {
                out += &format!("{} {}\r\n", parts.join(" "), pts.join(" "));
                continue;
            }
        } else if let Some(rest) = ["a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"].iter().find_map(|p| line.strip_prefix(p)) {
            let pt = rest.split([' ', ':']).next().unwrap_or("");
            if pt != "*" && !keep(pt) {
                continue;
            }
        }
        out += line;
        out += "\r\n";
    }
    out
}

/// Sends `track` from a to b (with the offer cut down to `codec`) and returns b's track.
pub async fn call(track: &MediaStreamTrack, codec: &str) -> (PeerConnection, PeerConnection, MediaStreamTrack) {
    let a = PeerConnection::build(config()).await.unwrap();
    let b = PeerConnection::build(config()).await.unwrap();
    a.add_track(track, vec!["s".into()]).await.unwrap();
    a.set_local_description(None).await.unwrap();
    while a.states().ice_gathering != "complete" {
        a.next_events().await;
    }
    let offer = a.local_description().await.unwrap();
    let offer = SessionDescription::new("offer", only_codec(&offer.sdp, codec)).unwrap();
    b.set_remote_description(offer).await.unwrap();
    b.set_local_description(None).await.unwrap();
    let answer = b.local_description().await.unwrap();
    assert!(answer.sdp.to_lowercase().contains(&format!(" {}/", codec.to_lowercase())), "{}", answer.sdp);
    a.set_remote_description(answer).await.unwrap();
    let remote = loop {
        let events = tokio::time::timeout(Duration::from_secs(10), b.next_events()).await.expect("track event");
        if let Some(PeerConnectionEvent::Track(t, _)) = events.into_iter().find(|e| e.name() == "track") {
            break t;
        }
    };
    (a, b, remote)
}

/// The strongest frequency from 100 to 2000 Hz, 5 Hz apart (Goertzel at each).
pub fn dominant_frequency(samples: &[f64], rate: f64) -> f64 {
    let power = |f: f64| {
        let w = 2.0 * std::f64::consts::PI * f / rate;
        let (mut s1, mut s2) = (0.0, 0.0);
        for &x in samples {
            let s0 = x + 2.0 * w.cos() * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2
    };
    (20..=400).map(|i| i as f64 * 5.0).max_by(|x, y| power(*x).total_cmp(&power(*y))).unwrap()
}

/// The fake camera's frame numbers of decoded video frames.
pub fn numbers(frames: &[MediaFrame]) -> Vec<u32> {
    frames
        .iter()
        .map(|f| match f {
            MediaFrame::Video(v) => read_frame_number(v),
            MediaFrame::Audio(_) => panic!("video expected"),
        })
        .collect()
}

/// The dominant frequency of decoded audio frames at 48 kHz (the first 5 left out).
pub fn tone(frames: &[MediaFrame]) -> f64 {
    let samples: Vec<f64> = frames
        .iter()
        .skip(5)
        .flat_map(|f| match f {
            MediaFrame::Audio(a) => {
                a.samples().chunks_exact(a.channels() as usize).map(|s| s[0] as f64).collect::<Vec<_>>()
            }
            MediaFrame::Video(_) => panic!("audio expected"),
        })
        .collect();
    dominant_frequency(&samples, 48000.0)
}
