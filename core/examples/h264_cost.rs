//! CPU per frame of rtckit's H.264 encoder and decoder on the fake camera's pattern at
//! 640x480 and 1280x720 (bench/README.md): `cargo run --release -p rtckit-core --example h264_cost`.

use std::time::Instant;

use rtckit_core::codec::{H264Decoder, H264Encoder};
use rtckit_core::device::test_pattern;

fn main() {
    for (w, h) in [(640u32, 480u32), (1280, 720)] {
        let frames: Vec<_> = (0..120).map(|n| test_pattern(w, h, n)).collect();
        let mut encoder = H264Encoder::new(2_000_000, 30.0);
        let mut decoder = H264Decoder::new().expect("decoder");
        let (mut encode, mut decode, mut bytes) = (0.0, 0.0, 0usize);
        for (n, frame) in frames.iter().enumerate() {
            let t = Instant::now();
            let unit = encoder.encode(frame, n == 0).expect("encode");
            encode += t.elapsed().as_secs_f64();
            bytes += unit.len();
            let t = Instant::now();
            decoder.decode(&unit).expect("decode");
            decode += t.elapsed().as_secs_f64();
        }
        let n = frames.len() as f64;
        println!(
            "{w}x{h}: encode {:.2} ms/frame, decode {:.2} ms/frame, {:.0} kbit/s at 30 fps",
            encode / n * 1e3,
            decode / n * 1e3,
            bytes as f64 * 8.0 / n * 30.0 / 1e3
        );
    }
}
