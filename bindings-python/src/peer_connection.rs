//! rtckit._native.PeerConnection wraps core's PeerConnection; rtckit.RTCPeerConnection
//! (Python) adds configuration parsing, events and W3C-named properties on top.

use pyo3::prelude::*;

use crate::data_channel::PyDataChannel;
use crate::error::IntoPyResult;
use crate::ice_candidate::{from_core, to_core, CandidateTuple};
use crate::rtp_sender::PyRtpSender;
use crate::rtp_transceiver::PyRtpTransceiver;
use crate::runtime::{awaitable, block};

/// (urls, urls given as one string, username, credential)
type IceServerTuple = (Vec<String>, bool, Option<String>, Option<String>);
/// (type, sdp)
type DescriptionTuple = (String, String);

/// The configuration as rtckit.configuration hands it over: a dict with these keys.
#[derive(FromPyObject, IntoPyObject)]
#[pyo3(from_item_all)]
pub struct ConfigurationDict {
    ice_servers: Vec<IceServerTuple>,
    ice_transport_policy: String,
    bundle_policy: String,
    rtcp_mux_policy: String,
    ice_candidate_pool_size: f64,
    /// (min, max), either left out.
    port_range: Option<(Option<f64>, Option<f64>)>,
    bind_addresses: Option<Vec<String>>,
}

impl ConfigurationDict {
    fn into_core(self) -> rtckit_core::Result<rtckit_core::Configuration> {
        use rtckit_core::configuration as config;
        Ok(rtckit_core::Configuration {
            ice_servers: self
                .ice_servers
                .into_iter()
                .map(|(urls, urls_as_string, username, credential)| rtckit_core::IceServer {
                    urls,
                    urls_as_string,
                    username,
                    credential,
                })
                .collect(),
            ice_transport_policy: rtckit_core::IceTransportPolicy::parse(&self.ice_transport_policy)?,
            bundle_policy: config::BundlePolicy::parse(&self.bundle_policy)?,
            rtcp_mux_policy: config::RtcpMuxPolicy::parse(&self.rtcp_mux_policy)?,
            ice_candidate_pool_size: config::enforce_range(self.ice_candidate_pool_size, 255, "iceCandidatePoolSize")?
                as u8,
            port_range: self.port_range.map(|(min, max)| config::PortRange::new(min, max)).transpose()?,
            bind_addresses: self.bind_addresses,
        })
    }

    fn from_core(c: rtckit_core::Configuration) -> Self {
        Self {
            ice_servers: c
                .ice_servers
                .into_iter()
                .map(|s| (s.urls, s.urls_as_string, s.username, s.credential))
                .collect(),
            ice_transport_policy: c.ice_transport_policy.as_str().to_owned(),
            bundle_policy: c.bundle_policy.as_str().to_owned(),
            rtcp_mux_policy: c.rtcp_mux_policy.as_str().to_owned(),
            ice_candidate_pool_size: c.ice_candidate_pool_size.into(),
            port_range: c.port_range.map(|r| (r.min.map(f64::from), r.max.map(f64::from))),
            bind_addresses: c.bind_addresses,
        }
    }
}

fn description(d: rtckit_core::SessionDescription) -> DescriptionTuple {
    (d.sdp_type.as_str().to_owned(), d.sdp)
}

#[pyclass(name = "PeerConnection", module = "rtckit._native", frozen)]
pub struct PyPeerConnection {
    inner: rtckit_core::PeerConnection,
}

#[pymethods]
impl PyPeerConnection {
    #[new]
    fn new(py: Python<'_>, configuration: ConfigurationDict) -> PyResult<Self> {
        crate::error::guard(|| {
            let config = configuration.into_core().py_err()?;
            let inner = block(py, move || rtckit_core::PeerConnection::new(config)).py_err()?;
            Ok(Self { inner })
        })
    }

    #[pyo3(signature = (ice_restart = false))]
    fn create_offer<'py>(&self, py: Python<'py>, ice_restart: bool) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
            awaitable(py, async move { turn.run(pc.create_offer(ice_restart)).await.map(description) })
        })
    }

    /// W3C's restartIce(): the next offer restarts ICE.
    fn restart_ice(&self) -> PyResult<()> {
        crate::error::guard(|| self.inner.restart_ice_now().py_err())
    }

    fn create_answer<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
            awaitable(py, async move { turn.run(pc.create_answer()).await.map(description) })
        })
    }

    #[pyo3(signature = (description=None))]
    fn set_local_description<'py>(
        &self,
        py: Python<'py>,
        description: Option<DescriptionTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let pc = self.inner.clone();
            let parsed =
                description.map(|(t, sdp)| rtckit_core::SessionDescription::new(&t, sdp)).transpose().py_err()?;
            let turn = pc.enqueue_operation();
            awaitable(py, async move { turn.run(pc.set_local_description(parsed)).await })
        })
    }

    fn set_remote_description<'py>(
        &self,
        py: Python<'py>,
        description: DescriptionTuple,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let pc = self.inner.clone();
            let parsed = rtckit_core::SessionDescription::new(&description.0, description.1).py_err()?;
            let turn = pc.enqueue_operation();
            awaitable(py, async move { turn.run(pc.set_remote_description(parsed)).await })
        })
    }

    #[pyo3(signature = (candidate=None))]
    fn add_ice_candidate<'py>(
        &self,
        py: Python<'py>,
        candidate: Option<CandidateTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
            awaitable(py, async move { turn.run(pc.add_ice_candidate(candidate.map(to_core))).await })
        })
    }

    fn local_description(&self, py: Python<'_>) -> PyResult<Option<DescriptionTuple>> {
        crate::error::guard_value(|| {
            let pc = self.inner.clone();
            block(py, move || pc.local_description_now()).map(description)
        })
    }

    fn remote_description(&self, py: Python<'_>) -> PyResult<Option<DescriptionTuple>> {
        crate::error::guard_value(|| {
            let pc = self.inner.clone();
            block(py, move || pc.remote_description_now()).map(description)
        })
    }

    /// The configuration as set, in the dict shape the constructor takes.
    fn get_configuration(&self) -> PyResult<ConfigurationDict> {
        crate::error::guard_value(|| ConfigurationDict::from_core(self.inner.get_configuration()))
    }

    fn set_configuration(&self, py: Python<'_>, configuration: ConfigurationDict) -> PyResult<()> {
        crate::error::guard(|| {
            let config = configuration.into_core().py_err()?;
            let pc = self.inner.clone();
            block(py, move || pc.set_configuration_now(config)).py_err()
        })
    }

    /// (signalingState, iceGatheringState, iceConnectionState, connectionState)
    fn states(&self) -> PyResult<(&'static str, &'static str, &'static str, &'static str)> {
        crate::error::guard_value(|| {
            let s = self.inner.states();
            (s.signaling.as_str(), s.ice_gathering, s.ice_connection, s.connection)
        })
    }

    #[pyo3(signature = (label, ordered=None, max_packet_life_time=None, max_retransmits=None, protocol=None, negotiated=None, id=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_data_channel(
        &self,
        py: Python<'_>,
        label: String,
        ordered: Option<bool>,
        max_packet_life_time: Option<u32>,
        max_retransmits: Option<u32>,
        protocol: Option<String>,
        negotiated: Option<bool>,
        id: Option<u32>,
    ) -> PyResult<PyDataChannel> {
        crate::error::guard(|| {
            let init = rtckit_core::DataChannelInit {
                ordered,
                max_packet_life_time,
                max_retransmits,
                protocol,
                negotiated,
                id,
            };
            let pc = self.inner.clone();
            let inner = block(py, move || pc.create_data_channel_now(&label, init)).py_err()?;
            Ok(PyDataChannel { inner })
        })
    }

    /// Sends the track with the negotiated codec; renegotiate afterwards. The transceiver
    /// whose sender sends it.
    fn add_track(
        &self,
        py: Python<'_>,
        track: PyRef<'_, crate::track::PyTrack>,
        stream_ids: Vec<String>,
    ) -> PyResult<PyRtpTransceiver> {
        crate::error::guard(|| {
            let (pc, track) = (self.inner.clone(), track.inner.clone());
            let inner = block(py, move || {
                let sender = pc.add_track_now(&track, stream_ids)?;
                pc.transceiver_of_sender(&sender)
                    .ok_or_else(|| rtckit_core::Error::operation("addTrack lost its transceiver"))
            })
            .py_err()?;
            Ok(PyRtpTransceiver { inner })
        })
    }

    /// The transceiver whose receiver got `track` (None if none did).
    fn transceiver_of_track(
        &self,
        py: Python<'_>,
        track: PyRef<'_, crate::track::PyTrack>,
    ) -> PyResult<Option<PyRtpTransceiver>> {
        crate::error::guard_value(|| {
            let (pc, track) = (self.inner.clone(), track.inner.clone());
            block(py, move || pc.transceiver_of_track_now(&track)).map(|inner| PyRtpTransceiver { inner })
        })
    }

    fn get_transceivers(&self, py: Python<'_>) -> PyResult<Vec<PyRtpTransceiver>> {
        crate::error::guard_value(|| {
            let pc = self.inner.clone();
            block(py, move || pc.get_transceivers_now()).into_iter().map(|inner| PyRtpTransceiver { inner }).collect()
        })
    }

    /// addTransceiver(track or kind, direction, streams).
    #[pyo3(signature = (kind, track, direction, stream_ids))]
    fn add_transceiver(
        &self,
        py: Python<'_>,
        kind: Option<&str>,
        track: Option<PyRef<'_, crate::track::PyTrack>>,
        direction: String,
        stream_ids: Vec<String>,
    ) -> PyResult<PyRtpTransceiver> {
        crate::error::guard(|| {
            let kind = kind.map(crate::rtp_sender::parse_kind).transpose()?;
            let (pc, track) = (self.inner.clone(), track.map(|t| t.inner.clone()));
            let inner =
                block(py, move || pc.add_transceiver_now(kind, track.as_ref(), &direction, stream_ids)).py_err()?;
            Ok(PyRtpTransceiver { inner })
        })
    }

    /// Stops sending the sender's track; renegotiate afterwards.
    fn remove_track(&self, py: Python<'_>, sender: PyRef<'_, PyRtpSender>) -> PyResult<()> {
        crate::error::guard(|| {
            let (pc, sender) = (self.inner.clone(), sender.inner.clone());
            block(py, move || pc.remove_track_now(&sender)).py_err()
        })
    }

    /// Awaitable JSON array of W3C stats objects: all, or those of one track's sender or
    /// receiver (by the track's id).
    #[pyo3(signature = (track_id = None))]
    fn get_stats<'py>(&self, py: Python<'py>, track_id: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let pc = self.inner.clone();
            awaitable(py, async move { pc.get_stats_json(track_id.as_deref()).await })
        })
    }

    /// Awaitable: ICE gathering is complete (or the connection closed).
    fn gathering_complete<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let pc = self.inner.clone();
            awaitable(py, async move {
                pc.gathering_complete().await;
                Ok(())
            })
        })
    }

    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::error::guard(|| {
            let pc = self.inner.clone();
            awaitable(py, async move { pc.close().await })
        })
    }

    /// Delivers this connection's events through the hub under `key`.
    fn listen(&self, key: u64) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.set_event_listener(crate::hub::listener(key)))
    }

    /// The waiting events as (name, value) pairs, and whether the stream has ended.
    fn take_events(&self, py: Python<'_>) -> PyResult<crate::hub::EventBatch<Py<PyAny>>> {
        crate::error::guard(|| {
            let (events, ended) = self.inner.take_events();
            let events = events
                .into_iter()
                .map(|e| {
                    let name = e.name();
                    let value: Py<PyAny> = match e {
                        rtckit_core::PeerConnectionEvent::IceCandidate(c) => {
                            c.map(from_core).into_pyobject(py)?.into_any().unbind()
                        }
                        rtckit_core::PeerConnectionEvent::IceCandidateError(e) => {
                            (e.address, e.port, e.url, e.error_code, e.error_text)
                                .into_pyobject(py)?
                                .into_any()
                                .unbind()
                        }
                        rtckit_core::PeerConnectionEvent::DataChannel(dc) => {
                            Py::new(py, PyDataChannel { inner: dc })?.into_any()
                        }
                        // aiortc's track event carries the track alone.
                        rtckit_core::PeerConnectionEvent::Track(track, _streams) => {
                            Py::new(py, crate::track::PyTrack { inner: track })?.into_any()
                        }
                        rtckit_core::PeerConnectionEvent::SignalingStateChange(state) => {
                            state.as_str().into_pyobject(py)?.into_any().unbind()
                        }
                        _ => py.None(),
                    };
                    Ok((name, value))
                })
                .collect::<PyResult<Vec<_>>>()?;
            Ok((events, ended))
        })
    }
}
