//! MediaPlayer → peer → MediaRecorder over real DTLS/SRTP on 127.0.0.1: the file that comes
//! out plays the same number of frames, in order; an IVF file is forwarded without
//! re-encoding (the recording is byte for byte the source); bad files get their error kind.

mod common;

use std::time::Duration;

use common::{call, numbers, tone};
use rtckit_core::device::{read_frame_number, test_pattern};
use rtckit_core::{ErrorKind, MediaFrame, MediaPlayer, MediaRecorder, MediaStreamTrack};

fn temp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("rtckit-core-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

/// A Y4M file of `frames` test-pattern frames (each carries its number) at 30 fps.
fn write_y4m(path: &str, frames: u32) {
    let mut out = b"YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg\n".to_vec();
    for n in 0..frames {
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(test_pattern(320, 240, n).i420());
    }
    std::fs::write(path, out).unwrap();
}

/// A WAV file of a 440 Hz tone, 48 kHz mono.
fn write_wav(path: &str, ms: u32) {
    let samples: Vec<i16> = (0..48 * ms)
        .map(|i| ((i as f64 * 440.0 * 2.0 * std::f64::consts::PI / 48000.0).sin() * 8000.0) as i16)
        .collect();
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [48000u32, 96000] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [2u16, 16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    std::fs::write(path, out).unwrap();
}

/// Every frame a file plays, read locally until its track ends.
async fn play_all(path: &str) -> Vec<MediaFrame> {
    let player = MediaPlayer::open(path, false).unwrap();
    let track = player.video().or(player.audio()).unwrap();
    let mut frames = track.subscribe();
    let mut out = Vec::new();
    while let Ok(frame) =
        tokio::time::timeout(Duration::from_secs(20), frames.recv()).await.expect("the file plays to its end")
    {
        out.push(frame);
    }
    out
}

/// One relay at a time: each counts every frame, and the machine's two cores shared by
/// several encoding calls could starve one past its frame buffer.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Plays `source` to a peer over `codec` and records what arrives to `target`, until
/// `expected` frames (or packets) are written.
async fn relay(source: &str, codec: &str, target: &str, expected: u64) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let player = MediaPlayer::open(source, false).unwrap();
    let track: MediaStreamTrack = player.video().or(player.audio()).unwrap();
    let (a, b, remote) = call(&track, codec).await;
    let recorder = MediaRecorder::new(target).unwrap();
    recorder.add_track(&remote).unwrap();
    recorder.start().unwrap();
    let waited = std::time::Instant::now();
    while recorder.count() < expected && waited.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    recorder.stop().await.unwrap();
    assert_eq!(recorder.count(), expected, "{source} → {codec} → {target}");
    a.close().await.unwrap();
    b.close().await.unwrap();
}

async fn y4m_to_ivf_and_the_ivf_forwarded_unchanged(codec: &str, fourcc: &[u8]) {
    let (y4m, ivf, copy) =
        (temp(&format!("{codec}.y4m")), temp(&format!("{codec}.ivf")), temp(&format!("{codec}-copy.ivf")));
    write_y4m(&y4m, 45);
    relay(&y4m, codec, &ivf, 45).await;
    assert_eq!(&std::fs::read(&ivf).unwrap()[8..12], fourcc, "recorded as received");
    let played = play_all(&ivf).await;
    assert_eq!(numbers(&played), (0..45).collect::<Vec<_>>());
    // The IVF's frames are sent as they are, so what is recorded is the same bytes.
    relay(&ivf, codec, &copy, 45).await;
    let (original, copied) = (std::fs::read(&ivf).unwrap(), std::fs::read(&copy).unwrap());
    let frames = |file: &[u8]| {
        let mut at = 32;
        let mut out = Vec::new();
        while at < file.len() {
            let size = u32::from_le_bytes(file[at..at + 4].try_into().unwrap()) as usize;
            out.push(file[at + 12..at + 12 + size].to_vec());
            at += 12 + size;
        }
        out
    };
    assert_eq!(frames(&original), frames(&copied));
    assert_eq!(&original[8..16], &copied[8..16], "codec and size in the header");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn y4m_to_vp8_to_ivf_and_the_ivf_forwarded_unchanged() {
    y4m_to_ivf_and_the_ivf_forwarded_unchanged("VP8", b"VP80").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn y4m_to_vp9_to_ivf_and_the_ivf_forwarded_unchanged() {
    y4m_to_ivf_and_the_ivf_forwarded_unchanged("VP9", b"VP90").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn y4m_to_h264_to_annexb_and_y4m() {
    let (y4m, h264, back) = (temp("b.y4m"), temp("b.h264"), temp("b-back.y4m"));
    write_y4m(&y4m, 30);
    relay(&y4m, "H264", &h264, 30).await;
    let played = play_all(&h264).await;
    assert_eq!(numbers(&played), (0..30).collect::<Vec<_>>());
    // Decoded frames to a raw file: the same count, the same pictures (numbers).
    relay(&h264, "H264", &back, 30).await;
    assert_eq!(numbers(&play_all(&back).await), (0..30).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_to_opus_to_ogg_and_wav() {
    let (wav, ogg, back) = (temp("c.wav"), temp("c.ogg"), temp("c-back.wav"));
    write_wav(&wav, 1000);
    // 1 s in 20 ms Opus packets.
    relay(&wav, "opus", &ogg, 50).await;
    let played = play_all(&ogg).await;
    assert_eq!(played.len(), 50);
    let f = tone(&played);
    assert!((f - 440.0).abs() <= 10.0, "dominant frequency {f} Hz");
    // The Ogg file forwarded (its packets as they are) and decoded into a WAV.
    relay(&ogg, "opus", &back, 50).await;
    let wav_back = std::fs::read(&back).unwrap();
    assert_eq!(&wav_back[..4], b"RIFF");
    let data = u32::from_le_bytes(wav_back[40..44].try_into().unwrap()) as usize;
    assert_eq!(data, wav_back.len() - 44);
    assert!(data >= 48000 * 2, "a second of 16-bit audio at 48 kHz, at least: {data} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_get_their_error_kind() {
    let kind = |r: rtckit_core::Result<MediaPlayer>| r.err().map(|e| e.kind);
    assert_eq!(kind(MediaPlayer::open(&temp("missing.ivf"), false)), Some(ErrorKind::NotFoundError));
    assert_eq!(kind(MediaPlayer::open(&temp("x.avi"), false)), Some(ErrorKind::NotSupportedError));
    let garbage = temp("garbage.ivf");
    std::fs::write(&garbage, b"not an ivf file at all, no DKIF signature").unwrap();
    assert_eq!(kind(MediaPlayer::open(&garbage, false)), Some(ErrorKind::NotReadableError));
    let av1 = temp("av1.ivf");
    let mut header = b"DKIF\0\0\x20\0AV01".to_vec();
    header.extend_from_slice(&[0; 20]);
    std::fs::write(&av1, header).unwrap();
    assert_eq!(kind(MediaPlayer::open(&av1, false)), Some(ErrorKind::NotSupportedError));

    let wav = temp("d.wav");
    write_wav(&wav, 100);
    let player = MediaPlayer::open(&wav, false).unwrap();
    let recorder = MediaRecorder::new(&temp("d.ivf")).unwrap();
    let err = recorder.add_track(&player.audio().unwrap()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TypeError, "{err}");
    assert_eq!(MediaRecorder::new(&temp("d.mp3")).err().map(|e| e.kind), Some(ErrorKind::NotSupportedError));

    // The blackhole consumes a played file to its end; recorders start once.
    let blackhole = MediaRecorder::blackhole();
    blackhole.add_track(&player.audio().unwrap()).unwrap();
    blackhole.start().unwrap();
    assert_eq!(blackhole.start().unwrap_err().kind, ErrorKind::InvalidStateError);
    let waited = std::time::Instant::now();
    while player.audio().unwrap().is_live() && waited.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    blackhole.stop().await.unwrap();
    assert_eq!(blackhole.count(), 5, "100 ms of WAV in 20 ms frames");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_player_plays_again() {
    let y4m = temp("e.y4m");
    write_y4m(&y4m, 5);
    let player = MediaPlayer::open(&y4m, true).unwrap();
    let mut frames = player.video().unwrap().subscribe();
    let mut seen = Vec::new();
    while seen.len() < 12 {
        let MediaFrame::Video(v) = tokio::time::timeout(Duration::from_secs(5), frames.recv()).await.unwrap().unwrap()
        else {
            panic!("video expected")
        };
        seen.push(read_frame_number(&v));
    }
    assert_eq!(seen, vec![0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
    player.stop();
    assert!(tokio::time::timeout(Duration::from_secs(2), async { while frames.recv().await.is_ok() {} }).await.is_ok());
}
