//! TURN over TCP and TLS (`turn:host?transport=tcp`, `turns:host`). webrtc-rs speaks TURN over
//! UDP only, so each such server gets a relay on 127.0.0.1: webrtc-rs is given
//! `turn:127.0.0.1:PORT` and talks UDP to it, and the relay carries every datagram over a TCP
//! (or TLS) connection to the real server, one connection per local socket (a TURN allocation
//! belongs to its connection), and the server's messages back. The allocation, and the relay
//! candidate's address, are the real server's.
//!
//! On a stream, messages follow each other with no framing but their own (RFC 8656 §12.5): a
//! STUN message's length is in its header, a ChannelData message's too, padded there to a
//! multiple of four bytes (which UDP does not need).

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::configuration::IceServer;

/// Datagrams queued for a connection still being made, at most.
const QUEUED: usize = 64;
/// How long a connection (and a TLS handshake) may take: webrtc-rs's Allocate gives up first.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a stream server's relay listens, by the URL the user gave, and back.
#[derive(Default)]
pub(crate) struct TurnStreams {
    relays: HashMap<String, Relay>,
}

struct Relay {
    local: SocketAddr,
    local_url: String,
    task: JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A URL webrtc-rs cannot use as it is: TURN over TCP or TLS. Its (host, port, TLS).
fn stream_server(url: &str) -> Option<(String, u16, bool)> {
    let (scheme, rest) = url.split_once(':')?;
    let (address, query) = rest.split_once('?').map_or((rest, None), |(a, q)| (a, Some(q)));
    let tls = match scheme {
        "turns" => true,
        "turn" if query == Some("transport=tcp") => false,
        _ => return None,
    };
    let default = if tls { 5349 } else { 3478 };
    let (host, port) = match address.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':').map_or(Some(default), |p| p.parse().ok())?)
        }
        None => match address.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (address, default),
        },
    };
    Some((host.to_owned(), port, tls))
}

impl TurnStreams {
    /// Starts a relay for each stream server of `servers` not yet relayed, and stops those no
    /// longer named. Needs a tokio runtime.
    pub(crate) fn update(&mut self, servers: &[IceServer]) {
        let wanted: Vec<&String> =
            servers.iter().flat_map(|s| &s.urls).filter(|u| stream_server(u).is_some()).collect();
        self.relays.retain(|url, _| wanted.contains(&url));
        for url in wanted {
            if self.relays.contains_key(url) {
                continue;
            }
            let Some((host, port, tls)) = stream_server(url) else { continue };
            let socket = match std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|s| s.set_nonblocking(true).map(|_| s))
                .and_then(UdpSocket::from_std)
            {
                Ok(socket) => socket,
                Err(e) => {
                    log::warn!("no relay for {url}: {e}");
                    continue;
                }
            };
            let Ok(local) = socket.local_addr() else { continue };
            let task = tokio::spawn(relay(socket, host, port, tls));
            self.relays.insert(url.clone(), Relay { local, local_url: format!("turn:{local}?transport=udp"), task });
        }
    }

    /// The URL webrtc-rs is given for `url`: its relay's, or `url` itself.
    pub(crate) fn for_webrtc<'a>(&'a self, url: &'a str) -> &'a str {
        self.relays.get(url).map_or(url, |r| r.local_url.as_str())
    }

    /// The URL the user gave, for one webrtc-rs names (in an icecandidateerror).
    pub(crate) fn user_url(&self, webrtc_url: &str) -> Option<String> {
        let named = |r: &Relay| webrtc_url.split(['?', ' ']).next() == Some(format!("turn:{}", r.local).as_str());
        self.relays.iter().find(|(_, r)| named(r)).map(|(url, _)| url.clone())
    }
}

/// The relay: a connection per local socket that writes to it, made on its first datagram.
async fn relay(socket: UdpSocket, host: String, port: u16, tls: bool) {
    let socket = Arc::new(socket);
    let mut connections: HashMap<SocketAddr, mpsc::Sender<Vec<u8>>> = HashMap::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else { return };
        connections.retain(|_, tx| !tx.is_closed());
        let tx = connections.entry(from).or_insert_with(|| {
            let (tx, rx) = mpsc::channel(QUEUED);
            tokio::spawn(connection(socket.clone(), from, rx, host.clone(), port, tls));
            tx
        });
        // A full queue (a connection not made yet) drops, as UDP would; STUN retransmits.
        let _ = tx.try_send(buf[..n].to_vec());
    }
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

async fn connect(host: &str, port: u16, tls: bool) -> std::io::Result<Box<dyn Stream>> {
    let tcp = TcpStream::connect((host, port)).await?;
    let _ = tcp.set_nodelay(true);
    if !tls {
        return Ok(Box::new(tcp));
    }
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let stream = tokio_rustls::TlsConnector::from(tls_config()?).connect(name, tcp).await?;
    Ok(Box::new(stream))
}

/// Certificates are checked against the system's roots, or the file SSL_CERT_FILE names (as
/// OpenSSL does): how a test, or a private TURN deployment, trusts its own CA.
fn tls_config() -> std::io::Result<Arc<tokio_rustls::rustls::ClientConfig>> {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore};
    static CONFIG: std::sync::OnceLock<Result<Arc<ClientConfig>, String>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let files = match std::env::var("SSL_CERT_FILE") {
                Ok(file) if !file.is_empty() => vec![file],
                _ => ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
                    .map(String::from)
                    .to_vec(),
            };
            let mut roots = RootCertStore::empty();
            for file in &files {
                if let Ok(certs) = CertificateDer::pem_file_iter(file) {
                    for cert in certs.flatten() {
                        let _ = roots.add(cert);
                    }
                }
            }
            if roots.is_empty() {
                return Err(format!("no CA certificate found in {}", files.join(", ")));
            }
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(std::io::Error::other)
}

/// One local socket's connection: datagrams out, whole messages back.
async fn connection(
    socket: Arc<UdpSocket>,
    peer: SocketAddr,
    mut datagrams: mpsc::Receiver<Vec<u8>>,
    host: String,
    port: u16,
    tls: bool,
) {
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, connect(&host, port, tls)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return log::warn!("TURN over {}: {host}:{port}: {e}", if tls { "TLS" } else { "TCP" }),
        Err(_) => {
            return log::warn!("TURN over {}: {host}:{port}: no connection in 10 s", if tls { "TLS" } else { "TCP" })
        }
    };
    let (mut reader, mut writer) = tokio::io::split(stream);
    let outbound = async move {
        while let Some(mut datagram) = datagrams.recv().await {
            pad_channel_data(&mut datagram);
            if writer.write_all(&datagram).await.is_err() {
                return;
            }
        }
    };
    let inbound = async move {
        let mut pending: Vec<u8> = Vec::with_capacity(65536);
        let mut buf = vec![0u8; 65536];
        loop {
            let n = match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            pending.extend_from_slice(&buf[..n]);
            while let Some((length, padded)) = message_length(&pending) {
                if pending.len() < padded {
                    break;
                }
                let _ = socket.send_to(&pending[..length], peer).await;
                pending.drain(..padded);
            }
            if pending.len() >= 4 && message_length(&pending).is_none() {
                return log::warn!("TURN over a stream: {host}:{port} sent something neither STUN nor ChannelData");
            }
        }
    };
    tokio::select! {
        _ = outbound => {}
        _ = inbound => {}
    }
}

/// The length of the message `data` starts with, and with its padding: STUN (first two bits
/// 0) or ChannelData (01, channel numbers 0x4000-0x7FFF). None when `data` has no header yet,
/// or holds neither.
fn message_length(data: &[u8]) -> Option<(usize, usize)> {
    if data.len() < 4 {
        return None;
    }
    let length = u16::from_be_bytes([data[2], data[3]]) as usize;
    match data[0] >> 6 {
        0 => Some((20 + length, 20 + length)),
        1 => Some((4 + length, 4 + length.div_ceil(4) * 4)),
        _ => None,
    }
}

/// ChannelData goes over a stream padded to a multiple of four bytes.
fn pad_channel_data(datagram: &mut Vec<u8>) {
    if datagram.first().is_some_and(|b| b >> 6 == 1) {
        let padded = datagram.len().div_ceil(4) * 4;
        datagram.resize(padded, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tcp_and_tls_servers_get_a_relay() {
        assert_eq!(stream_server("turn:10.0.0.1?transport=tcp"), Some(("10.0.0.1".into(), 3478, false)));
        assert_eq!(stream_server("turn:h.example:3479?transport=tcp"), Some(("h.example".into(), 3479, false)));
        assert_eq!(stream_server("turns:h.example"), Some(("h.example".into(), 5349, true)));
        assert_eq!(stream_server("turns:[::1]:443?transport=tcp"), Some(("::1".into(), 443, true)));
        assert_eq!(stream_server("turn:10.0.0.1"), None);
        assert_eq!(stream_server("turn:10.0.0.1?transport=udp"), None);
        assert_eq!(stream_server("stun:10.0.0.1"), None);
    }

    #[test]
    fn messages_are_cut_by_their_own_lengths() {
        // A STUN header announcing 8 bytes of attributes, then ChannelData of 5 bytes (padded to 8).
        assert_eq!(message_length(&[0x01, 0x01, 0x00, 0x08]), Some((28, 28)));
        assert_eq!(message_length(&[0x40, 0x00, 0x00, 0x05]), Some((9, 12)));
        assert_eq!(message_length(&[0x40, 0x00]), None);
        assert_eq!(message_length(&[0xc0, 0x00, 0x00, 0x00]), None);
        let mut datagram = vec![0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5];
        pad_channel_data(&mut datagram);
        assert_eq!(datagram.len(), 12);
        let mut stun = vec![0x00, 0x01, 0x00, 0x00];
        pad_channel_data(&mut stun);
        assert_eq!(stun.len(), 4);
    }

    #[tokio::test]
    async fn a_stream_server_is_given_to_webrtc_as_its_relay_and_named_back() {
        let server = |url: &str| IceServer { urls: vec![url.into()], ..Default::default() };
        let mut streams = TurnStreams::default();
        streams.update(&[server("turns:turn.example"), server("turn:10.0.0.1")]);
        let local = streams.for_webrtc("turns:turn.example").to_owned();
        assert!(local.starts_with("turn:127.0.0.1:") && local.ends_with("?transport=udp"), "{local}");
        assert_eq!(streams.for_webrtc("turn:10.0.0.1"), "turn:10.0.0.1");
        let named = local.replace("?transport=udp", "");
        assert_eq!(streams.user_url(&named).as_deref(), Some("turns:turn.example"));
        assert_eq!(streams.user_url("turn:10.0.0.1:3478"), None);
        streams.update(&[]);
        assert_eq!(streams.for_webrtc("turns:turn.example"), "turns:turn.example");
    }
}
