//! Remote mDNS candidates: a browser on a LAN hides its address behind a random
//! `<uuid>.local` name (draft-ietf-mmusic-mdns-ice-candidates), which only a multicast query
//! on the link can resolve.
//!
//! webrtc-rs can resolve them itself, but then every connection holds a socket on port 5353,
//! and building a connection fails outright where the host has no multicast route (a
//! namespace, a container). Here a name is resolved only when one arrives, with rtc-mdns'
//! sans-IO client on a socket of its own; a name that cannot be resolved is ignored, as
//! the draft and browsers do, with a warning that says why.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use rtc::mdns::{Mdns, MdnsConfig, MdnsEvent, MulticastSocket};
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};

/// How long a name may take to answer (queries are repeated every half second meanwhile).
pub(crate) const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The address `name` stands for on this link, or why there is none.
pub(crate) async fn resolve(name: &str) -> Result<IpAddr, String> {
    let socket = MulticastSocket::new()
        .into_std()
        .and_then(|s| {
            s.set_nonblocking(true)?;
            tokio::net::UdpSocket::from_std(s)
        })
        .map_err(|e| format!("there is no multicast route to ask on (joining 224.0.0.251:5353 failed: {e})"))?;
    let local_addr = socket.local_addr().map_err(|e| e.to_string())?;
    let config = MdnsConfig::new().with_query_interval(Duration::from_millis(500)).with_query_timeout(RESOLVE_TIMEOUT);
    let mut mdns = Mdns::new(Instant::now(), config);
    let query = mdns.query_now(Instant::now(), name);
    let mut buf = vec![0u8; 9000];
    loop {
        while let Some(packet) = mdns.poll_write() {
            if let Err(e) = socket.send_to(&packet.message, packet.transport.peer_addr).await {
                return Err(format!("sending the query failed: {e}"));
            }
        }
        while let Some(event) = mdns.poll_event() {
            match event {
                MdnsEvent::QueryAnswered(id, ip) if id == query => return Ok(ip),
                MdnsEvent::QueryTimeout(id) if id == query => {
                    return Err(format!("nobody answered for it in {} s", RESOLVE_TIMEOUT.as_secs()))
                }
                _ => {}
            }
        }
        let wake = mdns.poll_timeout().unwrap_or_else(|| Instant::now() + RESOLVE_TIMEOUT);
        tokio::select! {
            received = socket.recv_from(&mut buf) => {
                let (n, from) = received.map_err(|e| format!("reading answers failed: {e}"))?;
                let _ = mdns.handle_read(TaggedBytesMut {
                    now: Instant::now(),
                    transport: TransportContext {
                        local_addr,
                        peer_addr: from,
                        transport_protocol: TransportProtocol::UDP,
                        ecn: None,
                    },
                    message: BytesMut::from(&buf[..n]),
                });
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let _ = mdns.handle_timeout(Instant::now());
            }
        }
    }
}
