//! Media between two rtckit peers over real DTLS/SRTP on 127.0.0.1: each video codec forced
//! by munging the offer (the codecs left are the only ones negotiable), and the fake
//! microphone's 440 Hz tone through Opus and G.711.

use std::time::Duration;

mod common;

use common::{call, config, dominant_frequency, fake_camera};
use rtckit_core::device::{self, read_frame_number, AudioConstraints, VideoConstraints};
use rtckit_core::{MediaFrame, PeerConnection, PeerConnectionEvent};

async fn frame_numbers(codec: &str) {
    let camera = fake_camera(320, 240);
    let (a, b, remote) = call(&camera, codec).await;
    let mut frames = remote.subscribe();
    let mut numbers = Vec::new();
    while numbers.len() < 20 {
        let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv()).await.expect("frames").unwrap();
        let MediaFrame::Video(frame) = frame else { panic!("video expected") };
        assert_eq!((frame.width(), frame.height()), (320, 240));
        numbers.push(read_frame_number(&frame));
    }
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{codec}: {numbers:?}");
    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vp8_carries_the_camera_in_order() {
    frame_numbers("VP8").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vp9_carries_the_camera_in_order() {
    frame_numbers("VP9").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h264_carries_the_camera_in_order() {
    frame_numbers("H264").await;
}

async fn tone(codec: &str, rate: u32) {
    device::use_fake_devices(true);
    let microphone = device::get_user_media(Some(AudioConstraints::default()), None).unwrap().remove(0);
    let (a, b, remote) = call(&microphone, codec).await;
    let mut frames = remote.subscribe();
    let mut samples = Vec::new();
    // Half a second of what arrived, after the first 100 ms (the codec settling).
    let mut skipped = 0;
    while samples.len() < rate as usize / 2 {
        let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv()).await.expect("audio").unwrap();
        let MediaFrame::Audio(frame) = frame else { panic!("audio expected") };
        assert_eq!(frame.sample_rate(), rate);
        if skipped < rate as usize / 10 {
            skipped += frame.samples_per_channel();
            continue;
        }
        let ch = frame.channels() as usize;
        samples.extend(frame.samples().chunks_exact(ch).map(|s| s[0] as f64));
    }
    let peak = samples.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    assert!(peak > 1000.0, "{codec}: silence (peak {peak})");
    let f = dominant_frequency(&samples, rate as f64);
    assert!((f - 440.0).abs() <= 10.0, "{codec}: dominant frequency {f} Hz");
    microphone.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opus_carries_the_tone() {
    tone("opus", 48_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcmu_carries_the_tone() {
    tone("PCMU", 8_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcma_carries_the_tone() {
    tone("PCMA", 8_000).await;
}

/// Renegotiates with a offering (after addTrack or removeTrack).
async fn renegotiate(a: &PeerConnection, b: &PeerConnection) {
    a.set_local_description(None).await.unwrap();
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
}

async fn next_video(frames: &mut rtckit_core::FrameReceiver) -> rtckit_core::VideoFrame {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv()).await.expect("a frame").unwrap();
        if let MediaFrame::Video(frame) = frame {
            return frame;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_track_switches_pictures_and_remove_track_mutes_the_remote_track() {
    let camera = fake_camera(320, 240);
    let (a, b, remote) = call(&camera, "VP8").await;
    let mut frames = remote.subscribe();
    assert_eq!(next_video(&mut frames).await.width(), 320);

    // replaceTrack: a pushed 160x120 source takes over the same RTP stream, no renegotiation.
    let source = rtckit_core::MediaSource::new(rtckit_core::TrackKind::Video, "pushed");
    let pushed = source.create_track().unwrap();
    let sender = a.get_senders().remove(0);
    assert_eq!(sender.track().unwrap().id(), camera.id());
    sender.replace_track(Some(&pushed)).unwrap();
    assert_eq!(sender.track().unwrap().id(), pushed.id());
    let microphone = device::get_user_media(Some(AudioConstraints::default()), None).unwrap().remove(0);
    assert_eq!(sender.replace_track(Some(&microphone)).unwrap_err().kind, rtckit_core::ErrorKind::TypeError);
    let feeder = source.clone();
    let pusher = tokio::spawn(async move {
        for _ in 0..300 {
            if feeder.push(MediaFrame::Video(rtckit_core::VideoFrame::black(160, 120).unwrap())).is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut seen = 0;
    while next_video(&mut frames).await.width() != 160 {
        seen += 1;
        assert!(seen < 200, "the replacement's frames never arrived");
    }

    // removeTrack + renegotiation: the remote track is muted (W3C), and the sender stays,
    // trackless.
    a.remove_track(&sender).await.unwrap();
    assert!(sender.track().is_none());
    assert_eq!(a.get_senders().len(), 1);
    renegotiate(&a, &b).await;
    assert!(remote.muted());
    assert_eq!(remote.ready_state(), "live");
    let other = PeerConnection::build(config()).await.unwrap();
    assert_eq!(other.remove_track(&sender).await.unwrap_err().kind, rtckit_core::ErrorKind::InvalidAccessError);
    source.close();
    pusher.await.unwrap();
    for track in [camera, microphone] {
        track.stop();
    }
    for pc in [a, b, other] {
        pc.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transceivers_with_codec_preferences_and_directions() {
    use rtckit_core::codec::capabilities;
    use rtckit_core::TrackKind;
    let camera = fake_camera(320, 240);
    let video = capabilities(TrackKind::Video);
    let mimes: Vec<&str> = video.iter().map(|c| c.mime_type.as_str()).collect();
    assert_eq!(mimes, ["video/VP8", "video/rtx", "video/VP9", "video/H264", "video/H264"]);
    assert!(capabilities(TrackKind::Audio).iter().any(|c| c.mime_type == "audio/opus" && c.channels == Some(2)));

    let a = PeerConnection::build(config()).await.unwrap();
    let b = PeerConnection::build(config()).await.unwrap();
    let sending = a.add_transceiver_of_track(&camera, "sendonly", vec!["s".into()]).await.unwrap();
    let receiving = a.add_transceiver_of_kind(TrackKind::Audio, "recvonly").await.unwrap();
    assert_eq!(
        (sending.kind(), sending.direction(), sending.current_direction()),
        (TrackKind::Video, "sendonly", None)
    );
    assert!(sending.sender().track().is_some() && receiving.sender().track().is_none());
    assert_eq!(receiving.kind(), TrackKind::Audio);
    assert_eq!(sending.set_direction("sideways").unwrap_err().kind, rtckit_core::ErrorKind::TypeError);
    // H.264 (and its RTX) only; an audio codec on a video transceiver is refused.
    let h264: Vec<_> = video.iter().filter(|c| c.mime_type != "video/VP8").cloned().collect();
    sending.set_codec_preferences(&h264).unwrap();
    let opus = capabilities(TrackKind::Audio).remove(0);
    assert_eq!(
        sending.set_codec_preferences(&[opus]).unwrap_err().kind,
        rtckit_core::ErrorKind::InvalidModificationError
    );

    a.set_local_description(None).await.unwrap();
    while a.states().ice_gathering != "complete" {
        a.next_events().await;
    }
    let offer = a.local_description().await.unwrap();
    assert!(!offer.sdp.contains("VP8") && offer.sdp.contains("H264/90000"), "{}", offer.sdp);
    b.set_remote_description(offer).await.unwrap();
    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
    assert_eq!(sending.current_direction(), Some("sendonly"));
    // b has nothing to send on the audio it was asked for: W3C's answer (and aiortc's, and
    // Chrome's) is "inactive" there.
    assert_eq!(receiving.current_direction(), Some("inactive"));
    assert_eq!(sending.mid().as_deref(), Some("0"));
    let theirs = b.get_transceivers().await;
    assert_eq!(theirs.len(), 2);
    assert_eq!((theirs[0].kind(), theirs[0].current_direction()), (TrackKind::Video, Some("recvonly")));
    assert_eq!(
        a.get_transceivers().await.iter().map(|t| t.key()).collect::<Vec<_>>(),
        [sending.key(), receiving.key()]
    );

    let remote = loop {
        let events = tokio::time::timeout(Duration::from_secs(10), b.next_events()).await.expect("track event");
        if let Some(PeerConnectionEvent::Track(t, _)) = events.into_iter().find(|e| e.name() == "track") {
            break t;
        }
    };
    let mut frames = remote.subscribe();
    let frame = next_video(&mut frames).await;
    assert_eq!((frame.width(), frame.height()), (320, 240));

    // stop(): "stopped" at once; after renegotiation the other side's track ends.
    sending.stop().unwrap();
    assert_eq!((sending.direction(), sending.current_direction()), ("stopped", Some("stopped")));
    renegotiate(&a, &b).await;
    tokio::time::timeout(Duration::from_secs(10), async { while frames.recv().await.is_ok() {} })
        .await
        .expect("the remote track ends");
    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}

/// Payload bytes per frame over the next `frames` frames the sender encodes.
async fn bytes_per_frame(sender: &rtckit_core::rtp_sender::RtpSender, frames: u64) -> u64 {
    let (f0, b0) = (sender.frames_encoded(), sender.bytes_sent());
    tokio::time::timeout(Duration::from_secs(20), async {
        while sender.frames_encoded() < f0 + frames {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("frames encoded");
    (sender.bytes_sent() - b0) / (sender.frames_encoded() - f0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_bitrate_caps_the_encoder() {
    device::use_fake_devices(true);
    let camera = device::get_user_media(None, Some(VideoConstraints::default())).unwrap().remove(0); // 640x480
    let (a, b, _remote) = call(&camera, "VP8").await;
    let sender = a.get_senders().remove(0);
    let parameters = sender.get_parameters();
    assert_eq!(parameters.max_bitrate, None);
    assert_eq!(parameters.codecs[0].1.mime_type, "video/VP8");
    bytes_per_frame(&sender, 10).await; // past the first key frame
    let free = bytes_per_frame(&sender, 30).await;
    sender.set_max_bitrate(Some(150_000)).unwrap();
    assert_eq!(sender.get_parameters().max_bitrate, Some(150_000));
    bytes_per_frame(&sender, 10).await; // past the key frame that opens the capped encoder
    let capped = bytes_per_frame(&sender, 30).await;
    assert!(capped * 2 < free, "capped at 150 kbit/s: {capped} bytes a frame, free: {free}");
    assert_eq!(sender.set_max_bitrate(Some(0)).unwrap_err().kind, rtckit_core::ErrorKind::RangeError);
    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}
