//! RTCIceCandidate fields and their parsing.

use napi_derive::napi;

use crate::error::IntoNapi;

#[napi(object)]
#[derive(Clone)]
pub struct IceCandidateInit {
    pub candidate: String,
    pub sdp_mid: Option<String>,
    #[napi(js_name = "sdpMLineIndex")]
    pub sdp_mline_index: Option<u32>,
    pub username_fragment: Option<String>,
}

#[napi(object)]
pub struct CandidateFields {
    pub foundation: String,
    pub component: u32,
    pub protocol: String,
    pub priority: u32,
    pub address: String,
    pub port: u32,
    #[napi(js_name = "type")]
    pub typ: String,
    pub related_address: Option<String>,
    pub related_port: Option<u32>,
    pub tcp_type: Option<String>,
}

/// Parses a candidate line; throws OperationError.
#[napi(catch_unwind)]
pub fn parse_candidate(candidate: String) -> crate::error::Result<CandidateFields> {
    let f = rtckit_core::IceCandidate { candidate, ..Default::default() }.fields().napi()?;
    Ok(CandidateFields {
        foundation: f.foundation,
        component: f.component as u32,
        protocol: f.protocol,
        priority: f.priority,
        address: f.address,
        port: f.port as u32,
        typ: f.typ,
        related_address: f.related_address,
        related_port: f.related_port.map(u32::from),
        tcp_type: f.tcp_type,
    })
}

pub fn to_core(c: IceCandidateInit) -> rtckit_core::IceCandidate {
    rtckit_core::IceCandidate {
        candidate: c.candidate,
        sdp_mid: c.sdp_mid,
        sdp_mline_index: c.sdp_mline_index.map(|v| v.min(u16::MAX as u32) as u16),
        username_fragment: c.username_fragment,
    }
}

pub fn from_core(c: rtckit_core::IceCandidate) -> IceCandidateInit {
    IceCandidateInit {
        candidate: c.candidate,
        sdp_mid: c.sdp_mid,
        sdp_mline_index: c.sdp_mline_index.map(u32::from),
        username_fragment: c.username_fragment,
    }
}
