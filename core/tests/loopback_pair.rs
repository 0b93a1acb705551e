//! Two rtckit peers on 127.0.0.1 connect, open a channel and echo messages intact and in
//! order; closing one side closes the channel on the other.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rtckit_core::{
    Configuration, DataChannel, DataChannelEvent, DataChannelInit, PeerConnection, PeerConnectionEvent, ReadyState,
};

fn config() -> Configuration {
    Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() }
}

async fn wait_channel_event(dc: &DataChannel, pending: &mut Vec<DataChannelEvent>, name: &str) -> DataChannelEvent {
    loop {
        if let Some(pos) = pending.iter().position(|e| e.name() == name) {
            return pending.remove(pos);
        }
        let batch = tokio::time::timeout(Duration::from_secs(10), dc.next_events())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {name}"));
        assert!(!batch.is_empty(), "channel stream ended waiting for {name}");
        pending.extend(batch);
    }
}

async fn connect() -> (PeerConnection, PeerConnection, DataChannel, DataChannel, Duration) {
    let started = Instant::now();
    let a = PeerConnection::build(config()).await.unwrap();
    let b = PeerConnection::build(config()).await.unwrap();
    eprintln!("built: {:?}", started.elapsed());
    let dc = a.create_data_channel("chat", DataChannelInit::default()).await.unwrap();
    a.set_local_description(None).await.unwrap();
    // Non-trickle: wait for gathering to complete.
    loop {
        if a.states().ice_gathering == "complete" {
            break;
        }
        a.next_events().await;
    }
    b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
    b.set_local_description(None).await.unwrap();
    loop {
        if b.states().ice_gathering == "complete" {
            break;
        }
        let evs = b.next_events().await;
        assert!(!evs.is_empty());
    }
    eprintln!("both gathered: {:?}", started.elapsed());
    a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
    eprintln!("answer applied: {:?}", started.elapsed());
    while a.states().connection != "connected" {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    eprintln!("connected: {:?}", started.elapsed());
    let mut pending = Vec::new();
    wait_channel_event(&dc, &mut pending, "open").await;
    let elapsed = started.elapsed();
    let remote = loop {
        let evs = tokio::time::timeout(Duration::from_secs(10), b.next_events()).await.unwrap();
        if let Some(PeerConnectionEvent::DataChannel(ch)) =
            evs.into_iter().find(|e| matches!(e, PeerConnectionEvent::DataChannel(_)))
        {
            break ch;
        }
    };
    (a, b, dc, remote, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_in_order_and_close_reaches_the_other_side() {
    let (a, b, dc, remote, elapsed) = connect().await;
    eprintln!("connect + open: {elapsed:?}");
    assert_eq!(remote.label(), "chat");
    assert_eq!(remote.ready_state(), ReadyState::Open);
    assert!(dc.id().is_some(), "stream id assigned once open");
    assert_eq!(dc.id(), remote.id());

    for i in 0..100u32 {
        let text = i % 2 == 0;
        let payload = if text { format!("msg {i}").into_bytes() } else { i.to_be_bytes().to_vec() };
        dc.send(Bytes::from(payload), text).unwrap();
    }
    dc.send(Bytes::new(), true).unwrap();
    eprintln!("max message size: {}", dc.max_message_size());
    let err = dc.send(Bytes::from(vec![7u8; dc.max_message_size() + 1]), false).unwrap_err();
    assert_eq!(err.kind, rtckit_core::ErrorKind::TypeError);
    let mut got = Vec::new();
    while got.len() < 101 {
        for e in remote.next_events().await {
            if let DataChannelEvent::Message(m) = e {
                got.push(m);
            }
        }
    }
    for (i, m) in got.iter().take(100).enumerate() {
        let text = i % 2 == 0;
        assert_eq!(m.is_string, text);
        if text {
            assert_eq!(&m.data[..], format!("msg {i}").as_bytes());
        } else {
            assert_eq!(&m.data[..], &(i as u32).to_be_bytes());
        }
    }
    assert!(got[100].is_string && got[100].data.is_empty());

    // Throughput, informational.
    let chunk = Bytes::from(vec![1u8; 16 * 1024]);
    let total = 32 * 1024 * 1024;
    let t = Instant::now();
    let mut sent = 0;
    dc.set_buffered_amount_low_threshold(1 << 20);
    let mut received = 0;
    while received < total {
        while sent < total && dc.buffered_amount() < 4 << 20 {
            dc.send(chunk.clone(), false).unwrap();
            sent += chunk.len();
        }
        let evs = tokio::time::timeout(Duration::from_secs(10), remote.next_events()).await.expect("stalled");
        for e in evs {
            if let DataChannelEvent::Message(m) = e {
                received += m.data.len();
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!("throughput: {:.1} MB/s", total as f64 / secs / 1e6);

    a.close().await.unwrap();
    let mut pending = Vec::new();
    wait_channel_event(&remote, &mut pending, "close").await;
    assert_eq!(remote.ready_state(), ReadyState::Closed);
    assert_eq!(dc.ready_state(), ReadyState::Closed);
    b.close().await.unwrap();
}
