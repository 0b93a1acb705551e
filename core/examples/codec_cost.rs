//! CPU per frame of rtckit's video encoders and decoders (VP8 and H.264) on the fake
//! camera's pattern at 640x480 and 1280x720, time per frame at the default bitrate for the size
//! (bench/README.md): `cargo run --release -p rtckit-core --example codec_cost`.

use std::time::Instant;

use rtckit_core::codec::{H264Decoder, H264Encoder, Vpx, VpxDecoder, VpxEncoder};
use rtckit_core::device::test_pattern;
use rtckit_core::{Result, VideoFrame};

type Encode = Box<dyn FnMut(&VideoFrame, bool) -> Result<Vec<u8>>>;
type Decode = Box<dyn FnMut(&[u8]) -> Result<Option<VideoFrame>>>;

fn codec(name: &str) -> (Encode, Decode) {
    match name {
        "VP8" => {
            let (mut e, mut d) = (VpxEncoder::new(Vpx::Vp8, None), VpxDecoder::new(Vpx::Vp8).expect("decoder"));
            (Box::new(move |f, k| e.encode(f, k)), Box::new(move |u| d.decode(u)))
        }
        _ => {
            let (mut e, mut d) = (H264Encoder::new(None, 30.0), H264Decoder::new().expect("decoder"));
            (Box::new(move |f, k| e.encode(f, k)), Box::new(move |u| d.decode(u)))
        }
    }
}

fn main() {
    for name in ["VP8", "H264"] {
        for (w, h) in [(640u32, 480u32), (1280, 720)] {
            let frames: Vec<_> = (0..120).map(|n| test_pattern(w, h, n)).collect();
            let (mut encoder, mut decoder) = codec(name);
            let (mut encode, mut decode, mut bytes) = (0.0, 0.0, 0usize);
            for (n, frame) in frames.iter().enumerate() {
                let t = Instant::now();
                let unit = encoder(frame, n == 0).expect("encode");
                encode += t.elapsed().as_secs_f64();
                bytes += unit.len();
                let t = Instant::now();
                decoder(&unit).expect("decode");
                decode += t.elapsed().as_secs_f64();
            }
            let n = frames.len() as f64;
            println!(
                "{name} {w}x{h}: encode {:.2} ms/frame, decode {:.2} ms/frame, {:.0} kbit/s at 30 fps",
                encode / n * 1e3,
                decode / n * 1e3,
                bytes as f64 * 8.0 / n * 30.0 / 1e3
            );
        }
    }
}
