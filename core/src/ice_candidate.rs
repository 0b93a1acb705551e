//! RTCIceCandidate: the candidate line with its m-section, and its fields parsed (RFC 8839).

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IceCandidate {
    /// The candidate-attribute, with its "candidate:" prefix; empty means end-of-candidates.
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_mline_index: Option<u16>,
    pub username_fragment: Option<String>,
}

/// W3C's RTCPeerConnectionIceErrorEvent: a STUN or TURN server that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidateError {
    /// The local address that tried the server; None when none did (the URL's host did not
    /// resolve), as W3C's null.
    pub address: Option<String>,
    pub port: Option<u16>,
    /// The server's URL, as configured.
    pub url: String,
    /// The STUN error code the server answered (300 to 699, e.g. 401 for wrong
    /// credentials), or 701 when it could not be reached or did not answer.
    pub error_code: u16,
    pub error_text: String,
}

impl IceCandidateError {
    pub(crate) fn from_webrtc(event: webrtc::peer_connection::RTCPeerConnectionIceErrorEvent) -> Self {
        let address = (!event.address.is_empty()).then_some(event.address);
        Self {
            port: address.as_ref().map(|_| event.port),
            address,
            url: event.url,
            error_code: event.error_code,
            error_text: event.error_text,
        }
    }
}

/// The fields of a candidate line, as W3C's RTCIceCandidate and aiortc expose them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidateFields {
    pub foundation: String,
    pub component: u16,
    pub protocol: String,
    pub priority: u32,
    pub address: String,
    pub port: u16,
    pub typ: String,
    pub related_address: Option<String>,
    pub related_port: Option<u16>,
    pub tcp_type: Option<String>,
}

impl IceCandidate {
    /// End-of-candidates (W3C: a null candidate or an empty candidate string).
    pub fn is_end_of_candidates(&self) -> bool {
        self.candidate.trim().is_empty()
    }

    /// Parses the candidate line; a line that does not parse is an OperationError.
    pub fn fields(&self) -> Result<CandidateFields> {
        parse(&self.candidate)
            .map_err(|why| Error::operation(format!("the ICE candidate {:?} does not parse: {why}", self.candidate)))
    }
}

pub(crate) fn parse(line: &str) -> std::result::Result<CandidateFields, String> {
    let line = line.trim();
    let line = line.strip_prefix("a=").unwrap_or(line);
    let line = line.strip_prefix("candidate:").unwrap_or(line);
    let parts: Vec<&str> = line.split_whitespace().collect();
    if parts.len() < 8 {
        return Err(
            "expected \"candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type>\"".into(),
        );
    }
    let component: u16 = parts[1].parse().map_err(|_| format!("component {:?} is not a number", parts[1]))?;
    let protocol = parts[2].to_ascii_lowercase();
    if protocol != "udp" && protocol != "tcp" {
        return Err(format!("protocol {:?} is neither udp nor tcp", parts[2]));
    }
    let priority: u32 = parts[3].parse().map_err(|_| format!("priority {:?} is not a number", parts[3]))?;
    let port: u16 = parts[5].parse().map_err(|_| format!("port {:?} is not a port number", parts[5]))?;
    if parts[6] != "typ" {
        return Err(format!("expected \"typ\" after the port, found {:?}", parts[6]));
    }
    let typ = parts[7].to_owned();
    if !matches!(typ.as_str(), "host" | "srflx" | "prflx" | "relay") {
        return Err(format!("type {typ:?} is not host, srflx, prflx or relay"));
    }
    let mut fields = CandidateFields {
        foundation: parts[0].to_owned(),
        component,
        protocol,
        priority,
        address: parts[4].to_owned(),
        port,
        typ,
        ..Default::default()
    };
    let mut rest = parts[8..].iter();
    while let Some(key) = rest.next() {
        let value = rest.next().copied();
        match (*key, value) {
            ("raddr", Some(v)) => fields.related_address = Some(v.to_owned()),
            ("rport", Some(v)) => {
                fields.related_port = Some(v.parse().map_err(|_| format!("rport {v:?} is not a port number"))?)
            }
            ("tcptype", Some(v)) => fields.tcp_type = Some(v.to_owned()),
            (_, Some(_)) => {}
            (k, None) => return Err(format!("extension {k:?} has no value")),
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_host_candidate_and_rejects_garbage() {
        let c = IceCandidate {
            candidate: "candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ host generation 0".into(),
            ..Default::default()
        };
        let f = c.fields().unwrap();
        assert_eq!(
            (f.address.as_str(), f.port, f.typ.as_str(), f.protocol.as_str()),
            ("127.0.0.1", 5000, "host", "udp")
        );
        let bad = IceCandidate { candidate: "candidate:nonsense".into(), ..Default::default() };
        assert_eq!(bad.fields().unwrap_err().kind, crate::error::ErrorKind::OperationError);
    }
}
