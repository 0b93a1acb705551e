//! RTCConfiguration: the W3C dictionary (ICE servers and policies), @roamhq/wrtc's
//! `portRange` and rtckit's `bindAddresses`; what may change in setConfiguration.
//!
//! The configuration keeps what the user gave (getConfiguration returns it as set); webrtc-rs
//! gets only what it acts on: the ICE servers and the transport policy. It always bundles
//! and multiplexes RTCP, whatever the policies say (W3C allows a user agent to).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

use webrtc::peer_connection::{RTCConfiguration, RTCConfigurationBuilder, RTCIceServer, RTCIceTransportPolicy};

use crate::error::{Error, ErrorKind, Result};
use crate::turn_stream::TurnStreams;

/// Environment variable naming the default bind addresses (comma-separated IPs).
pub const BIND_ADDRESSES_ENV: &str = "RTCKIT_BIND_ADDRESSES";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
    /// `urls` was one string rather than a list: getConfiguration gives it back the same way.
    pub urls_as_string: bool,
    pub username: Option<String>,
    pub credential: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IceTransportPolicy {
    #[default]
    All,
    Relay,
}

impl IceTransportPolicy {
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "all" => Ok(Self::All),
            "relay" => Ok(Self::Relay),
            other => Err(Error::type_error(format!("iceTransportPolicy must be \"all\" or \"relay\", not {other:?}"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Relay => "relay",
        }
    }
}

/// W3C RTCBundlePolicy. Recorded as given; webrtc-rs bundles every section whatever it says,
/// which all three allow when the other side bundles (every browser does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BundlePolicy {
    #[default]
    Balanced,
    MaxCompat,
    MaxBundle,
}

impl BundlePolicy {
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "balanced" => Ok(Self::Balanced),
            "max-compat" => Ok(Self::MaxCompat),
            "max-bundle" => Ok(Self::MaxBundle),
            other => Err(Error::type_error(format!(
                "bundlePolicy must be \"balanced\", \"max-compat\" or \"max-bundle\", not {other:?}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Balanced => "balanced",
            Self::MaxCompat => "max-compat",
            Self::MaxBundle => "max-bundle",
        }
    }
}

/// W3C RTCRtcpMuxPolicy: "require" is its one value. libwebrtc's older "negotiate" (accept a
/// peer that does not multiplex) is NotSupportedError: webrtc-rs cannot do without it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RtcpMuxPolicy {
    #[default]
    Require,
}

impl RtcpMuxPolicy {
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "require" => Ok(Self::Require),
            "negotiate" => Err(Error::new(
                ErrorKind::NotSupportedError,
                "rtcpMuxPolicy \"negotiate\" is not supported: rtckit always multiplexes RTCP (\"require\")",
            )),
            other => Err(Error::type_error(format!("rtcpMuxPolicy must be \"require\", not {other:?}"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        "require"
    }
}

/// wrtc's `sdpSemantics`: rtckit speaks unified plan only.
pub fn check_sdp_semantics(value: &str) -> Result<()> {
    match value {
        "unified-plan" => Ok(()),
        "plan-b" => Err(Error::new(
            ErrorKind::NotSupportedError,
            "sdpSemantics \"plan-b\" is not supported: rtckit speaks \"unified-plan\", as browsers do",
        )),
        other => Err(Error::type_error(format!("sdpSemantics must be \"unified-plan\", not {other:?}"))),
    }
}

/// WebIDL's [EnforceRange] conversion of a number to an integer type whose largest value is
/// `max`: not finite or out of range is a TypeError; a fraction is dropped.
pub fn enforce_range(value: f64, max: u32, name: &str) -> Result<u32> {
    let whole = value.trunc();
    if !value.is_finite() || whole < 0.0 || whole > max as f64 {
        return Err(Error::type_error(format!("{name} must be an integer from 0 to {max}, not {value}")));
    }
    Ok(whole as u32)
}

/// wrtc's `portRange`: the local UDP ports host candidates may use. A missing bound is open
/// (0 and 65535), as in wrtc; each is kept as given for getConfiguration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortRange {
    pub min: Option<u16>,
    pub max: Option<u16>,
}

impl PortRange {
    /// From the numbers a binding was given (WebIDL unsigned short, [EnforceRange]).
    pub fn new(min: Option<f64>, max: Option<f64>) -> Result<Self> {
        let port = |v: Option<f64>, name| v.map(|v| enforce_range(v, 65535, name).map(|p| p as u16)).transpose();
        let range = Self { min: port(min, "portRange.min")?, max: port(max, "portRange.max")? };
        range.validate()?;
        Ok(range)
    }

    fn validate(&self) -> Result<()> {
        if self.low() > self.high() {
            return Err(Error::type_error(format!(
                "portRange.min ({}) is greater than portRange.max ({})",
                self.low(),
                self.high()
            )));
        }
        Ok(())
    }

    fn low(&self) -> u16 {
        self.min.unwrap_or(0)
    }

    fn high(&self) -> u16 {
        self.max.unwrap_or(u16::MAX)
    }

    /// A port of the range that `ip` can bind now, not in `taken`; 0 (any port) when the
    /// range is {0, 0}, as in libwebrtc.
    fn free_port(&self, ip: IpAddr, taken: &[SocketAddr]) -> Result<u16> {
        if self.high() == 0 {
            return Ok(0);
        }
        // Probed by binding: webrtc-rs binds the address itself, right after (a connection's
        // sockets are bound before build() returns, so the next connection sees them taken).
        (self.low().max(1)..=self.high())
            .find(|&port| {
                let addr = SocketAddr::new(ip, port);
                !taken.contains(&addr) && UdpSocket::bind(addr).is_ok()
            })
            .ok_or_else(|| {
                Error::operation(format!(
                    "no UDP port from {} to {} is free on {ip}; widen portRange",
                    self.low().max(1),
                    self.high()
                ))
            })
    }
}

/// What a binding hands over: the W3C fields, wrtc's `portRange` and rtckit's `bindAddresses`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configuration {
    pub ice_servers: Vec<IceServer>,
    pub ice_transport_policy: IceTransportPolicy,
    pub bundle_policy: BundlePolicy,
    pub rtcp_mux_policy: RtcpMuxPolicy,
    pub ice_candidate_pool_size: u8,
    /// `None`: any port.
    pub port_range: Option<PortRange>,
    /// Local IPs to gather host candidates on; `None` means RTCKIT_BIND_ADDRESSES or every
    /// interface.
    pub bind_addresses: Option<Vec<String>>,
}

/// One ICE server URL, checked as W3C's "validate an ICE server" does: the scheme, a host, and
/// at most the `?transport=udp|tcp` query (libwebrtc and wrtc accept it on stun: too, where it
/// means nothing; simple-peer's default servers carry it).
fn check_url(url: &str, server: &IceServer) -> Result<()> {
    let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
    if !matches!(scheme, "stun" | "stuns" | "turn" | "turns") {
        return Err(Error::syntax(format!(
            "{url:?} is not an ICE server URL: it must start with stun:, stuns:, turn: or turns:"
        )));
    }
    let (address, query) = match rest.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (rest, None),
    };
    if address.is_empty() {
        return Err(Error::syntax(format!("{url:?} names no host")));
    }
    if let Some(query) = query.filter(|q| !matches!(*q, "transport=udp" | "transport=tcp")) {
        return Err(Error::syntax(format!(
            "{url:?}: the only query an ICE server URL may have is ?transport=udp or ?transport=tcp, not ?{query}"
        )));
    }
    let parsed = if scheme.starts_with("stun") { address_only(url) } else { url };
    rtc::ice::url::Url::parse_url(parsed)
        .map_err(|e| Error::syntax(format!("{url:?} is not a valid ICE server URL ({e})")))?;
    if scheme.starts_with("turn") && (server.username.is_none() || server.credential.is_none()) {
        return Err(Error::new(
            ErrorKind::InvalidAccessError,
            format!("the TURN server {url:?} needs a username and a credential"),
        ));
    }
    Ok(())
}

/// A URL without its query: what a stun: URL means (webrtc-rs's URL parser refuses a query
/// there).
fn address_only(url: &str) -> &str {
    url.split_once('?').map_or(url, |(address, _)| address)
}

impl Configuration {
    /// Checks the configuration the way the W3C constructor does.
    pub fn validate(&self) -> Result<()> {
        for server in &self.ice_servers {
            if server.urls.is_empty() {
                return Err(Error::syntax("an iceServers entry has no urls"));
            }
            for url in &server.urls {
                check_url(url, server)?;
            }
        }
        if let Some(range) = &self.port_range {
            range.validate()?;
        }
        self.bind_ips()?;
        Ok(())
    }

    /// What setConfiguration makes of `next` (W3C "set a configuration"): the ICE servers and
    /// transport policy may change; the policies, the candidate pool size once a local
    /// description is set, and the sockets' ports and addresses may not
    /// (InvalidModificationError). `portRange` and `bindAddresses` left out keep their value.
    pub fn modified(&self, next: Configuration, has_local_description: bool) -> Result<Configuration> {
        next.validate()?;
        let refuse = |what: &str| {
            Err(Error::new(ErrorKind::InvalidModificationError, format!("setConfiguration cannot change {what}")))
        };
        if next.bundle_policy != self.bundle_policy {
            return refuse("bundlePolicy");
        }
        if next.rtcp_mux_policy != self.rtcp_mux_policy {
            return refuse("rtcpMuxPolicy");
        }
        if has_local_description && next.ice_candidate_pool_size != self.ice_candidate_pool_size {
            return refuse("iceCandidatePoolSize once setLocalDescription was called");
        }
        if next.port_range.is_some() && next.port_range != self.port_range {
            return refuse("portRange: the ports are bound when the RTCPeerConnection is created");
        }
        if next.bind_addresses.is_some() && next.bind_addresses != self.bind_addresses {
            return refuse("bindAddresses: the sockets are bound when the RTCPeerConnection is created");
        }
        Ok(Configuration { port_range: self.port_range, bind_addresses: self.bind_addresses.clone(), ..next })
    }

    /// The webrtc-rs configuration: the ICE servers (stun: URLs without their query) and the
    /// transport policy.
    /// TURN over TCP and TLS goes to its relay on loopback (see [`crate::turn_stream`]).
    pub(crate) fn to_webrtc(&self, streams: &TurnStreams) -> RTCConfiguration {
        let servers = self
            .ice_servers
            .iter()
            .map(|s| RTCIceServer {
                urls: s
                    .urls
                    .iter()
                    .map(|u| if u.starts_with("stun") { address_only(u) } else { streams.for_webrtc(u) }.to_owned())
                    .collect(),
                username: s.username.clone().unwrap_or_default(),
                credential: s.credential.clone().unwrap_or_default(),
            })
            .collect();
        let policy = match self.ice_transport_policy {
            IceTransportPolicy::All => RTCIceTransportPolicy::All,
            IceTransportPolicy::Relay => RTCIceTransportPolicy::Relay,
        };
        RTCConfigurationBuilder::default().with_ice_servers(servers).with_ice_transport_policy(policy).build()
    }

    /// webrtc-rs refuses to build a relay-only connection without a TURN server, which W3C
    /// allows (it gathers no candidate). Such a connection is built with "all" and switched to
    /// "relay" before it gathers: [`Self::relay_after_build`].
    pub(crate) fn to_webrtc_at_build(&self, streams: &TurnStreams) -> RTCConfiguration {
        match self.relay_after_build(streams) {
            Some(_) => {
                Configuration { ice_transport_policy: IceTransportPolicy::All, ..self.clone() }.to_webrtc(streams)
            }
            None => self.to_webrtc(streams),
        }
    }

    /// The configuration to set right after build, if [`Self::to_webrtc_at_build`] left out
    /// the relay policy.
    pub(crate) fn relay_after_build(&self, streams: &TurnStreams) -> Option<RTCConfiguration> {
        let has_turn = self.ice_servers.iter().flat_map(|s| &s.urls).any(|u| u.starts_with("turn"));
        (self.ice_transport_policy == IceTransportPolicy::Relay && !has_turn).then(|| self.to_webrtc(streams))
    }

    /// Explicit bind IPs: from the configuration, else from the environment.
    fn bind_ips(&self) -> Result<Option<Vec<IpAddr>>> {
        let listed: Vec<String> = match &self.bind_addresses {
            Some(list) => list.clone(),
            None => match std::env::var(BIND_ADDRESSES_ENV) {
                Ok(value) if !value.trim().is_empty() => {
                    value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
                }
                _ => return Ok(None),
            },
        };
        if listed.is_empty() {
            return Ok(None);
        }
        listed
            .iter()
            .map(|s| {
                s.parse::<IpAddr>()
                    .map_err(|_| Error::syntax(format!("bindAddresses entry {s:?} is not an IP address")))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// The UDP addresses a connection binds: each explicit IP, or every interface; on a
    /// machine where only loopback is up, 127.0.0.1 (as libwebrtc does). With a port range,
    /// each on a free port of it (webrtc-rs binds what it is given).
    pub(crate) fn udp_addrs(&self) -> Result<Vec<SocketAddr>> {
        let ips = match self.bind_ips()? {
            Some(ips) => ips,
            None => vec![IpAddr::V4(if has_routable_ipv4() { Ipv4Addr::UNSPECIFIED } else { Ipv4Addr::LOCALHOST })],
        };
        let mut addrs: Vec<SocketAddr> = Vec::new();
        for ip in ips {
            let port = match &self.port_range {
                Some(range) => range.free_port(ip, &addrs)?,
                None => 0,
            };
            addrs.push(SocketAddr::new(ip, port));
        }
        Ok(addrs)
    }
}

fn has_routable_ipv4() -> bool {
    rtc::shared::ifaces::ifaces()
        .map(|list| {
            list.iter().filter_map(|i| i.addr).any(|a| {
                let ip = a.ip();
                ip.is_ipv4() && !ip.is_loopback() && !ip.is_unspecified() && !is_link_local(&ip)
            })
        })
        .unwrap_or(false)
}

fn is_link_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str) -> IceServer {
        IceServer {
            urls: vec![url.into()],
            username: Some("u".into()),
            credential: Some("p".into()),
            ..Default::default()
        }
    }

    fn with(url: &str) -> Configuration {
        Configuration { ice_servers: vec![server(url)], ..Default::default() }
    }

    #[test]
    fn ice_urls_take_a_transport_query() {
        for url in [
            "stun:127.0.0.1:3478?transport=udp",
            "stun:example.org?transport=tcp",
            "turn:127.0.0.1?transport=tcp",
            "turn:h:3478?transport=udp",
            "turns:h?transport=tcp",
        ] {
            with(url).validate().unwrap_or_else(|e| panic!("{url}: {e}"));
        }
        for url in [
            "stun:h?transport=sctp",
            "stun:h?foo=bar",
            "turn:h?transport=udp&x=1",
            "turn:h?transport=quic",
            "http://h",
            "stun:",
            "stun:?transport=udp",
            "stun://h",
        ] {
            assert_eq!(with(url).validate().unwrap_err().kind, ErrorKind::SyntaxError, "{url}");
        }
        // webrtc-rs gets stun: without the query (its parser refuses one there), turn: with it
        // (TURN over TCP goes to its relay once one runs: turn_stream's tests).
        let urls: Vec<String> = Configuration {
            ice_servers: vec![server("stun:h:1?transport=udp"), server("turn:h:2?transport=tcp")],
            ..Default::default()
        }
        .to_webrtc(&Default::default())
        .ice_servers()
        .iter()
        .flat_map(|s| s.urls.clone())
        .collect();
        assert_eq!(urls, ["stun:h:1", "turn:h:2?transport=tcp"]);
    }

    #[test]
    fn port_ranges_are_checked_and_picked_from() {
        assert_eq!(PortRange::new(Some(5.0), Some(2.0)).unwrap_err().kind, ErrorKind::TypeError);
        assert_eq!(PortRange::new(Some(-1.0), None).unwrap_err().kind, ErrorKind::TypeError);
        assert_eq!(PortRange::new(None, Some(65536.0)).unwrap_err().kind, ErrorKind::TypeError);
        assert_eq!(PortRange::new(Some(f64::NAN), None).unwrap_err().kind, ErrorKind::TypeError);
        assert_eq!(PortRange::new(Some(7.9), None).unwrap(), PortRange { min: Some(7), max: None });
        // A port held by another socket is skipped.
        let held = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = held.local_addr().unwrap().port();
        let range = PortRange { min: Some(port), max: Some(port.saturating_add(50)) };
        let config = Configuration {
            port_range: Some(range),
            bind_addresses: Some(vec!["127.0.0.1".into()]),
            ..Default::default()
        };
        let picked = config.udp_addrs().unwrap()[0].port();
        assert!(picked > port && picked <= port.saturating_add(50), "{picked}");
        let full = PortRange { min: Some(port), max: Some(port) };
        assert!(full.free_port("127.0.0.1".parse().unwrap(), &[]).is_err());
    }

    #[test]
    fn set_configuration_keeps_what_cannot_change() {
        let base = Configuration {
            bundle_policy: BundlePolicy::MaxBundle,
            port_range: Some(PortRange { min: Some(50000), max: Some(50100) }),
            ..Default::default()
        };
        let same = base.modified(base.clone(), true).unwrap();
        assert_eq!(same, base);
        let kind = |c: Configuration, sld| base.modified(c, sld).unwrap_err().kind;
        assert_eq!(kind(Configuration::default(), false), ErrorKind::InvalidModificationError);
        let pool = Configuration { ice_candidate_pool_size: 2, ..base.clone() };
        assert_eq!(base.modified(pool.clone(), false).unwrap().ice_candidate_pool_size, 2);
        assert_eq!(kind(pool, true), ErrorKind::InvalidModificationError);
        assert_eq!(
            kind(Configuration { port_range: Some(PortRange::default()), ..base.clone() }, false),
            ErrorKind::InvalidModificationError
        );
        // Left out: kept.
        let kept = base
            .modified(
                Configuration { port_range: None, ice_transport_policy: IceTransportPolicy::Relay, ..base.clone() },
                true,
            )
            .unwrap();
        assert_eq!((kept.port_range, kept.ice_transport_policy), (base.port_range, IceTransportPolicy::Relay));
    }
}
