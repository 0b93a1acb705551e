//! RTCConfiguration: ICE servers, transport policy and where host candidates are gathered.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use webrtc::peer_connection::{RTCConfiguration, RTCConfigurationBuilder, RTCIceServer, RTCIceTransportPolicy};

use crate::error::{Error, ErrorKind, Result};

/// Environment variable naming the default bind addresses (comma-separated IPs).
pub const BIND_ADDRESSES_ENV: &str = "RTCKIT_BIND_ADDRESSES";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
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
            other => Err(Error::type_error(format!(
                "iceTransportPolicy must be \"all\" or \"relay\", not {other:?}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Relay => "relay",
        }
    }
}

/// What a binding hands over: the W3C fields rtckit implements plus `bindAddresses`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configuration {
    pub ice_servers: Vec<IceServer>,
    pub ice_transport_policy: IceTransportPolicy,
    /// Local IPs to gather host candidates on; `None` means RTCKIT_BIND_ADDRESSES or every
    /// interface.
    pub bind_addresses: Option<Vec<String>>,
}

impl Configuration {
    /// Checks the configuration the way the W3C constructor does.
    pub fn validate(&self) -> Result<()> {
        for server in &self.ice_servers {
            if server.urls.is_empty() {
                return Err(Error::syntax("an iceServers entry has no urls"));
            }
            for url in &server.urls {
                let scheme = url.split(':').next().unwrap_or("");
                match scheme {
                    "stun" | "stuns" => {}
                    "turn" | "turns" => {
                        if server.username.is_none() || server.credential.is_none() {
                            return Err(Error::new(
                                ErrorKind::InvalidAccessError,
                                format!("the TURN server {url:?} needs a username and a credential"),
                            ));
                        }
                    }
                    _ => {
                        return Err(Error::syntax(format!(
                            "{url:?} is not an ICE server URL: it must start with stun:, stuns:, turn: or turns:"
                        )))
                    }
                }
                if url.len() <= scheme.len() + 1 {
                    return Err(Error::syntax(format!("{url:?} names no host")));
                }
            }
        }
        self.bind_ips()?;
        Ok(())
    }

    /// The webrtc-rs configuration.
    pub(crate) fn to_webrtc(&self) -> RTCConfiguration {
        let servers = self
            .ice_servers
            .iter()
            .map(|s| RTCIceServer {
                urls: s.urls.clone(),
                username: s.username.clone().unwrap_or_default(),
                credential: s.credential.clone().unwrap_or_default(),
                ..Default::default()
            })
            .collect();
        let policy = match self.ice_transport_policy {
            IceTransportPolicy::All => RTCIceTransportPolicy::All,
            IceTransportPolicy::Relay => RTCIceTransportPolicy::Relay,
        };
        RTCConfigurationBuilder::default()
            .with_ice_servers(servers)
            .with_ice_transport_policy(policy)
            .build()
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
                s.parse::<IpAddr>().map_err(|_| {
                    Error::syntax(format!("bindAddresses entry {s:?} is not an IP address"))
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// The UDP addresses a connection binds: each explicit IP, or every interface; on a
    /// machine where only loopback is up, 127.0.0.1 (as libwebrtc does).
    pub(crate) fn udp_addrs(&self) -> Result<Vec<SocketAddr>> {
        if let Some(ips) = self.bind_ips()? {
            return Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect());
        }
        let has_routable = rtc::shared::ifaces::ifaces()
            .map(|list| {
                list.iter().filter_map(|i| i.addr).any(|a| {
                    let ip = a.ip();
                    ip.is_ipv4() && !ip.is_loopback() && !ip.is_unspecified() && !is_link_local(&ip)
                })
            })
            .unwrap_or(false);
        let ip = if has_routable { Ipv4Addr::UNSPECIFIED } else { Ipv4Addr::LOCALHOST };
        Ok(vec![SocketAddr::new(IpAddr::V4(ip), 0)])
    }
}

fn is_link_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}
