//! Real devices without hardware: camera frames in each format a camera sends, converted
//! to I420 from buffers made here; and the real audio path (cpal, then alsa-lib) through
//! ALSA software devices that tests/devices/fake_alsa.py plays a tone into and records
//! from: microphone → Opus → peer → AudioOutput → speaker.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{call, dominant_frequency};
use rtckit_core::camera::{to_i420, CameraFormat};
use rtckit_core::device::{self, AudioConstraints};
use rtckit_core::{AudioOutput, ErrorKind, MediaFrame};

/// The value at (x, y) of each plane of an I420 frame.
fn yuv(frame: &rtckit_core::VideoFrame, x: usize, y: usize) -> (u8, u8, u8) {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let d = frame.i420();
    (d[y * w + x], d[w * h + (y / 2) * cw + x / 2], d[w * h + cw * ch + (y / 2) * cw + x / 2])
}

#[test]
fn camera_formats_convert_to_i420() {
    let (w, h) = (8usize, 4usize);
    // YUYV: luma counts up, U 100 on even rows and 110 on odd (averaged to 105), V 200.
    let mut yuyv = Vec::new();
    for y in 0..h {
        for x in (0..w).step_by(2) {
            yuyv.extend_from_slice(&[
                (y * w + x) as u8,
                if y % 2 == 0 { 100 } else { 110 },
                (y * w + x + 1) as u8,
                200,
            ]);
        }
    }
    let f = to_i420(CameraFormat::Yuyv, w as u32, h as u32, &yuyv).unwrap();
    assert_eq!(yuv(&f, 5, 3), (29, 105, 200));
    assert_eq!(to_i420(CameraFormat::Yuyv, 7, 4, &yuyv).unwrap_err().kind, ErrorKind::TypeError);
    assert_eq!(to_i420(CameraFormat::Yuyv, 8, 4, &yuyv[..10]).unwrap_err().kind, ErrorKind::TypeError);

    // NV12: the UV plane interleaved.
    let mut nv12: Vec<u8> = (0..w * h).map(|i| i as u8).collect();
    nv12.extend((0..w * h / 4).flat_map(|i| [50 + i as u8, 150 + i as u8]));
    let f = to_i420(CameraFormat::Nv12, w as u32, h as u32, &nv12).unwrap();
    assert_eq!(yuv(&f, 6, 2), (22, 57, 157));

    let gray: Vec<u8> = vec![90; w * h];
    assert_eq!(yuv(&to_i420(CameraFormat::Gray, w as u32, h as u32, &gray).unwrap(), 1, 1), (90, 128, 128));

    // RGB and BGR of pure red: BT.601 limited range gives Y 81, U 90, V 240.
    let red_rgb: Vec<u8> = [255u8, 0, 0].repeat(w * h);
    let red_bgr: Vec<u8> = [0u8, 0, 255].repeat(w * h);
    for (format, data) in [(CameraFormat::Rgb, &red_rgb), (CameraFormat::Bgr, &red_bgr)] {
        let (y, u, v) = yuv(&to_i420(format, w as u32, h as u32, data).unwrap(), 3, 3);
        assert!(y.abs_diff(81) <= 2 && u.abs_diff(90) <= 2 && v.abs_diff(240) <= 2, "{format:?}: {y} {u} {v}");
    }

    // MJPEG: a 64x48 JPEG, left half black and right half white.
    let (jw, jh) = (64u16, 48u16);
    let pixels: Vec<u8> = (0..jw as usize * jh as usize)
        .flat_map(|i| if i % jw as usize >= 32 { [255u8; 3] } else { [0u8; 3] })
        .collect();
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 95).encode(&pixels, jw, jh, jpeg_encoder::ColorType::Rgb).unwrap();
    let f = to_i420(CameraFormat::Mjpeg, 0, 0, &jpeg).unwrap();
    assert_eq!((f.width(), f.height()), (64, 48));
    let (dark, _, _) = yuv(&f, 8, 20);
    let (light, _, _) = yuv(&f, 56, 20);
    assert!(dark < 30 && light > 220, "{dark} {light}");
    assert_eq!(to_i420(CameraFormat::Mjpeg, 64, 48, b"not a jpeg").unwrap_err().kind, ErrorKind::NotReadableError);
}

/// The fake sound hardware, stopped when dropped (its stdin closes).
struct FakeAlsa {
    child: std::process::Child,
    dir: std::path::PathBuf,
}

impl Drop for FakeAlsa {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn fake_alsa() -> FakeAlsa {
    let dir = std::env::temp_dir().join(format!("rtckit-alsa-{}", std::process::id()));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/devices/fake_alsa.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the fake sound hardware");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "READY");
    // Before anything in this process touches ALSA: it reads its configuration once.
    std::env::set_var("ALSA_CONFIG_PATH", dir.join("asound.conf"));
    FakeAlsa { child, dir }
}

fn first_channel(frame: &rtckit_core::AudioFrame) -> Vec<f64> {
    frame.samples().chunks_exact(frame.channels() as usize).map(|s| s[0] as f64).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_microphone_through_a_peer_to_a_speaker_on_alsa() {
    let alsa = fake_alsa();
    device::use_fake_devices(false);
    let devices = device::enumerate_devices();
    let has = |kind: &str, id: &str| devices.iter().any(|d| d.kind == kind && d.device_id == id);
    assert!(has("audioinput", "alsa:rtckit_mic") && has("audiooutput", "alsa:rtckit_speaker"), "{devices:?}");
    assert!(devices.iter().all(|d| d.device_id != "alsa:null"));

    let ask = |id: &str| AudioConstraints { device_id: Some(id.into()), ..Default::default() };
    let microphone = device::get_user_media(Some(ask("alsa:rtckit_mic")), None).unwrap().remove(0);
    assert_eq!(microphone.label(), "rtckit test microphone");
    let mut frames = microphone.subscribe();
    let mut samples = Vec::new();
    let mut rate = 0;
    while samples.len() < 24_000 {
        let MediaFrame::Audio(frame) =
            tokio::time::timeout(Duration::from_secs(5), frames.recv()).await.unwrap().unwrap()
        else {
            panic!("audio expected")
        };
        rate = frame.sample_rate();
        samples.extend(first_channel(&frame));
    }
    let f = dominant_frequency(&samples[2400..], rate as f64);
    assert!((f - 440.0).abs() <= 10.0, "the microphone gave {f} Hz");

    // Over a connection, and out of the speaker.
    let (a, b, remote) = call(&microphone, "opus").await;
    let output = AudioOutput::start(&remote, Some("alsa:rtckit_speaker")).unwrap();
    let speaker = alsa.dir.join("speaker.raw");
    let before = std::fs::metadata(&speaker).unwrap().len() as usize;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let played = std::fs::read(&speaker).unwrap();
    let last: Vec<f64> = played[before.max(played.len() - 48_000)..]
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as f64)
        .collect();
    let peak = last.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    assert!(peak > 1000.0, "the speaker played silence (peak {peak})");
    let f = dominant_frequency(&last, 48_000.0);
    assert!((f - 440.0).abs() <= 10.0, "the speaker played {f} Hz");
    output.stop();
    assert!(!output.is_playing());

    // A device that cannot be opened, and one that does not exist.
    let err = device::get_user_media(Some(ask("alsa:rtckit_broken")), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotReadableError, "{err}");
    assert_eq!(
        AudioOutput::start(&remote, Some("alsa:rtckit_broken")).err().map(|e| e.kind),
        Some(ErrorKind::NotReadableError)
    );
    assert_eq!(
        device::get_user_media(Some(ask("alsa:nothing")), None).unwrap_err().kind,
        ErrorKind::OverconstrainedError
    );
    assert_eq!(
        AudioOutput::start(&microphone.clone(), Some("alsa:nothing")).err().map(|e| e.kind),
        Some(ErrorKind::OverconstrainedError)
    );

    microphone.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}
