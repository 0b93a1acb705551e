//! WebM, MP4 and PNG sequences: the fake camera and microphone recorded into one file, played
//! back in real time (the camera's frame numbers in order, the microphone's 440 Hz tone),
//! forwarded without decoding, and bad files or cameras get their error kind.

mod common;

use std::time::Duration;

use common::{fake_camera, numbers, tone};
use rtckit_core::device::{self, AudioConstraints};
use rtckit_core::media_player::PlayerOptions;
use rtckit_core::{ErrorKind, MediaFrame, MediaPlayer, MediaRecorder, MediaStreamTrack};

fn temp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("rtckit-core-containers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

/// One test at a time: fake devices are switched for the whole process, and recordings
/// count every frame of devices that run in real time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn microphone() -> MediaStreamTrack {
    device::use_fake_devices(true);
    device::get_user_media(Some(AudioConstraints::default()), None).unwrap().remove(0)
}

/// Records `tracks` into `path` until `frames` are written (video frames plus audio packets).
async fn record(path: &str, tracks: &[MediaStreamTrack], frames: u64) {
    let recorder = MediaRecorder::new(path).unwrap();
    for track in tracks {
        recorder.add_track(track).unwrap();
    }
    recorder.start().unwrap();
    let waited = std::time::Instant::now();
    while recorder.count() < frames && waited.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    recorder.stop().await.unwrap();
    assert!(recorder.count() >= frames, "{path}: {} written", recorder.count());
    tracks.iter().for_each(MediaStreamTrack::stop);
}

/// Every frame each track of a file plays, read locally until the tracks end.
async fn play_all(path: &str, options: &PlayerOptions) -> (Vec<MediaFrame>, Vec<MediaFrame>) {
    let player = MediaPlayer::open_with(path, options).unwrap();
    let read = |track: Option<MediaStreamTrack>| async move {
        let mut out = Vec::new();
        if let Some(track) = track {
            let mut frames = track.subscribe();
            while let Ok(frame) =
                tokio::time::timeout(Duration::from_secs(20), frames.recv()).await.expect("the file plays to its end")
            {
                out.push(frame);
            }
        }
        out
    };
    tokio::join!(read(player.video()), read(player.audio()))
}

/// The camera and the microphone into one file, played back: consecutive frame numbers and
/// the tone, each track with its own kind.
async fn camera_and_microphone_round_trip(name: &str) -> Vec<u32> {
    let path = temp(name);
    record(&path, &[fake_camera(320, 240), microphone()], 90).await;
    let (video, audio) = play_all(&path, &PlayerOptions::default()).await;
    let numbers = numbers(&video);
    assert!(numbers.len() >= 20, "{name}: {} video frames", numbers.len());
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{name}: {numbers:?}");
    assert!(video.iter().all(|f| matches!(f, MediaFrame::Video(v) if v.width() == 320 && v.height() == 240)));
    assert!(audio.len() >= 20, "{name}: {} audio frames", audio.len());
    let f = tone(&audio);
    assert!((f - 440.0).abs() <= 10.0, "{name}: dominant frequency {f} Hz");
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_and_microphone_into_webm_and_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    camera_and_microphone_round_trip("av.webm").await;
    let file = std::fs::read(temp("av.webm")).unwrap();
    assert_eq!(&file[..4], b"\x1a\x45\xdf\xa3", "an EBML header");
    assert!(file.windows(5).any(|w| w == b"V_VP8") && file.windows(6).any(|w| w == b"A_OPUS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_and_microphone_into_mp4_and_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    camera_and_microphone_round_trip("av.mp4").await;
    let file = std::fs::read(temp("av.mp4")).unwrap();
    assert_eq!(&file[4..8], b"ftyp");
    assert!(file.windows(4).any(|w| w == b"avc1") && file.windows(4).any(|w| w == b"Opus"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_into_a_png_sequence_and_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let pattern = temp("seq-%3d.png");
    record(&pattern, &[fake_camera(64, 48)], 12).await;
    // Numbered from 1, zero-padded to 3 digits, as ffmpeg's image2 writes.
    assert!(std::path::Path::new(&temp("seq-001.png")).is_file());
    assert!(!std::path::Path::new(&temp("seq-000.png")).exists());
    let options = PlayerOptions { options: vec![("framerate".into(), "50".into())], ..Default::default() };
    let (video, audio) = play_all(&pattern, &options).await;
    assert!(audio.is_empty());
    let numbers = numbers(&video);
    assert!(numbers.len() >= 12, "{numbers:?}");
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
    // One image plays as one frame.
    let (one, _) = play_all(&temp("seq-002.png"), &PlayerOptions::default()).await;
    assert_eq!(self::numbers(&one), vec![numbers[1]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_decoding_frames_carry_the_files_units() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let path = temp("forward.webm");
    record(&path, &[fake_camera(160, 120), microphone()], 40).await;
    let (decoded_video, decoded_audio) = play_all(&path, &PlayerOptions::default()).await;
    let options = PlayerOptions { decode: false, ..Default::default() };
    let (video, audio) = play_all(&path, &options).await;
    let units =
        |frames: &[MediaFrame]| frames.iter().map(|f| f.unit().expect("a unit").data.clone()).collect::<Vec<_>>();
    assert_eq!(units(&video), units(&decoded_video));
    assert_eq!(units(&audio), units(&decoded_audio));
    // Nothing was decoded: the pictures are blank, of the file's size.
    for frame in &video {
        let MediaFrame::Video(v) = frame else { panic!("video expected") };
        assert_eq!((v.width(), v.height()), (160, 120));
        assert!(v.i420()[..160 * 120].iter().all(|&y| y == 16), "black");
    }
    assert!(audio.iter().all(|f| matches!(f, MediaFrame::Audio(a) if a.samples().iter().all(|&s| s == 0))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorder_takes_one_track_of_each_kind() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (camera, other, mic) = (fake_camera(64, 48), fake_camera(64, 48), microphone());
    let recorder = MediaRecorder::new(&temp("two.webm")).unwrap();
    recorder.add_track(&camera).unwrap();
    recorder.add_track(&mic).unwrap();
    assert_eq!(recorder.add_track(&other).unwrap_err().kind, ErrorKind::InvalidStateError);
    let y4m = MediaRecorder::new(&temp("one.y4m")).unwrap();
    assert_eq!(y4m.add_track(&mic).unwrap_err().kind, ErrorKind::TypeError);
    // Stopped before any frame: the file is made, empty.
    recorder.start().unwrap();
    recorder.stop().await.unwrap();
    assert!(std::path::Path::new(&temp("two.webm")).exists());
    for track in [camera, other, mic] {
        track.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_names_and_files_get_their_error_kind() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let kind = |r: rtckit_core::Result<MediaPlayer>| r.err().map(|e| e.kind);
    let err = MediaPlayer::open(&temp("movie.avi"), false).err().unwrap();
    assert_eq!(err.kind, ErrorKind::NotSupportedError);
    assert!(err.message.contains(".webm") && err.message.contains(".mp4") && err.message.contains("%3d.png"), "{err}");
    assert_eq!(MediaRecorder::new(&temp("out.mkv")).err().map(|e| e.kind), Some(ErrorKind::NotSupportedError));
    assert_eq!(MediaRecorder::new(&temp("still.png")).err().map(|e| e.kind), Some(ErrorKind::SyntaxError));
    assert_eq!(kind(MediaPlayer::open(&temp("none-%3d.png"), false)), Some(ErrorKind::NotFoundError));
    let format = PlayerOptions { format: Some("avi".into()), ..Default::default() };
    assert_eq!(
        MediaPlayer::open_with(&temp("x.webm"), &format).err().map(|e| e.kind),
        Some(ErrorKind::NotSupportedError)
    );

    for (name, data) in [
        ("garbage.webm", b"not a webm file at all".to_vec()),
        ("garbage.mp4", b"\0\0\0\x0cftypisom\0\0\0\0\0\0\0\x08moov".to_vec()),
        ("garbage-%3d.png", Vec::new()),
    ] {
        let path = temp(name);
        let file = if name.contains('%') { temp("garbage-000.png") } else { path.clone() };
        std::fs::write(&file, if data.is_empty() { b"\x89PNG\r\n\x1a\n cut".to_vec() } else { data }).unwrap();
        let err = MediaPlayer::open(&path, false).err().unwrap();
        assert!(matches!(err.kind, ErrorKind::NotReadableError | ErrorKind::NotSupportedError), "{name}: {err}");
    }

    // Cut short: the header opens and plays what is there, then the tracks end.
    for name in ["cut.webm", "cut.mp4"] {
        let full = temp(&name.replace("cut", "whole"));
        record(&full, &[fake_camera(64, 48)], 20).await;
        let data = std::fs::read(&full).unwrap();
        std::fs::write(temp(name), &data[..data.len() * 2 / 3]).unwrap();
        match MediaPlayer::open(&temp(name), false) {
            Ok(player) => {
                let mut frames = player.video().unwrap().subscribe();
                let mut played = 0;
                while tokio::time::timeout(Duration::from_secs(20), frames.recv())
                    .await
                    .expect("the track ends")
                    .is_ok()
                {
                    played += 1;
                }
                assert!(played < 20, "{name}: {played} frames of a cut file");
            }
            Err(err) => assert_eq!(err.kind, ErrorKind::NotReadableError, "{name}: {err}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_by_its_v4l2_name() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let v4l2 = |size: &str| PlayerOptions {
        format: Some("v4l2".into()),
        options: vec![("video_size".into(), size.into()), ("framerate".into(), "30".into())],
        ..Default::default()
    };
    device::use_fake_devices(false);
    let missing = MediaPlayer::open_with("/dev/video-rtckit-missing", &v4l2("640x480")).err().unwrap();
    assert!(matches!(missing.kind, ErrorKind::NotFoundError | ErrorKind::NotReadableError), "{missing}");
    for bad in ["640", "640x", "axb", "0x480"] {
        let err = MediaPlayer::open_with("/dev/video0", &v4l2(bad)).err().unwrap();
        assert_eq!(err.kind, ErrorKind::SyntaxError, "{bad}: {err}");
    }
    // Fake devices stand in for the camera, at the size asked for.
    device::use_fake_devices(true);
    let player = MediaPlayer::open_with("/dev/video0", &v4l2("320x240")).unwrap();
    assert!(player.audio().is_none());
    let mut frames = player.video().unwrap().subscribe();
    let MediaFrame::Video(frame) = tokio::time::timeout(Duration::from_secs(5), frames.recv()).await.unwrap().unwrap()
    else {
        panic!("video expected")
    };
    assert_eq!((frame.width(), frame.height()), (320, 240));
    player.stop();
    assert!(tokio::time::timeout(Duration::from_secs(5), async { while frames.recv().await.is_ok() {} }).await.is_ok());
}
