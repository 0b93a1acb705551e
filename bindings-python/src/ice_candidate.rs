//! Candidate-line parsing for rtckit.RTCIceCandidate.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::IntoPyResult;

/// Parses a candidate line into a dict of its RFC 8839 fields; raises OperationError.
#[pyfunction]
pub fn parse_candidate<'py>(py: Python<'py>, candidate: &str) -> PyResult<Bound<'py, PyDict>> {
    crate::error::guard(|| {
        let parsed =
            rtckit_core::IceCandidate { candidate: candidate.to_owned(), ..Default::default() }.fields().py_err()?;
        let d = PyDict::new(py);
        d.set_item("foundation", parsed.foundation)?;
        d.set_item("component", parsed.component)?;
        d.set_item("protocol", parsed.protocol)?;
        d.set_item("priority", parsed.priority)?;
        d.set_item("address", parsed.address)?;
        d.set_item("port", parsed.port)?;
        d.set_item("type", parsed.typ)?;
        d.set_item("relatedAddress", parsed.related_address)?;
        d.set_item("relatedPort", parsed.related_port)?;
        d.set_item("tcpType", parsed.tcp_type)?;
        Ok(d)
    })
}

pub type CandidateTuple = (String, Option<String>, Option<u16>, Option<String>);

pub fn to_core(c: CandidateTuple) -> rtckit_core::IceCandidate {
    rtckit_core::IceCandidate { candidate: c.0, sdp_mid: c.1, sdp_mline_index: c.2, username_fragment: c.3 }
}

pub fn from_core(c: rtckit_core::IceCandidate) -> CandidateTuple {
    (c.candidate, c.sdp_mid, c.sdp_mline_index, c.username_fragment)
}
