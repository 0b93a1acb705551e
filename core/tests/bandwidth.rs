//! The video encoder follows the transport's estimate (GCC over TWCC feedback): on
//! loopback it keeps the frame size's default; over a narrow link (a network namespace this
//! test makes, its loopback shaped by tc's token bucket) it drops under the link's rate.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{call, fake_camera};

const INNER: &str = "RTCKIT_BANDWIDTH_INNER";

/// A number from the first stats object of `kind` (0 when absent).
fn stat(report: &[rtckit_core::stats::Stats], kind: &str, key: &str) -> u64 {
    report.iter().find(|s| s["type"] == kind).and_then(|s| s.get(key)).and_then(|v| v.as_f64()).unwrap_or(0.0) as u64
}

/// Sends the fake camera at 640x480 for `seconds`; the sender's target bitrate at the end,
/// how many frames arrived, and the packets the sender sent again (RTX) for NACKs.
async fn send_camera(seconds: u64) -> (u32, usize, u64) {
    let camera = fake_camera(640, 480);
    let (a, b, remote) = call(&camera, "VP8").await;
    let sender = a.get_senders().remove(0);
    let mut frames = remote.subscribe();
    let mut received = 0;
    let end = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while let Ok(Ok(_)) = tokio::time::timeout_at(end, frames.recv()).await {
        received += 1;
    }
    let target = sender.target_bitrate().expect("a video sender has a target");
    assert!(a.available_outgoing_bitrate().is_some(), "TWCC feedback gave an estimate");
    let resent = stat(&a.get_stats().await.unwrap(), "outbound-rtp", "retransmittedPacketsSent");
    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
    (target, received, resent)
}

fn ip(args: &[&str]) -> std::process::Output {
    Command::new("ip").args(args).output().expect("this test needs iproute2's ip (scripts/setup.sh installs it)")
}

/// A network namespace, deleted on drop.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_encoder_follows_the_transport_estimate() {
    if std::env::var(INNER).is_ok() {
        let (target, received, resent) = send_camera(10).await;
        println!("RESULT {target} {received} {resent}");
        return;
    }
    let (open, received, _) = send_camera(4).await;
    assert!(received > 60, "{received} frames in 4 s");
    // libvpx takes kbit/s: within 1% of the default.
    let default = rtckit_core::codec::default_bitrate(640, 480);
    assert!(open.abs_diff(default) * 100 <= default, "loopback leaves the size's default ({default}), not {open}");

    let ns = Namespace(format!("rtckit-bw-{}", std::process::id()));
    let made = ip(&["netns", "add", &ns.0]);
    assert!(made.status.success(), "ip netns add (this test needs root): {}", String::from_utf8_lossy(&made.stderr));
    assert!(ip(&["netns", "exec", &ns.0, "ip", "link", "set", "lo", "up"]).status.success());
    // 500 kbit/s with at most 300 ms of queue: a link narrower than the 1.2 Mbit/s default.
    let tc = ip(&[
        "netns", "exec", &ns.0, "tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "500kbit", "burst", "20kb",
        "latency", "300ms",
    ]);
    assert!(tc.status.success(), "tc: {}", String::from_utf8_lossy(&tc.stderr));
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(exe)
        .args(["--exact", "the_encoder_follows_the_transport_estimate", "--nocapture"])
        .env(INNER, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let result = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")).expect("the inner run's result");
    let [narrow, received, resent]: [u64; 3] =
        result.split(' ').map(|v| v.parse().unwrap()).collect::<Vec<_>>().try_into().unwrap();
    println!("narrow link: target {narrow} bit/s, {received} frames in 10 s, {resent} packets resent");
    assert!(received > 0, "frames still arrive over the narrow link");
    // The link drops what overflows its queue: the receiver NACKs it and the sender resends it
    // on its RTX stream.
    assert!(resent > 0, "nothing resent over a lossy link");
    assert!(narrow < 500_000, "the target ({narrow} bit/s) fell under the link's 500 kbit/s");
}
