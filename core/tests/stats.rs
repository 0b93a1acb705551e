//! getStats after a video call between two rtckit peers: the W3C entries webrtc-rs reports,
//! with rtckit's frame counts and the bandwidth estimate merged in.

mod common;

use std::time::Duration;

use common::{call, fake_camera};
use rtckit_core::stats::Stats;

fn of_type<'a>(report: &'a [Stats], kind: &str) -> Vec<&'a Stats> {
    report.iter().filter(|s| s["type"] == kind).collect()
}

fn number(stats: &Stats, key: &str) -> f64 {
    stats.get(key).and_then(|v| v.as_f64()).unwrap_or_else(|| panic!("{key} missing from {stats:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_stats_reports_frames_codecs_and_the_estimate() {
    let camera = fake_camera(320, 240);
    let (a, b, remote) = call(&camera, "VP8").await;
    let mut frames = remote.subscribe();
    for _ in 0..20 {
        tokio::time::timeout(Duration::from_secs(10), frames.recv()).await.unwrap().unwrap();
    }
    // TWCC feedback comes every 100 ms or so: the estimate is there within a second or two.
    let waited = std::time::Instant::now();
    let sent = loop {
        let report = a.get_stats().await.unwrap();
        let pair = of_type(&report, "candidate-pair").into_iter().any(|p| p.contains_key("availableOutgoingBitrate"));
        if pair || waited.elapsed() > Duration::from_secs(10) {
            break report;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    if std::env::var("RTCKIT_PRINT_STATS").is_ok() {
        println!("{}", serde_json::to_string_pretty(&sent).unwrap());
    }
    let outbound = of_type(&sent, "outbound-rtp");
    assert_eq!(outbound.len(), 1, "{sent:?}");
    let out = outbound[0];
    assert_eq!(out["kind"], "video");
    assert!(number(out, "packetsSent") > 0.0 && number(out, "bytesSent") > 0.0);
    assert!(number(out, "framesEncoded") >= 20.0 && number(out, "keyFramesEncoded") >= 1.0);
    assert_eq!((number(out, "frameWidth"), number(out, "frameHeight")), (320.0, 240.0));
    assert!(number(out, "targetBitrate") > 0.0);
    assert!(of_type(&sent, "codec").iter().any(|c| c["mimeType"] == "video/VP8"), "{sent:?}");
    let pair = of_type(&sent, "candidate-pair").into_iter().find(|p| p.contains_key("availableOutgoingBitrate"));
    assert!(number(pair.expect("the nominated pair carries the estimate"), "availableOutgoingBitrate") > 100_000.0);
    assert_eq!(of_type(&sent, "peer-connection").len(), 1);
    assert!(!of_type(&sent, "transport").is_empty());

    let received = b.get_stats().await.unwrap();
    let inbound = of_type(&received, "inbound-rtp");
    assert_eq!(inbound.len(), 1, "{received:?}");
    let inb = inbound[0];
    assert!(number(inb, "packetsReceived") > 0.0);
    assert!(number(inb, "framesDecoded") >= 20.0 && number(inb, "keyFramesDecoded") >= 1.0);
    assert_eq!((number(inb, "frameWidth"), number(inb, "frameHeight")), (320.0, 240.0));

    // getStats(track): the sender's stream and what it refers to, not the rest.
    let selected = a.get_stats_of_track(camera.id()).await.unwrap();
    assert_eq!(of_type(&selected, "outbound-rtp").len(), 1);
    assert_eq!(of_type(&selected, "codec").len(), 1, "{selected:?}");
    assert!(!of_type(&selected, "transport").is_empty());
    assert!(of_type(&selected, "peer-connection").is_empty() && selected.len() < sent.len());
    let selected = b.get_stats_of_track(remote.id()).await.unwrap();
    assert_eq!(of_type(&selected, "inbound-rtp").len(), 1);
    assert!(of_type(&selected, "outbound-rtp").is_empty());
    assert_eq!(a.get_stats_of_track(remote.id()).await.unwrap_err().kind, rtckit_core::ErrorKind::InvalidAccessError);

    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
    assert_eq!(a.get_stats().await.unwrap_err().kind, rtckit_core::ErrorKind::InvalidStateError);
}
