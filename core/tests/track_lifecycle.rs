//! The W3C remote-track lifecycle, which both bindings present as it is: a receiving
//! transceiver's track exists from the start, muted; `track` is queued while
//! setRemoteDescription applies the offer (before it returns), for the transceiver's own
//! receiver track; media unmutes it; a rejected m-section (the sender stopped its
//! transceiver) ends it.

mod common;

use std::time::Duration;

use common::{config, fake_camera};
use rtckit_core::{PeerConnection, PeerConnectionEvent, TrackEvent, TrackKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_tracks_follow_the_w3c_lifecycle() {
    let camera = fake_camera(160, 120);
    let a = PeerConnection::build(config()).await.unwrap();
    let b = PeerConnection::build(config()).await.unwrap();
    let receiving = a.add_transceiver_of_kind(TrackKind::Audio, "recvonly").await.unwrap();
    let waiting = receiving.receiver_track();
    assert_eq!((waiting.kind(), waiting.muted(), waiting.ready_state()), (TrackKind::Audio, true, "live"));
    let sending = a.add_transceiver_of_track(&camera, "sendonly", vec!["cam".into()]).await.unwrap();

    a.set_local_description(None).await.unwrap();
    while a.states().ice_gathering != "complete" {
        a.next_events().await;
    }
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    // Queued before the promise resolved: one track event, for the video section only (the
    // audio one is recvonly: a sends nothing there), with the sender's stream.
    let (events, _) = b.take_events();
    let tracks: Vec<_> = events
        .into_iter()
        .filter_map(|e| match e {
            PeerConnectionEvent::Track(track, streams) => Some((track, streams)),
            _ => None,
        })
        .collect();
    assert_eq!(tracks.len(), 1);
    let (remote, streams) = &tracks[0];
    assert_eq!(remote.kind(), TrackKind::Video);
    assert_eq!(streams.iter().map(|s| s.id().to_owned()).collect::<Vec<_>>(), ["cam"]);
    assert_eq!(streams[0].tracks()[0].id(), remote.id());
    let theirs = b.get_transceivers().await;
    assert_eq!(theirs.len(), 2);
    assert_eq!(theirs[1].receiver_track().id(), remote.id());
    assert!(remote.muted());
    // b answers with nothing to send on the audio section either: that track never fires.
    assert!(theirs[0].sender().track().is_none());

    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
    let mut frames = remote.subscribe();
    tokio::time::timeout(Duration::from_secs(10), frames.recv()).await.expect("a frame").unwrap();
    assert!(!remote.muted());
    let (events, _) = remote.take_events();
    assert!(events.contains(&TrackEvent::Unmute), "{events:?}");

    // The sender stops its transceiver: the answer rejects the section, the track ends.
    sending.stop().unwrap();
    a.set_local_description(None).await.unwrap();
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    assert_eq!(remote.ready_state(), "ended");
    let (events, _) = remote.take_events();
    assert_eq!(events, [TrackEvent::Ended]);
    assert!(theirs[1].is_stopped());
    assert_eq!(waiting.ready_state(), "live");
    camera.stop();
    a.close().await.unwrap();
    assert_eq!(waiting.ready_state(), "ended");
    b.close().await.unwrap();
}
