//! The data-channel rows of bench/ (S1 connect, S3 ping-pong) between two core peers with no
//! binding: the floor the Python and Node figures are measured against. Their difference is
//! what crossing into each language costs (two crossings a round trip).
//! `cargo run --release -p rtckit-core --example data_loop`

use std::time::{Duration, Instant};

use bytes::Bytes;
use rtckit_core::{Configuration, DataChannel, DataChannelEvent, DataChannelInit, PeerConnection, PeerConnectionEvent};

fn config() -> Configuration {
    Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() }
}

async fn until_open(dc: &DataChannel) {
    loop {
        let batch = tokio::time::timeout(Duration::from_secs(10), dc.next_events()).await.expect("open in time");
        if batch.iter().any(|e| matches!(e, DataChannelEvent::Open)) {
            return;
        }
        assert!(!batch.is_empty(), "the channel ended before it opened");
    }
}

/// Two peers, trickle ICE as the bench does it, until both ends of a channel are open.
async fn open_pair() -> (PeerConnection, PeerConnection, DataChannel, DataChannel) {
    let (a, b) = (PeerConnection::build(config()).await.unwrap(), PeerConnection::build(config()).await.unwrap());
    let dc = a.create_data_channel("bench", DataChannelInit::default()).await.unwrap();
    a.set_local_description(None).await.unwrap();
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    b.set_local_description(None).await.unwrap();
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
    // Trickle: each side's candidates to the other as they come, the other's channel too.
    let (mut remote, mut a_done, mut b_done) = (None, false, false);
    while remote.is_none() || !a_done || !b_done {
        tokio::select! {
            events = a.next_events(), if !a_done => for e in events {
                if let PeerConnectionEvent::IceCandidate(c) = e {
                    a_done |= c.is_none();
                    b.add_ice_candidate(c).await.unwrap();
                }
            },
            events = b.next_events() => for e in events {
                match e {
                    PeerConnectionEvent::IceCandidate(c) => {
                        b_done |= c.is_none();
                        a.add_ice_candidate(c).await.unwrap();
                    }
                    PeerConnectionEvent::DataChannel(ch) => remote = Some(ch),
                    _ => {}
                }
            },
        }
    }
    until_open(&dc).await;
    (a, b, dc, remote.unwrap())
}

async fn next_message(dc: &DataChannel, pending: &mut Vec<DataChannelEvent>) -> Bytes {
    loop {
        if let Some(pos) = pending.iter().position(|e| matches!(e, DataChannelEvent::Message(_))) {
            if let DataChannelEvent::Message(m) = pending.remove(pos) {
                return m.data;
            }
        }
        pending
            .extend(tokio::time::timeout(Duration::from_secs(10), dc.next_events()).await.expect("a message in time"));
    }
}

fn main() {
    rtckit_core::runtime::block_on(async {
        let mut connects = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let (a, b, _, _) = open_pair().await;
            connects.push(started.elapsed());
            a.close().await.unwrap();
            b.close().await.unwrap();
        }
        connects.sort();
        println!(
            "S1 connect: median {:.2} ms, p90 {:.2} ms",
            connects[10].as_secs_f64() * 1e3,
            connects[18].as_secs_f64() * 1e3
        );

        let (a, b, dc, remote) = open_pair().await;
        let echo = tokio::spawn(async move {
            let mut pending = Vec::new();
            loop {
                let data = next_message(&remote, &mut pending).await;
                if data.is_empty() {
                    return;
                }
                remote.send(data, false).unwrap();
            }
        });
        let (mut pending, mut rtts) = (Vec::new(), Vec::new());
        for _ in 0..1000 {
            let started = Instant::now();
            dc.send(Bytes::from_static(&[7; 32]), false).unwrap();
            next_message(&dc, &mut pending).await;
            rtts.push(started.elapsed());
        }
        dc.send(Bytes::new(), false).unwrap();
        echo.await.unwrap();
        rtts.sort();
        println!(
            "S3 ping-pong: median {:.0} us, p99 {:.0} us",
            rtts[500].as_secs_f64() * 1e6,
            rtts[990].as_secs_f64() * 1e6
        );
        a.close().await.unwrap();
        b.close().await.unwrap();
    });
}
