//! NativePeerConnection wraps core's PeerConnection; RTCPeerConnection (JS) adds the
//! browser's EventTarget API on top.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::data_channel::NativeDataChannel;
use crate::error::IntoNapi;
use crate::ice_candidate::{from_core, to_core, IceCandidateInit};
use crate::rtp_sender::NativeRtpSender;
use crate::rtp_transceiver::NativeRtpTransceiver;

/// What takeTrack hands over.
#[napi]
pub struct AnnouncedTrack {
    track: Option<crate::track::NativeTrack>,
    streams: Vec<crate::track::NativeMediaStream>,
}

#[napi]
impl AnnouncedTrack {
    #[napi(catch_unwind)]
    pub fn take_track(&mut self) -> Option<crate::track::NativeTrack> {
        self.track.take()
    }
    #[napi(catch_unwind)]
    pub fn take_streams(&mut self) -> Vec<crate::track::NativeMediaStream> {
        std::mem::take(&mut self.streams)
    }
}

#[napi(object)]
pub struct IceServerInit {
    pub urls: Vec<String>,
    /// `urls` was one string: getConfiguration gives it back so.
    pub urls_as_string: bool,
    pub username: Option<String>,
    pub credential: Option<String>,
}

/// wrtc's portRange; a bound left out is open.
#[napi(object)]
pub struct PortRangeInit {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// The RTCConfiguration dictionary with its defaults filled in by the JS layer.
#[napi(object)]
pub struct ConfigurationInit {
    pub ice_servers: Vec<IceServerInit>,
    pub ice_transport_policy: String,
    pub bundle_policy: String,
    pub rtcp_mux_policy: String,
    pub ice_candidate_pool_size: f64,
    pub port_range: Option<PortRangeInit>,
    pub sdp_semantics: String,
    pub bind_addresses: Option<Vec<String>>,
}

#[napi(object)]
pub struct SessionDescriptionInit {
    #[napi(js_name = "type")]
    pub sdp_type: String,
    pub sdp: String,
}

#[napi(object)]
pub struct DataChannelOptions {
    pub ordered: Option<bool>,
    pub max_packet_life_time: Option<u32>,
    pub max_retransmits: Option<u32>,
    pub protocol: Option<String>,
    pub negotiated: Option<bool>,
    pub id: Option<u32>,
}

#[napi(object)]
pub struct States {
    pub signaling_state: String,
    pub ice_gathering_state: String,
    pub ice_connection_state: String,
    pub connection_state: String,
}

#[napi(object)]
pub struct PeerConnectionEventObj {
    pub name: String,
    pub candidate: Option<IceCandidateInit>,
    /// For "datachannel": the key to pass to takeDataChannel.
    pub channel: Option<u32>,
    /// For "track": the key to pass to takeTrack, and the ids of the track's streams.
    pub track: Option<u32>,
    pub stream_ids: Option<Vec<String>>,
    /// For "icecandidateerror": the failed server.
    pub error: Option<IceCandidateErrorObj>,
    /// For "signalingstatechange": the state it changed to.
    pub state: Option<String>,
}

/// W3C's RTCPeerConnectionIceErrorEvent fields (core's IceCandidateError).
#[napi(object)]
pub struct IceCandidateErrorObj {
    pub address: Option<String>,
    pub port: Option<u16>,
    pub url: String,
    pub error_code: u16,
    pub error_text: String,
}

fn configuration(c: ConfigurationInit) -> rtckit_core::Result<rtckit_core::Configuration> {
    use rtckit_core::configuration as config;
    config::check_sdp_semantics(&c.sdp_semantics)?;
    Ok(rtckit_core::Configuration {
        ice_servers: c
            .ice_servers
            .into_iter()
            .map(|s| rtckit_core::IceServer {
                urls: s.urls,
                urls_as_string: s.urls_as_string,
                username: s.username,
                credential: s.credential,
            })
            .collect(),
        ice_transport_policy: rtckit_core::IceTransportPolicy::parse(&c.ice_transport_policy)?,
        bundle_policy: config::BundlePolicy::parse(&c.bundle_policy)?,
        rtcp_mux_policy: config::RtcpMuxPolicy::parse(&c.rtcp_mux_policy)?,
        ice_candidate_pool_size: config::enforce_range(c.ice_candidate_pool_size, 255, "iceCandidatePoolSize")? as u8,
        port_range: c.port_range.map(|r| config::PortRange::new(r.min, r.max)).transpose()?,
        bind_addresses: c.bind_addresses,
    })
}

/// What getConfiguration reads: the configuration as set.
#[napi(object)]
pub struct ConfigurationOut {
    pub ice_servers: Vec<IceServerInit>,
    pub ice_transport_policy: String,
    pub bundle_policy: String,
    pub rtcp_mux_policy: String,
    pub ice_candidate_pool_size: u32,
    pub port_range: Option<PortRangeOut>,
    pub bind_addresses: Option<Vec<String>>,
}

#[napi(object)]
pub struct PortRangeOut {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

fn description(d: rtckit_core::SessionDescription) -> SessionDescriptionInit {
    SessionDescriptionInit { sdp_type: d.sdp_type.as_str().to_owned(), sdp: d.sdp }
}

#[napi]
pub struct NativePeerConnection {
    inner: rtckit_core::PeerConnection,
    /// Remote channels announced by "datachannel" events, until JS takes them.
    announced: Mutex<HashMap<u32, rtckit_core::DataChannel>>,
    announced_tracks: Mutex<HashMap<u32, (rtckit_core::MediaStreamTrack, Vec<rtckit_core::MediaStream>)>>,
    next_key: AtomicU32,
}

#[napi]
impl NativePeerConnection {
    #[napi(constructor, catch_unwind)]
    pub fn new(config: ConfigurationInit) -> crate::error::Result<Self> {
        let config = configuration(config).napi()?;
        let inner = rtckit_core::PeerConnection::new(config).napi()?;
        Ok(Self {
            inner,
            announced: Mutex::new(HashMap::new()),
            announced_tracks: Mutex::new(HashMap::new()),
            next_key: AtomicU32::new(1),
        })
    }

    /// A JSON array of W3C stats objects: all, or those of one track's sender or receiver
    /// (by the track's id).
    #[napi(ts_return_type = "Promise<string>", catch_unwind)]
    pub fn get_stats<'env>(
        &self,
        env: &'env Env,
        track_id: Option<String>,
    ) -> crate::error::Result<PromiseRaw<'env, String>> {
        let pc = self.inner.clone();
        crate::error::spawn(env, async move { pc.get_stats_json(track_id.as_deref()).await })
    }

    // The signaling methods take their place on the operations chain when called (the
    // synchronous part), then run in that order.

    #[napi(ts_return_type = "Promise<SessionDescriptionInit>", catch_unwind)]
    pub fn create_offer<'env>(
        &self,
        env: &'env Env,
        ice_restart: Option<bool>,
    ) -> crate::error::Result<PromiseRaw<'env, SessionDescriptionInit>> {
        let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
        let ice_restart = ice_restart.unwrap_or(false);
        crate::error::spawn(env, async move { turn.run(pc.create_offer(ice_restart)).await.map(description) })
    }

    /// W3C's restartIce(): the next offer restarts ICE.
    #[napi(catch_unwind)]
    pub fn restart_ice(&self) -> crate::error::Result<()> {
        self.inner.restart_ice_now().napi()
    }

    #[napi(ts_return_type = "Promise<SessionDescriptionInit>", catch_unwind)]
    pub fn create_answer<'env>(
        &self,
        env: &'env Env,
    ) -> crate::error::Result<PromiseRaw<'env, SessionDescriptionInit>> {
        let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
        crate::error::spawn(env, async move { turn.run(pc.create_answer()).await.map(description) })
    }

    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn set_local_description<'env>(
        &self,
        env: &'env Env,
        description: Option<SessionDescriptionInit>,
    ) -> crate::error::Result<PromiseRaw<'env, ()>> {
        let parsed =
            description.map(|d| rtckit_core::SessionDescription::new(&d.sdp_type, d.sdp)).transpose().napi()?;
        let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
        crate::error::spawn(env, async move { turn.run(pc.set_local_description(parsed)).await })
    }

    /// The JS layer dispatches the events it queued (the track events among them) before
    /// its promise resolves.
    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn set_remote_description<'env>(
        &self,
        env: &'env Env,
        description: SessionDescriptionInit,
    ) -> crate::error::Result<PromiseRaw<'env, ()>> {
        let parsed = rtckit_core::SessionDescription::new(&description.sdp_type, description.sdp).napi()?;
        let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
        crate::error::spawn(env, async move { turn.run(pc.set_remote_description(parsed)).await })
    }

    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn add_ice_candidate<'env>(
        &self,
        env: &'env Env,
        candidate: Option<IceCandidateInit>,
    ) -> crate::error::Result<PromiseRaw<'env, ()>> {
        let (pc, turn) = (self.inner.clone(), self.inner.enqueue_operation());
        crate::error::spawn(env, async move { turn.run(pc.add_ice_candidate(candidate.map(to_core))).await })
    }

    #[napi(catch_unwind)]
    pub fn local_description(&self) -> Option<SessionDescriptionInit> {
        self.inner.local_description_now().map(description)
    }

    #[napi(catch_unwind)]
    pub fn remote_description(&self) -> Option<SessionDescriptionInit> {
        self.inner.remote_description_now().map(description)
    }

    #[napi(catch_unwind)]
    pub fn get_configuration(&self) -> ConfigurationOut {
        let c = self.inner.get_configuration();
        ConfigurationOut {
            ice_servers: c
                .ice_servers
                .into_iter()
                .map(|s| IceServerInit {
                    urls: s.urls,
                    urls_as_string: s.urls_as_string,
                    username: s.username,
                    credential: s.credential,
                })
                .collect(),
            ice_transport_policy: c.ice_transport_policy.as_str().to_owned(),
            bundle_policy: c.bundle_policy.as_str().to_owned(),
            rtcp_mux_policy: c.rtcp_mux_policy.as_str().to_owned(),
            ice_candidate_pool_size: c.ice_candidate_pool_size.into(),
            port_range: c.port_range.map(|r| PortRangeOut { min: r.min.map(u32::from), max: r.max.map(u32::from) }),
            bind_addresses: c.bind_addresses,
        }
    }

    #[napi(catch_unwind)]
    pub fn set_configuration(&self, config: ConfigurationInit) -> crate::error::Result<()> {
        let config = configuration(config).napi()?;
        self.inner.set_configuration_now(config).napi()
    }

    #[napi(catch_unwind)]
    pub fn states(&self) -> States {
        let s = self.inner.states();
        States {
            signaling_state: s.signaling.as_str().to_owned(),
            ice_gathering_state: s.ice_gathering.to_owned(),
            ice_connection_state: s.ice_connection.to_owned(),
            connection_state: s.connection.to_owned(),
        }
    }

    #[napi(catch_unwind)]
    pub fn create_data_channel(
        &self,
        label: String,
        options: Option<DataChannelOptions>,
    ) -> crate::error::Result<NativeDataChannel> {
        let o = options.unwrap_or(DataChannelOptions {
            ordered: None,
            max_packet_life_time: None,
            max_retransmits: None,
            protocol: None,
            negotiated: None,
            id: None,
        });
        let init = rtckit_core::DataChannelInit {
            ordered: o.ordered,
            max_packet_life_time: o.max_packet_life_time,
            max_retransmits: o.max_retransmits,
            protocol: o.protocol,
            negotiated: o.negotiated,
            id: o.id,
        };
        let inner = self.inner.create_data_channel_now(&label, init).napi()?;
        Ok(NativeDataChannel { inner })
    }

    /// The channel announced by a "datachannel" event.
    #[napi(catch_unwind)]
    pub fn take_data_channel(&self, key: u32) -> Option<NativeDataChannel> {
        self.announced.lock().remove(&key).map(|inner| NativeDataChannel { inner })
    }

    /// The track announced by a "track" event, and the remote streams it is in (the same
    /// stream for the same id every time).
    #[napi(catch_unwind)]
    pub fn take_track(&self, key: u32) -> Option<AnnouncedTrack> {
        self.announced_tracks.lock().remove(&key).map(|(track, streams)| AnnouncedTrack {
            track: Some(crate::track::NativeTrack { inner: track }),
            streams: streams.into_iter().map(|inner| crate::track::NativeMediaStream { inner }).collect(),
        })
    }

    /// Sends the track with the negotiated codec; renegotiate afterwards. The transceiver
    /// whose sender sends it.
    #[napi(catch_unwind)]
    pub fn add_track(
        &self,
        track: &crate::track::NativeTrack,
        stream_ids: Vec<String>,
    ) -> crate::error::Result<NativeRtpTransceiver> {
        let sender = self.inner.add_track_now(&track.inner, stream_ids).napi()?;
        let inner = self.inner.transceiver_of_sender(&sender);
        let inner = inner.ok_or_else(|| rtckit_core::Error::operation("addTrack lost its transceiver")).napi()?;
        Ok(NativeRtpTransceiver { inner })
    }

    /// The transceiver whose receiver got `track` (null if none did).
    #[napi(catch_unwind)]
    pub fn transceiver_of_track(&self, track: &crate::track::NativeTrack) -> Option<NativeRtpTransceiver> {
        self.inner.transceiver_of_track_now(&track.inner).map(|inner| NativeRtpTransceiver { inner })
    }

    #[napi(catch_unwind)]
    pub fn get_transceivers(&self) -> Vec<NativeRtpTransceiver> {
        self.inner.get_transceivers_now().into_iter().map(|inner| NativeRtpTransceiver { inner }).collect()
    }

    /// addTransceiver(track or kind, {direction, streams}).
    #[napi(catch_unwind)]
    pub fn add_transceiver(
        &self,
        kind: Option<String>,
        track: Option<&crate::track::NativeTrack>,
        direction: String,
        stream_ids: Vec<String>,
    ) -> crate::error::Result<NativeRtpTransceiver> {
        let kind = kind.as_deref().map(crate::rtp_sender::parse_kind).transpose()?;
        let inner = self.inner.add_transceiver_now(kind, track.map(|t| &t.inner), &direction, stream_ids).napi()?;
        Ok(NativeRtpTransceiver { inner })
    }

    /// Stops sending the sender's track; renegotiate afterwards.
    #[napi(catch_unwind)]
    pub fn remove_track(&self, sender: &NativeRtpSender) -> crate::error::Result<()> {
        self.inner.remove_track_now(&sender.inner).napi()
    }

    /// Closes at once; the sockets are released in the background.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close_now()
    }

    /// Starts telling the hub (as `key`) when events are waiting.
    #[napi(catch_unwind)]
    pub fn listen(&self, key: u32) {
        self.inner.set_event_listener(crate::hub::listener(key))
    }

    /// The events waiting; `ended` once the connection's events are over.
    #[napi(catch_unwind)]
    pub fn take_events(&self) -> PeerConnectionEvents {
        let (events, ended) = self.inner.take_events();
        PeerConnectionEvents { events: events.into_iter().map(|e| self.event_obj(e)).collect(), ended }
    }

    fn event_obj(&self, e: rtckit_core::PeerConnectionEvent) -> PeerConnectionEventObj {
        let base = PeerConnectionEventObj {
            name: e.name().to_owned(),
            candidate: None,
            channel: None,
            track: None,
            stream_ids: None,
            error: None,
            state: None,
        };
        match e {
            rtckit_core::PeerConnectionEvent::IceCandidate(c) => {
                PeerConnectionEventObj { candidate: c.map(from_core), ..base }
            }
            rtckit_core::PeerConnectionEvent::IceCandidateError(e) => PeerConnectionEventObj {
                error: Some(IceCandidateErrorObj {
                    address: e.address,
                    port: e.port,
                    url: e.url,
                    error_code: e.error_code,
                    error_text: e.error_text,
                }),
                ..base
            },
            rtckit_core::PeerConnectionEvent::SignalingStateChange(state) => {
                PeerConnectionEventObj { state: Some(state.as_str().to_owned()), ..base }
            }
            rtckit_core::PeerConnectionEvent::DataChannel(dc) => {
                let key = self.next_key.fetch_add(1, Ordering::Relaxed);
                self.announced.lock().insert(key, dc);
                PeerConnectionEventObj { channel: Some(key), ..base }
            }
            rtckit_core::PeerConnectionEvent::Track(track, streams) => {
                let key = self.next_key.fetch_add(1, Ordering::Relaxed);
                let stream_ids = streams.iter().map(|s| s.id().to_owned()).collect();
                self.announced_tracks.lock().insert(key, (track, streams));
                PeerConnectionEventObj { track: Some(key), stream_ids: Some(stream_ids), ..base }
            }
            _ => base,
        }
    }
}

#[napi(object)]
pub struct PeerConnectionEvents {
    pub events: Vec<PeerConnectionEventObj>,
    pub ended: bool,
}
