//! A fake-camera track sent as H.264 from one rtckit peer arrives decoded at the other,
//! at its size and with its frame numbers in order.

use std::time::Duration;

use rtckit_core::device::{self, read_frame_number, VideoConstraints};
use rtckit_core::{Configuration, MediaFrame, PeerConnection, PeerConnectionEvent};

fn config() -> Configuration {
    Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_camera_frames_arrive_decoded_in_order() {
    device::use_fake_devices(true);
    let mut constraints = VideoConstraints::default();
    constraints.width.ideal = Some(320.0);
    constraints.height.ideal = Some(240.0);
    let camera = device::get_user_media(None, Some(constraints)).unwrap().remove(0);
    let a = PeerConnection::build(config()).await.unwrap();
    let b = PeerConnection::build(config()).await.unwrap();
    a.add_track(&camera, vec!["cam".into()]).await.unwrap();
    a.set_local_description(None).await.unwrap();
    while a.states().ice_gathering != "complete" {
        a.next_events().await;
    }
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
    let (remote, streams) = loop {
        let events = tokio::time::timeout(Duration::from_secs(10), b.next_events()).await.expect("track event");
        if let Some(PeerConnectionEvent::Track(t, s)) = events.into_iter().find(|e| e.name() == "track") {
            break (t, s);
        }
    };
    // The remote stream has the sender's stream id, and holds the track.
    assert_eq!(streams.iter().map(|s| s.id().to_owned()).collect::<Vec<_>>(), ["cam"]);
    assert_eq!(streams[0].tracks().iter().map(|t| t.id().to_owned()).collect::<Vec<_>>(), [remote.id().to_owned()]);
    let mut frames = remote.subscribe();
    let mut numbers = Vec::new();
    while numbers.len() < 30 {
        let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv()).await.expect("frames").unwrap();
        let MediaFrame::Video(frame) = frame else { panic!("video expected") };
        assert_eq!((frame.width(), frame.height()), (320, 240));
        numbers.push(read_frame_number(&frame));
    }
    eprintln!("frame numbers: {numbers:?}");
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    camera.stop();
    a.close().await.unwrap();
    b.close().await.unwrap();
}
