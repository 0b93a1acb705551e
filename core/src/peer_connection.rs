//! RTCPeerConnection over webrtc-rs, with W3C state handling and one event stream.
//!
//! webrtc-rs reports state changes from its driver task; rtckit keeps the W3C view itself:
//! the signaling state follows the descriptions applied (so it is current when the
//! promise resolves), the other states are de-duplicated, and every check the W3C
//! algorithms make before touching the connection is made here, once, for both bindings.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use webrtc::data_channel::DataChannel as WebrtcDataChannel;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection as WebrtcPeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceCandidateInit, RTCIceConnectionState, RTCIceGatheringState, RTCPeerConnectionIceEvent,
    RTCPeerConnectionState, Registry, SettingEngineBuilder,
};

use crate::configuration::Configuration;
use crate::data_channel::{DataChannel, DataChannelInit, DEFAULT_REMOTE_MAX_MESSAGE_SIZE, LOCAL_MAX_MESSAGE_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::events::EventQueue;
use crate::ice_candidate::IceCandidate;
use crate::inbound_interceptor::OnInbound;
use crate::keyframe_requests::KeyframeRequests;
use crate::repaired_packets::RepairedPackets;
use crate::rtp_sender::RtpSender;
use crate::rtp_transceiver::{parse_direction, RtpTransceiver};
use crate::runtime::{block_on, handle, ConnectionRuntime};
use crate::session_description::{media_sections, SdpType, SessionDescription};
use crate::track::{MediaStream, MediaStreamTrack, TrackKind};
use rtc::rtp_transceiver::RTCRtpTransceiverDirection as Direction;
use rtc::rtp_transceiver::{RTCRtpSenderId, RTCRtpTransceiverInit};

#[derive(Debug, Clone)]
pub enum PeerConnectionEvent {
    /// A gathered candidate; None once gathering is complete.
    IceCandidate(Option<IceCandidate>),
    /// A STUN or TURN server that failed while gathering.
    IceCandidateError(crate::ice_candidate::IceCandidateError),
    IceGatheringStateChange,
    IceConnectionStateChange,
    ConnectionStateChange,
    /// The state it changed to: what `signalingState` reads while its event is dispatched
    /// (an implicit rollback passes through "stable" within one call).
    SignalingStateChange(SignalingState),
    NegotiationNeeded,
    DataChannel(DataChannel),
    /// A remote track and the ids of its streams.
    /// A received track and the remote streams it is in (one object per stream id).
    Track(MediaStreamTrack, Vec<MediaStream>),
}

impl PeerConnectionEvent {
    pub fn name(&self) -> &'static str {
        match self {
            Self::IceCandidate(_) => "icecandidate",
            Self::IceCandidateError(_) => "icecandidateerror",
            Self::IceGatheringStateChange => "icegatheringstatechange",
            Self::IceConnectionStateChange => "iceconnectionstatechange",
            Self::ConnectionStateChange => "connectionstatechange",
            Self::SignalingStateChange(_) => "signalingstatechange",
            Self::NegotiationNeeded => "negotiationneeded",
            Self::DataChannel(_) => "datachannel",
            Self::Track(..) => "track",
        }
    }
}

impl std::fmt::Debug for DataChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataChannel({:?})", self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalingState {
    Stable,
    HaveLocalOffer,
    HaveRemoteOffer,
    HaveLocalPranswer,
    HaveRemotePranswer,
    Closed,
}

impl SignalingState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::HaveLocalOffer => "have-local-offer",
            Self::HaveRemoteOffer => "have-remote-offer",
            Self::HaveLocalPranswer => "have-local-pranswer",
            Self::HaveRemotePranswer => "have-remote-pranswer",
            Self::Closed => "closed",
        }
    }
}

/// The four W3C states, as their W3C strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct States {
    pub signaling: SignalingState,
    pub ice_gathering: &'static str,
    pub ice_connection: &'static str,
    pub connection: &'static str,
}

/// What the webrtc-rs handler shares with the connection handle; holds no strong reference
/// to the webrtc connection, so dropping the handle releases everything.
struct Shared {
    events: EventQueue<PeerConnectionEvent>,
    states: Mutex<States>,
    /// The send-side bandwidth estimate (GCC over TWCC) in bits per second, 0 before the
    /// first feedback; the video encoders stay under it.
    estimate: Arc<std::sync::atomic::AtomicU32>,
    /// True once the connection is up: senders start consuming their tracks then.
    connected: tokio::sync::watch::Sender<bool>,
    closed: AtomicBool,
    /// restartIce() was called: the next offer gets new ICE credentials.
    ice_restart: AtomicBool,
    channels: Mutex<Vec<Weak<crate::data_channel::Inner>>>,
    max_message_size: Arc<AtomicUsize>,
    runtime: Arc<ConnectionRuntime>,
    connection: OnceLock<Weak<dyn WebrtcPeerConnection>>,
    /// The mids of the local description in force (pending, else current). With BUNDLE every
    /// candidate belongs to the first, and webrtc-rs leaves sdpMid empty. A candidate event
    /// for none of them was gathered for an offer since rolled back: it is dropped when the
    /// binding takes it, as it would fail at the remote end (seen in wrtc_dropin's rollback test).
    local_mids: Mutex<Vec<String>>,
    /// Every transceiver, in creation order: the one place senders, receivers and their
    /// tracks are kept (getTransceivers, getSenders, getReceivers, the track event).
    transceivers: Mutex<Vec<RtpTransceiver>>,
    /// The remote streams received tracks are in, by the sender's stream id.
    remote_streams: Mutex<HashMap<String, MediaStream>>,
    /// Woken when ICE gathering completes or the connection closes.
    gathered: tokio::sync::Notify,
    /// How many gatherings have completed, and how many setLocalDescription has to wait for:
    /// an ICE restart gathers again while the state still says "complete" from the last time,
    /// so "complete" alone would let a restart's description go out with the old candidates.
    gatherings_done: std::sync::atomic::AtomicU64,
    gatherings_awaited: std::sync::atomic::AtomicU64,
    /// The last description created with stopped sections rejected, and webrtc-rs's own.
    rejected: Mutex<Option<(String, String)>>,
    /// What the peer writes that webrtc-rs does not read (see RemoteDialect).
    dialect: crate::session_description::RemoteDialect,
    operations: Arc<crate::operations::Operations>,
    /// webrtc-rs asked for negotiation while an operation ran or the state was not stable:
    /// W3C fires negotiationneeded only then, when the chain empties in "stable" (a polite
    /// peer's implicit rollback passes through "stable" inside setRemoteDescription).
    negotiation_deferred: AtomicBool,
    /// The loopback relays of TURN servers over TCP and TLS, which webrtc-rs is given instead.
    turn_streams: Mutex<crate::turn_stream::TurnStreams>,
}

impl Shared {
    /// W3C's "update the negotiation-needed flag", for webrtc-rs's event and restartIce().
    fn negotiation_needed(&self) {
        if self.is_closed() {
            return;
        }
        if !self.operations.is_empty() || self.states.lock().signaling != SignalingState::Stable {
            self.negotiation_deferred.store(true, Ordering::Release);
        } else {
            self.negotiation_deferred.store(false, Ordering::Release);
            self.events.push(PeerConnectionEvent::NegotiationNeeded);
        }
    }

    /// The chain became empty: a deferred negotiationneeded fires now if still stable.
    fn operations_done(&self) {
        if self.states.lock().signaling == SignalingState::Stable
            && self.negotiation_deferred.swap(false, Ordering::AcqRel)
            && !self.is_closed()
        {
            self.events.push(PeerConnectionEvent::NegotiationNeeded);
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Applies a state change and queues its event if it changed anything.
    fn update(&self, apply: impl FnOnce(&mut States) -> bool, event: PeerConnectionEvent) {
        if self.is_closed() {
            return;
        }
        let changed = apply(&mut self.states.lock());
        if changed {
            self.events.push(event);
        }
    }

    fn transceivers(&self) -> Vec<RtpTransceiver> {
        self.transceivers.lock().clone()
    }

    /// The remote stream with `id`, made at its first mention.
    fn remote_stream(&self, id: &str) -> MediaStream {
        self.remote_streams.lock().entry(id.to_owned()).or_insert_with(|| MediaStream::with_id(id.to_owned())).clone()
    }

    /// Adds a transceiver for each of webrtc-rs's that rtckit does not know yet (made by a
    /// remote offer, or by addTrack/addTransceiver, whose kind is `kind`).
    async fn sync_transceivers(
        self: &Arc<Self>,
        connection: &Arc<dyn WebrtcPeerConnection>,
        sections: &[crate::session_description::MediaSection],
        kind: Option<TrackKind>,
    ) {
        let mut all = connection.get_transceivers().await;
        // webrtc-rs hands them out of a map; its ids count up from the first.
        all.sort_by_key(|t| t.id());
        for inner in all {
            let id = inner.id();
            if self.transceivers().iter().any(|t| t.inner.id() == id) {
                continue;
            }
            let mid = inner.mid().await.ok().flatten();
            let section_kind = mid.and_then(|mid| {
                sections.iter().find(|m| m.mid.as_deref() == Some(mid.as_str())).map(|m| m.kind.clone())
            });
            let kind = match (section_kind.as_deref(), kind) {
                (Some("audio"), _) => TrackKind::Audio,
                (Some("video"), _) => TrackKind::Video,
                (_, Some(kind)) => kind,
                _ => continue, // not media (never happens: data channels have no transceiver)
            };
            let transceiver = RtpTransceiver {
                key: id as u64,
                kind,
                inner,
                sender: RtpSender::new(kind, self.connected.subscribe(), self.estimate.clone()),
                receiver: crate::rtp_receiver::RtpReceiver::new(kind),
                stopped: Default::default(),
                connection: Arc::downgrade(connection),
                preferences: Default::default(),
            };
            transceiver.sender.set_attach_hook(self.attach_hook(connection, id, kind));
            self.transceivers.lock().push(transceiver);
        }
    }

    /// The transceiver webrtc-rs gave `attached`, its sender now sending `track`.
    async fn start_sender(
        self: &Arc<Self>,
        connection: &Arc<dyn WebrtcPeerConnection>,
        attached: crate::rtp_sender::Attached,
        kind: TrackKind,
        track: Option<&MediaStreamTrack>,
    ) -> Result<RtpTransceiver> {
        self.sync_transceivers(connection, &[], Some(kind)).await;
        let sender_id = attached.webrtc().id();
        let transceiver = self
            .transceivers()
            .into_iter()
            .find(|t| RTCRtpSenderId::from(t.inner.id()) == sender_id)
            .ok_or_else(|| Error::operation("webrtc-rs sent the track on a transceiver rtckit does not know"))?;
        // A transceiver whose sender once sent (before removeTrack) keeps that sender.
        transceiver.sender.start(attached, track)?;
        Ok(transceiver)
    }

    /// What replaceTrack does on a sender webrtc-rs has none for (a transceiver made from a
    /// kind or by a remote offer): webrtc-rs's addTrack, which takes the first transceiver of
    /// the kind that has no sender, so only when that is this one.
    fn attach_hook(
        self: &Arc<Self>,
        connection: &Arc<dyn WebrtcPeerConnection>,
        id: usize,
        kind: TrackKind,
    ) -> crate::rtp_sender::AttachHook {
        let (shared, connection) = (Arc::downgrade(self), Arc::downgrade(connection));
        Arc::new(move |track: MediaStreamTrack| {
            let (Some(shared), Some(connection)) = (shared.upgrade(), connection.upgrade()) else {
                return Err(Error::closed());
            };
            block_on(async move {
                let first = shared
                    .transceivers()
                    .into_iter()
                    .find(|t| t.kind == kind && !t.is_stopped() && !t.sender.is_attached());
                if first.map(|t| t.inner.id()) != Some(id) {
                    return Err(Error::new(
                        ErrorKind::NotSupportedError,
                        "replaceTrack on this transceiver needs an earlier one of its kind to send first (webrtc-rs picks the first)",
                    ));
                }
                let attached = crate::rtp_sender::add_to(&connection, kind, Some(&track), &[], None).await?;
                shared.start_sender(&connection, attached, kind, Some(&track)).await.map(|_| ())
            })
        })
    }

    fn track_channel(&self, channel: &DataChannel) {
        let mut channels = self.channels.lock();
        channels.retain(|c| c.strong_count() > 0);
        channels.push(channel.downgrade());
    }
}

struct Handler(Arc<Shared>);

fn set(slot: &mut &'static str, value: &'static str) -> bool {
    let changed = *slot != value;
    *slot = value;
    changed
}

fn ice_connection_str(state: RTCIceConnectionState) -> Option<&'static str> {
    Some(match state {
        RTCIceConnectionState::New => "new",
        RTCIceConnectionState::Checking => "checking",
        RTCIceConnectionState::Connected => "connected",
        RTCIceConnectionState::Completed => "completed",
        RTCIceConnectionState::Disconnected => "disconnected",
        RTCIceConnectionState::Failed => "failed",
        RTCIceConnectionState::Closed => "closed",
        _ => return None,
    })
}

fn connection_str(state: RTCPeerConnectionState) -> Option<&'static str> {
    Some(match state {
        RTCPeerConnectionState::New => "new",
        RTCPeerConnectionState::Connecting => "connecting",
        RTCPeerConnectionState::Connected => "connected",
        RTCPeerConnectionState::Disconnected => "disconnected",
        RTCPeerConnectionState::Failed => "failed",
        RTCPeerConnectionState::Closed => "closed",
        _ => return None,
    })
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_negotiation_needed(&self) {
        self.0.negotiation_needed();
    }

    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if self.0.is_closed() {
            return;
        }
        if let Ok(init) = event.candidate.to_json() {
            let sdp_mid = match init.sdp_mid {
                Some(mid) if !mid.is_empty() => Some(mid),
                _ => self.0.local_mids.lock().first().cloned(),
            };
            let candidate = IceCandidate {
                candidate: normalize_candidate(&init.candidate),
                sdp_mid,
                sdp_mline_index: Some(init.sdp_mline_index.unwrap_or(0)),
                username_fragment: init.username_fragment,
            };
            self.0.events.push(PeerConnectionEvent::IceCandidate(Some(candidate)));
        }
    }

    async fn on_ice_candidate_error(&self, event: webrtc::peer_connection::RTCPeerConnectionIceErrorEvent) {
        if !self.0.is_closed() {
            let mut error = crate::ice_candidate::IceCandidateError::from_webrtc(event);
            // A TURN server over TCP or TLS is named as the user named it, not by its relay.
            if let Some(url) = self.0.turn_streams.lock().user_url(&error.url) {
                error.url = url;
            }
            self.0.events.push(PeerConnectionEvent::IceCandidateError(error));
        }
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        let value = match state {
            RTCIceGatheringState::New => "new",
            RTCIceGatheringState::Gathering => "gathering",
            RTCIceGatheringState::Complete => "complete",
            _ => return,
        };
        let shared = &self.0;
        if shared.is_closed() {
            return;
        }
        // The state, its event and (when complete) the null candidate are queued together,
        // so a reader of the null candidate sees gathering complete.
        let mut states = shared.states.lock();
        if set(&mut states.ice_gathering, value) {
            shared.events.push(PeerConnectionEvent::IceGatheringStateChange);
            if value == "complete" {
                shared.events.push(PeerConnectionEvent::IceCandidate(None));
            }
        }
        // Counted even when the state did not change: webrtc-rs reports the end of a
        // restart's gathering as "complete" again, never saying "gathering" in between.
        if value == "complete" {
            shared.gatherings_done.fetch_add(1, Ordering::AcqRel);
            shared.gathered.notify_waiters();
        }
    }

    async fn on_ice_connection_state_change(&self, state: RTCIceConnectionState) {
        let Some(value) = ice_connection_str(state) else { return };
        match value {
            "checking" => self.0.runtime.establishing(),
            "connected" | "completed" | "failed" | "closed" => self.0.runtime.settle(),
            _ => {}
        }
        self.0.update(|s| set(&mut s.ice_connection, value), PeerConnectionEvent::IceConnectionStateChange);
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let Some(value) = connection_str(state) else { return };
        match value {
            "connecting" => self.0.runtime.establishing(),
            "connected" | "failed" | "closed" => self.0.runtime.settle(),
            _ => {}
        }
        if value == "connected" {
            self.0.connected.send_replace(true);
        }
        self.0.update(|s| set(&mut s.connection, value), PeerConnectionEvent::ConnectionStateChange);
    }

    async fn on_track(&self, remote: Arc<dyn webrtc::media_stream::track_remote::TrackRemote>) {
        let shared = self.0.clone();
        // The first RTP packet of a remote track: its receiver (made with its transceiver,
        // whose track event fired in setRemoteDescription) starts decoding it. Finding the
        // transceiver takes the connection's lock: not on the driver.
        handle().spawn(async move {
            let Some(connection) = shared.connection.get().and_then(Weak::upgrade) else { return };
            for inner in connection.get_transceivers().await {
                let Ok(Some(receiver)) = inner.receiver().await else { continue };
                if !same_remote(receiver.track(), &remote) {
                    continue;
                }
                let id = inner.id();
                let known = shared.transceivers().into_iter().find(|t| t.inner.id() == id);
                if let Some(t) = known {
                    if !t.is_stopped() && !shared.is_closed() {
                        t.receiver.attach(remote.clone());
                    }
                }
                return;
            }
        });
    }

    async fn on_data_channel(&self, channel: Arc<dyn WebrtcDataChannel>) {
        let shared = self.0.clone();
        // Reading the channel's properties takes the connection's lock, which the driver
        // (running this callback) may need: do it on another task.
        handle().spawn(async move {
            let Some(connection) = shared.connection.get().cloned() else { return };
            let dc = DataChannel::new_remote(channel, connection, shared.max_message_size.clone()).await;
            if shared.is_closed() {
                dc.connection_closed();
                return;
            }
            shared.track_channel(&dc);
            shared.events.push(PeerConnectionEvent::DataChannel(dc));
        });
    }
}

/// Whether two handles are on the same webrtc-rs remote track.
fn same_remote(
    a: &Arc<dyn webrtc::media_stream::track_remote::TrackRemote>,
    b: &Arc<dyn webrtc::media_stream::track_remote::TrackRemote>,
) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// The first `a=ice-ufrag` of a description (session or media level), "" when none.
fn ice_ufrag(sdp: &str) -> &str {
    sdp.lines().find_map(|l| l.trim_end().strip_prefix("a=ice-ufrag:")).unwrap_or("")
}

fn all_mids(sdp: &str) -> Vec<String> {
    sdp.lines().filter_map(|l| l.trim().strip_prefix("a=mid:").map(str::to_owned)).collect()
}

/// webrtc-rs writes candidates without the "candidate:" prefix browsers use.
fn normalize_candidate(candidate: &str) -> String {
    if candidate.is_empty() || candidate.starts_with("candidate:") {
        candidate.to_owned()
    } else {
        format!("candidate:{candidate}")
    }
}

/// A cloneable handle to one peer connection.
/// webrtc-rs's default interceptors (NACK, RTCP reports, TWCC), send-side congestion control
/// (GCC over TWCC feedback, without its pacer: encoders follow the estimate instead), and
/// last the one handing keyframe requests and the estimate to the senders.
fn interceptors(
    media_engine: &mut MediaEngine,
    estimate: Arc<std::sync::atomic::AtomicU32>,
) -> std::result::Result<Registry, webrtc::error::Error> {
    use rtc::interceptor::{CongestionControlBuilder, Gcc, NackGeneratorBuilder, NackResponderBuilder, Slot};
    use rtc::peer_connection::configuration::interceptor_registry as defaults;
    use rtc::rtp_transceiver::rtp_sender::{RTCPFeedback, RtpCodecKind};
    // webrtc-rs's configure_nack, with two changes against NACK storms (repaired_packets.rs):
    // retransmissions are unwrapped before the generator, and each packet is asked for at
    // most NACKS_PER_PACKET times (the receiver gives a frame up after 300 ms anyway).
    const NACKS_PER_PACKET: u16 = 4;
    for parameter in ["", "pli"] {
        let feedback = RTCPFeedback { typ: "nack".to_owned(), parameter: parameter.to_owned() };
        media_engine.register_feedback(feedback, RtpCodecKind::Video);
    }
    let registry = Registry::new()
        .with(Slot::NackResponder, NackResponderBuilder::new().build())
        .with(Slot::NackGenerator, NackGeneratorBuilder::new().with_max_nacks_per_packet(NACKS_PER_PACKET).build())
        .with(Slot::from(6_500), OnInbound::new(RepairedPackets::default()));
    defaults::configure_simulcast_extension_headers(media_engine)?;
    let registry = defaults::configure_rtcp_reports(registry);
    let registry = defaults::configure_twcc(registry, media_engine)?;
    // Starts where the encoders' size default would (1.5 Mbit/s), floors at what still
    // carries a small picture.
    let gcc = Gcc::new(1_500_000.0, 150_000.0, 50_000_000.0);
    Ok(registry
        .with(Slot::CongestionControl, CongestionControlBuilder::new(gcc).build())
        .with(Slot::from(14_000), OnInbound::new(KeyframeRequests { estimate })))
}

#[derive(Clone)]
pub struct PeerConnection {
    connection: Arc<dyn WebrtcPeerConnection>,
    shared: Arc<Shared>,
    configuration: Arc<Mutex<Configuration>>,
}

impl PeerConnection {
    /// Builds a connection; binds its UDP sockets. Blocks briefly: call it from a binding's
    /// main thread (W3C constructors are synchronous).
    pub fn new(configuration: Configuration) -> Result<Self> {
        block_on(Self::build(configuration))
    }

    pub async fn build(configuration: Configuration) -> Result<Self> {
        configuration.validate()?;
        let udp_addrs = configuration.udp_addrs()?;
        let runtime = Arc::new(ConnectionRuntime::new());
        let shared = Arc::new(Shared {
            events: EventQueue::default(),
            states: Mutex::new(States {
                signaling: SignalingState::Stable,
                ice_gathering: "new",
                ice_connection: "new",
                connection: "new",
            }),
            estimate: Default::default(),
            connected: tokio::sync::watch::channel(false).0,
            closed: AtomicBool::new(false),
            ice_restart: AtomicBool::new(false),
            channels: Mutex::new(Vec::new()),
            transceivers: Mutex::new(Vec::new()),
            remote_streams: Mutex::new(HashMap::new()),
            rejected: Mutex::new(None),
            dialect: Default::default(),
            gathered: tokio::sync::Notify::new(),
            gatherings_done: std::sync::atomic::AtomicU64::new(0),
            gatherings_awaited: std::sync::atomic::AtomicU64::new(0),
            max_message_size: Arc::new(AtomicUsize::new(DEFAULT_REMOTE_MAX_MESSAGE_SIZE)),
            runtime: runtime.clone(),
            connection: OnceLock::new(),
            local_mids: Mutex::new(Vec::new()),
            operations: Default::default(),
            negotiation_deferred: AtomicBool::new(false),
            turn_streams: Default::default(),
        });
        shared.turn_streams.lock().update(&configuration.ice_servers);
        let weak = Arc::downgrade(&shared);
        shared.operations.on_empty(move || {
            if let Some(shared) = weak.upgrade() {
                shared.operations_done();
            }
        });
        let settings = SettingEngineBuilder::new()
            // webrtc-rs' mDNS would hold a socket on port 5353 in every connection, and fail
            // to build one where there is no multicast route: rtckit resolves remote `.local`
            // names itself, when one comes (mdns.rs).
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .with_sctp_max_message_size(
                rtc::peer_connection::configuration::setting_engine::SctpMaxMessageSize::Bounded(
                    LOCAL_MAX_MESSAGE_SIZE as u32,
                ),
            )
            .with_ice_connection_attempts(Some(Duration::from_millis(50)), Some(25))
            // A peer known only from its checks (a browser hiding its addresses) is
            // accepted at once; rtc-ice's default waits 1 s (`None` also means 1 s).
            .with_prflx_acceptance_min_wait(Some(Duration::ZERO))
            .with_host_acceptance_min_wait(Some(Duration::ZERO))
            // A pair through a NAT or a relay is nominated once a better one has had 100 ms or
            // 300 ms to answer, not rtc-ice's 500 ms and 2 s: a TURN-only call connected in
            // 2.05 s on a LAN (tests/net), nearly all of it this wait.
            .with_srflx_acceptance_min_wait(Some(Duration::from_millis(100)))
            .with_relay_acceptance_min_wait(Some(Duration::from_millis(300)))
            .build();
        // The codecs rtckit encodes and decodes, and the interceptors.
        let mut media_engine = MediaEngine::default();
        crate::codec::register(&mut media_engine).map_err(|e| Error::from_webrtc("registering codecs failed", e))?;
        let registry = interceptors(&mut media_engine, shared.estimate.clone())
            .map_err(|e| Error::from_webrtc("registering interceptors failed", e))?;
        let at_build = configuration.to_webrtc_at_build(&shared.turn_streams.lock());
        let built = PeerConnectionBuilder::new()
            .with_configuration(at_build)
            .with_media_engine(media_engine)
            .with_interceptor_registry(registry)
            .with_setting_engine(settings)
            .with_handler(Arc::new(Handler(shared.clone())))
            .with_runtime(runtime)
            .with_udp_addrs(udp_addrs)
            .build()
            .await
            .map_err(|e| Error::from_webrtc("creating the RTCPeerConnection failed", e))?;
        let connection: Arc<dyn WebrtcPeerConnection> = Arc::new(built);
        let relay = configuration.relay_after_build(&shared.turn_streams.lock());
        if let Some(relay) = relay {
            connection
                .set_configuration(relay)
                .await
                .map_err(|e| Error::from_webrtc("creating the RTCPeerConnection failed", e))?;
        }
        let _ = shared.connection.set(Arc::downgrade(&connection));
        Ok(Self { connection, shared, configuration: Arc::new(Mutex::new(configuration)) })
    }

    /// A place on the connection's operations chain (see [`crate::operations`]): bindings
    /// take it when createOffer, createAnswer, setLocalDescription, setRemoteDescription or
    /// addIceCandidate is called, and run the operation with it.
    pub fn enqueue_operation(&self) -> crate::operations::Ticket {
        self.shared.operations.enqueue()
    }

    fn check_open(&self) -> Result<()> {
        if self.shared.is_closed() {
            return Err(Error::closed());
        }
        self.shared.runtime.poke();
        Ok(())
    }

    pub fn states(&self) -> States {
        *self.shared.states.lock()
    }

    pub fn signaling_state(&self) -> SignalingState {
        self.states().signaling
    }

    fn set_signaling(&self, state: SignalingState) {
        self.shared.update(
            |s| {
                let changed = s.signaling != state;
                s.signaling = state;
                changed
            },
            PeerConnectionEvent::SignalingStateChange(state),
        );
    }

    /// W3C's restartIce(): the next offer (createOffer, or setLocalDescription without one)
    /// restarts ICE with new credentials, and negotiationneeded fires when stable.
    pub fn restart_ice_now(&self) -> Result<()> {
        self.check_open()?;
        self.shared.ice_restart.store(true, Ordering::Release);
        self.shared.negotiation_needed();
        Ok(())
    }

    /// createOffer; `ice_restart` is W3C's RTCOfferOptions.iceRestart (restartIce() asks the
    /// same of the next offer).
    pub async fn create_offer(&self, ice_restart: bool) -> Result<SessionDescription> {
        self.check_open()?;
        let restart = self.shared.ice_restart.swap(false, Ordering::AcqRel) || ice_restart;
        let options = restart.then_some(rtc::peer_connection::configuration::RTCOfferOptions { ice_restart: true });
        let offer =
            self.connection.create_offer(options).await.map_err(|e| Error::from_webrtc("createOffer failed", e))?;
        self.check_open()?;
        let offer =
            SessionDescription::from_webrtc(&offer).ok_or_else(|| Error::operation("createOffer produced no offer"))?;
        self.reject_stopped(offer).await
    }

    /// A description whose stopped transceivers' sections are rejected (port 0), so the
    /// other side ends their tracks.
    async fn reject_stopped(&self, description: SessionDescription) -> Result<SessionDescription> {
        let rejected = self.with_stopped_rejected(description.clone()).await;
        if rejected.sdp != description.sdp {
            *self.shared.rejected.lock() = Some((rejected.sdp.clone(), description.sdp));
        }
        Ok(rejected)
    }

    async fn with_stopped_rejected(&self, mut description: SessionDescription) -> SessionDescription {
        let mut mids = Vec::new();
        for t in self.shared.transceivers().into_iter().filter(|t| t.is_stopped()) {
            if let Ok(Some(mid)) = t.inner.mid().await {
                mids.push(mid);
            }
        }
        description.sdp =
            self.shared.dialect.for_peer(&crate::session_description::reject_sections(&description.sdp, &mids));
        description
    }

    pub async fn create_answer(&self) -> Result<SessionDescription> {
        self.check_open()?;
        let state = self.signaling_state();
        if !matches!(state, SignalingState::HaveRemoteOffer | SignalingState::HaveLocalPranswer) {
            return Err(Error::invalid_state(format!(
                "createAnswer needs a remote offer first; the signaling state is {}",
                state.as_str()
            )));
        }
        let answer =
            self.connection.create_answer(None).await.map_err(|e| Error::from_webrtc("createAnswer failed", e))?;
        self.check_open()?;
        let answer = SessionDescription::from_webrtc(&answer)
            .ok_or_else(|| Error::operation("createAnswer produced no answer"))?;
        self.reject_stopped(answer).await
    }

    /// setLocalDescription; None creates the offer or answer the signaling state calls for.
    pub async fn set_local_description(&self, description: Option<SessionDescription>) -> Result<()> {
        self.check_open()?;
        let state = self.signaling_state();
        let description = match description {
            Some(d) => d,
            None => match state {
                SignalingState::Stable | SignalingState::HaveLocalOffer => self.create_offer(false).await?,
                _ => self.create_answer().await?,
            },
        };
        use SignalingState as S;
        let next = match (description.sdp_type, state) {
            (SdpType::Offer, S::Stable | S::HaveLocalOffer) => S::HaveLocalOffer,
            (SdpType::Answer, S::HaveRemoteOffer | S::HaveLocalPranswer) => S::Stable,
            (SdpType::Pranswer, S::HaveRemoteOffer | S::HaveLocalPranswer) => S::HaveLocalPranswer,
            (SdpType::Rollback, S::HaveLocalOffer) => S::Stable,
            (kind, state) => {
                return Err(Error::invalid_state(format!(
                    "cannot set a local {} in signaling state {}",
                    kind.as_str(),
                    state.as_str()
                )))
            }
        };
        // webrtc-rs checks that a local description is the one it made: a description whose
        // stopped sections rtckit rejected goes back to webrtc-rs as it made it.
        let made = self
            .shared
            .rejected
            .lock()
            .as_ref()
            .filter(|(ours, _)| *ours == description.sdp)
            .map(|(_, made)| made.clone());
        let parsed = SessionDescription { sdp: made.unwrap_or_else(|| description.sdp.clone()), ..description.clone() }
            .to_webrtc()?;
        if description.sdp_type == SdpType::Answer {
            self.bind_sender_codecs(&description.sdp).await;
        }
        // Its mids are in force before gathering starts, so that no candidate of it is dropped.
        let rollback = description.sdp_type == SdpType::Rollback;
        // New ICE credentials (the first description, or an ICE restart) start a gathering.
        let gathers = !rollback && {
            let previous = self.connection.local_description().await.map(|d| ice_ufrag(&d.sdp).to_owned());
            previous.is_none_or(|ufrag| ufrag != ice_ufrag(&description.sdp))
        };
        let done_before = self.shared.gatherings_done.load(Ordering::Acquire);
        let previous_mids =
            (!rollback).then(|| std::mem::replace(&mut *self.shared.local_mids.lock(), all_mids(&description.sdp)));
        if next == S::Stable {
            // webrtc-rs asks again on reaching "stable" if anything is left to negotiate.
            self.shared.negotiation_deferred.store(false, Ordering::Release);
        }
        if let Err(e) = self.connection.set_local_description(parsed).await {
            if let Some(previous) = previous_mids {
                *self.shared.local_mids.lock() = previous;
            }
            return Err(Error::from_webrtc("setLocalDescription failed", e));
        }
        if gathers {
            self.shared.gatherings_awaited.store(done_before + 1, Ordering::Release);
            // W3C's "gathering" (and its event) for a restart, which webrtc-rs does not
            // report; unless this gathering has already ended.
            let mut states = self.shared.states.lock();
            if self.shared.gatherings_done.load(Ordering::Acquire) == done_before
                && set(&mut states.ice_gathering, "gathering")
            {
                self.shared.events.push(PeerConnectionEvent::IceGatheringStateChange);
            }
        }
        self.check_open()?;
        if rollback {
            let in_force = self.connection.local_description().await.map(|d| all_mids(&d.sdp));
            *self.shared.local_mids.lock() = in_force.unwrap_or_default();
        }
        self.set_signaling(next);
        Ok(())
    }

    pub async fn set_remote_description(&self, description: SessionDescription) -> Result<()> {
        self.check_open()?;
        // W3C: an offer that meets our own (glare, as in perfect negotiation's polite peer)
        // rolls ours back first.
        if description.sdp_type == SdpType::Offer && self.signaling_state() == SignalingState::HaveLocalOffer {
            let rollback = SessionDescription { sdp_type: SdpType::Rollback, sdp: String::new() };
            self.set_local_description(Some(rollback)).await?;
        }
        let state = self.signaling_state();
        use SignalingState as S;
        let next = match (description.sdp_type, state) {
            (SdpType::Offer, S::Stable | S::HaveRemoteOffer) => S::HaveRemoteOffer,
            (SdpType::Answer, S::HaveLocalOffer | S::HaveRemotePranswer) => S::Stable,
            (SdpType::Pranswer, S::HaveLocalOffer | S::HaveRemotePranswer) => S::HaveRemotePranswer,
            (SdpType::Rollback, S::HaveRemoteOffer) => S::Stable,
            (kind, state) => {
                return Err(Error::invalid_state(format!(
                    "cannot set a remote {} in signaling state {}",
                    kind.as_str(),
                    state.as_str()
                )))
            }
        };
        let parsed = self.shared.dialect.to_webrtc(&description)?;
        if description.sdp_type != SdpType::Rollback {
            let offer = match description.sdp_type {
                SdpType::Offer => None,
                _ => self.local_description().await,
            };
            crate::session_description::check_applicable(&description, offer.as_ref())?;
        }
        if description.sdp_type == SdpType::Answer {
            self.bind_sender_codecs(&description.sdp).await;
        }
        let had_pending =
            description.sdp_type == SdpType::Offer && self.connection.pending_remote_description().await.is_some();
        if next == S::Stable {
            self.shared.negotiation_deferred.store(false, Ordering::Release);
        }
        if let Err(e) = self.connection.set_remote_description(parsed).await {
            // webrtc-rs can refuse an offer after taking it as pending (a bad fingerprint is
            // found late): W3C leaves the connection as it was, so the half-taken offer is
            // rolled back, or every later offer would be refused.
            if description.sdp_type == SdpType::Offer
                && !had_pending
                && self.connection.pending_remote_description().await.is_some()
            {
                if let Ok(rollback) = webrtc::peer_connection::RTCSessionDescription::rollback(None) {
                    let _ = self.connection.set_remote_description(rollback).await;
                }
            }
            return Err(Error::from_webrtc("setRemoteDescription failed", e));
        }
        self.check_open()?;
        let mut tracks = Vec::new();
        if description.sdp_type != SdpType::Rollback {
            let sections = media_sections(&description.sdp);
            self.shared.sync_transceivers(&self.connection, &sections, None).await;
            for transceiver in self.shared.transceivers() {
                let preferences = transceiver.preferences.lock().clone();
                if !preferences.is_empty() {
                    let _ = transceiver.inner.set_codec_preferences(preferences).await;
                }
            }
            tracks = self.apply_remote_tracks(&sections).await;
            let remote = match description.max_message_size() {
                Some(0) => LOCAL_MAX_MESSAGE_SIZE,
                Some(n) => n,
                None => DEFAULT_REMOTE_MAX_MESSAGE_SIZE,
            };
            self.shared.max_message_size.store(remote.min(LOCAL_MAX_MESSAGE_SIZE), Ordering::Relaxed);
        }
        if matches!(description.sdp_type, SdpType::Offer | SdpType::Answer | SdpType::Pranswer) {
            self.add_mdns_candidates_of(&description.sdp);
        }
        self.set_signaling(next);
        // W3C: the track events follow signalingstatechange, before the promise resolves.
        for (track, streams) in tracks {
            if !self.shared.is_closed() {
                self.shared.events.push(PeerConnectionEvent::Track(track, streams));
            }
        }
        Ok(())
    }

    /// W3C's processing of a remote description's media sections: a section the remote sends
    /// on adds its receiver's track to the sender's streams and fires `track` (once, until the
    /// remote stops sending there); one it no longer sends on mutes the track; a rejected one
    /// stops the transceiver, ending the track. The track events due, in order.
    async fn apply_remote_tracks(
        &self,
        sections: &[crate::session_description::MediaSection],
    ) -> Vec<(MediaStreamTrack, Vec<MediaStream>)> {
        let mut events = Vec::new();
        for transceiver in self.shared.transceivers() {
            let Some(mid) = transceiver.inner.mid().await.ok().flatten() else { continue };
            let Some(section) = sections.iter().find(|m| m.mid.as_deref() == Some(mid.as_str())) else { continue };
            if transceiver.is_stopped() {
                continue;
            }
            if section.rejected {
                transceiver.stopped.store(true, Ordering::Release);
                transceiver.sender.stop();
                transceiver.receiver.end(true);
            } else if matches!(section.direction, "sendrecv" | "sendonly") {
                let streams: Vec<MediaStream> =
                    section.stream_ids.iter().map(|id| self.shared.remote_stream(id)).collect();
                if transceiver.receiver.start_receiving(streams.clone()) {
                    events.push((transceiver.receiver_track(), streams));
                }
            } else {
                transceiver.receiver.stop_receiving();
            }
        }
        events
    }

    /// Before an answer completes negotiation: each sender's track names the codec the answer
    /// chose for its m-section (see RtpSender::bind_codec).
    async fn bind_sender_codecs(&self, answer: &str) {
        let sections = crate::session_description::media_sections(answer);
        for transceiver in self.shared.transceivers() {
            if !transceiver.sender.is_attached() {
                continue;
            }
            let Ok(Some(mid)) = transceiver.inner.mid().await else { continue };
            let chosen = sections
                .iter()
                .find(|s| s.mid.as_deref() == Some(mid.as_str()))
                .and_then(|s| s.codecs.iter().find_map(|name| crate::codec::CodecName::from_mime(name)));
            if let Some(codec) = chosen {
                transceiver.sender.bind_codec(codec).await;
            }
        }
    }

    /// addIceCandidate; None (or an empty candidate) marks the end of remote candidates.
    pub async fn add_ice_candidate(&self, candidate: Option<IceCandidate>) -> Result<()> {
        self.check_open()?;
        if let Some(c) = &candidate {
            if c.sdp_mid.as_deref().unwrap_or("").is_empty() && c.sdp_mline_index.is_none() {
                return Err(Error::type_error("a candidate needs an sdpMid or an sdpMLineIndex"));
            }
        }
        let fields = match &candidate {
            Some(c) if !c.is_end_of_candidates() => Some(c.fields()?),
            _ => None,
        };
        // webrtc-rs' own view, so a candidate added while setRemoteDescription is settling
        // is judged by the description it will be matched against.
        let Some(remote) = self.connection.remote_description().await else {
            return Err(Error::invalid_state(
                "addIceCandidate needs a remote description first; call setRemoteDescription before adding candidates",
            ));
        };
        let (Some(mut candidate), Some(fields)) = (candidate, fields) else {
            return Ok(()); // end-of-candidates
        };
        if candidate.sdp_mid.as_deref() == Some("") {
            candidate.sdp_mid = None;
        }
        if let Some(mid) = &candidate.sdp_mid {
            let known = remote.sdp.lines().any(|l| l.trim() == format!("a=mid:{mid}"));
            if !known {
                return Err(Error::operation(format!(
                    "the candidate's sdpMid {mid:?} matches no m-section of the remote description"
                )));
            }
        } else if let Some(index) = candidate.sdp_mline_index {
            let sections = remote.sdp.lines().filter(|l| l.starts_with("m=")).count();
            if index as usize >= sections {
                return Err(Error::operation(format!(
                    "the candidate's sdpMLineIndex {index} is past the remote description's {sections} m-sections"
                )));
            }
        }
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate.clone(),
            sdp_mid: candidate.sdp_mid.clone(),
            sdp_mline_index: candidate.sdp_mline_index,
            username_fragment: candidate.username_fragment.clone(),
            url: None,
        };
        if fields.address.ends_with(".local") {
            // Resolved in the background: the promise does not wait on multicast, as in a
            // browser.
            self.add_mdns_candidate(init, fields.address);
            return Ok(());
        }
        self.connection
            .add_ice_candidate(init)
            .await
            .map_err(|e| Error::new(ErrorKind::OperationError, format!("addIceCandidate failed: {e}")))
    }

    /// Resolves a remote candidate's mDNS name (mdns.rs) and adds the candidate with the
    /// address found, unless the connection has closed or restarted ICE meanwhile; a name
    /// that cannot be resolved leaves the candidate out, with a warning saying why.
    fn add_mdns_candidate(&self, mut candidate: RTCIceCandidateInit, name: String) {
        let connection = self.connection.clone();
        let shared = Arc::downgrade(&self.shared);
        handle().spawn(async move {
            let ufrags = |sdp: &str| {
                sdp.lines().filter(|l| l.starts_with("a=ice-ufrag:")).map(str::to_owned).collect::<Vec<_>>()
            };
            let before = connection.remote_description().await.map(|d| ufrags(&d.sdp));
            let ip = match crate::mdns::resolve(&name).await {
                Ok(ip) => ip,
                Err(why) => {
                    log::warn!("rtckit ignores the remote candidate {name}: {why}");
                    return;
                }
            };
            let open = shared.upgrade().is_some_and(|s| !s.is_closed());
            if !open || connection.remote_description().await.map(|d| ufrags(&d.sdp)) != before {
                return;
            }
            log::debug!("rtckit resolved the remote candidate {name} to {ip}");
            candidate.candidate = candidate.candidate.replacen(&format!(" {name} "), &format!(" {ip} "), 1);
            if let Err(e) = connection.add_ice_candidate(candidate).await {
                log::warn!("rtckit could not add the remote candidate {name} ({ip}): {e}");
            }
        });
    }

    /// A remote description's own mDNS candidates (a browser's offer sent once gathering
    /// completed), which webrtc-rs drops: each is resolved as if added on its own.
    fn add_mdns_candidates_of(&self, sdp: &str) {
        let mut mid = None;
        let mut index: Option<u16> = None;
        for line in sdp.lines().map(str::trim) {
            if line.starts_with("m=") {
                index = Some(index.map_or(0, |i| i + 1));
                mid = None;
            } else if let Some(m) = line.strip_prefix("a=mid:") {
                mid = Some(m.to_owned());
            } else if let Some(candidate) = line.strip_prefix("a=") {
                if !candidate.starts_with("candidate:") {
                    continue;
                }
                let Ok(fields) = crate::ice_candidate::parse(candidate) else { continue };
                if !fields.address.ends_with(".local") {
                    continue;
                }
                let init = RTCIceCandidateInit {
                    candidate: candidate.to_owned(),
                    sdp_mid: mid.clone(),
                    sdp_mline_index: index,
                    username_fragment: None,
                    url: None,
                };
                self.add_mdns_candidate(init, fields.address);
            }
        }
    }

    pub async fn local_description(&self) -> Option<SessionDescription> {
        let desc = self.connection.local_description().await?;
        Some(self.with_stopped_rejected(SessionDescription::from_webrtc(&desc)?).await)
    }

    pub async fn remote_description(&self) -> Option<SessionDescription> {
        let desc = self.connection.remote_description().await?;
        SessionDescription::from_webrtc(&desc).map(|d| self.shared.dialect.as_sent(d))
    }

    /// localDescription for bindings whose getter is synchronous.
    pub fn local_description_now(&self) -> Option<SessionDescription> {
        let this = self.clone();
        block_on(async move { this.local_description().await })
    }

    /// remoteDescription for bindings whose getter is synchronous.
    pub fn remote_description_now(&self) -> Option<SessionDescription> {
        let this = self.clone();
        block_on(async move { this.remote_description().await })
    }

    /// createDataChannel is synchronous in the W3C API.
    pub fn create_data_channel_now(&self, label: &str, init: DataChannelInit) -> Result<DataChannel> {
        let this = self.clone();
        let label = label.to_owned();
        block_on(async move { this.create_data_channel(&label, init).await })
    }

    pub fn get_configuration(&self) -> Configuration {
        self.configuration.lock().clone()
    }

    /// setConfiguration: ICE servers and the transport policy may change, the rest may not
    /// (see Configuration::modified). webrtc-rs uses them from the next gathering, and keeps
    /// its previous servers when given none.
    pub async fn set_configuration(&self, configuration: Configuration) -> Result<()> {
        self.check_open()?;
        let has_local = self.connection.local_description().await.is_some();
        let next = self.get_configuration().modified(configuration, has_local)?;
        let webrtc = {
            let mut streams = self.shared.turn_streams.lock();
            streams.update(&next.ice_servers);
            next.to_webrtc(&streams)
        };
        self.connection
            .set_configuration(webrtc)
            .await
            .map_err(|e| Error::from_webrtc("setConfiguration failed", e))?;
        *self.configuration.lock() = next;
        Ok(())
    }

    /// setConfiguration is synchronous in the W3C API.
    pub fn set_configuration_now(&self, configuration: Configuration) -> Result<()> {
        let this = self.clone();
        block_on(async move { this.set_configuration(configuration).await })
    }

    pub async fn create_data_channel(&self, label: &str, init: DataChannelInit) -> Result<DataChannel> {
        self.check_open()?;
        if label.len() > 65535 {
            return Err(Error::type_error("a data channel label is at most 65535 bytes"));
        }
        if init.protocol.as_ref().is_some_and(|p| p.len() > 65535) {
            return Err(Error::type_error("a data channel protocol is at most 65535 bytes"));
        }
        if init.max_packet_life_time.is_some() && init.max_retransmits.is_some() {
            return Err(Error::type_error("set maxPacketLifeTime or maxRetransmits, not both"));
        }
        let negotiated = init.negotiated.unwrap_or(false);
        let id = match (negotiated, init.id) {
            (true, None) => {
                return Err(Error::type_error("a negotiated data channel needs an id"));
            }
            (true, Some(id)) if id > 65534 => {
                return Err(Error::type_error(format!("data channel id {id} is over 65534")));
            }
            (true, Some(id)) => Some(id as u16),
            (false, _) => None,
        };
        let options = rtc::data_channel::RTCDataChannelInit {
            ordered: init.ordered.unwrap_or(true),
            max_packet_life_time: init.max_packet_life_time.map(|v| v.min(u16::MAX as u32) as u16),
            max_retransmits: init.max_retransmits.map(|v| v.min(u16::MAX as u32) as u16),
            protocol: init.protocol.clone().unwrap_or_default(),
            negotiated: id,
        };
        let channel = self
            .connection
            .create_data_channel(label, Some(options))
            .await
            .map_err(|e| Error::from_webrtc("createDataChannel failed", e))?;
        let dc = DataChannel::new_local(
            channel,
            Arc::downgrade(&self.connection),
            label,
            &init,
            self.shared.max_message_size.clone(),
        );
        self.shared.track_channel(&dc);
        Ok(dc)
    }

    /// addTrack: sends the track with the negotiated codec and returns its sender (that of a
    /// transceiver of its kind that sends nothing, as W3C and webrtc-rs reuse one, or of a
    /// new one); renegotiate after.
    pub async fn add_track(&self, track: &MediaStreamTrack, stream_ids: Vec<String>) -> Result<RtpSender> {
        self.check_open()?;
        if self.get_senders().iter().any(|s| s.track().is_some_and(|t| t.id() == track.id())) {
            return Err(Error::new(
                ErrorKind::InvalidAccessError,
                "this track is already being sent on this connection",
            ));
        }
        let attached =
            crate::rtp_sender::add_to(&self.connection, track.kind(), Some(track), &stream_ids, None).await?;
        self.shared.start_sender(&self.connection, attached, track.kind(), Some(track)).await.map(|t| t.sender)
    }

    /// Asks the sender of a received track for a key frame (RTCP PLI), as the receiver does
    /// by itself when a frame does not decode.
    #[cfg_attr(not(test), allow(dead_code))] // the receiver asks by itself; tests ask directly
    pub(crate) async fn request_key_frame(&self, track: &MediaStreamTrack) -> Result<()> {
        let receiver =
            self.shared.transceivers().into_iter().find(|t| t.receiver.track().id() == track.id()).map(|t| t.receiver);
        let remote = receiver.and_then(|r| r.remote()).ok_or_else(|| {
            Error::new(ErrorKind::InvalidAccessError, "not a track this connection receives media on")
        })?;
        crate::rtp_receiver::request_key_frame(&remote).await;
        Ok(())
    }

    /// getSenders: addTrack's senders, including removed ones (whose track is None).
    /// getStats: every stats object of the connection, in its W3C shape.
    pub async fn get_stats(&self) -> Result<Vec<crate::stats::Stats>> {
        self.check_open()?;
        let senders = self.get_senders();
        let receivers: Vec<_> = self.shared.transceivers().iter().map(|t| t.receiver.counters().clone()).collect();
        let estimate = self.available_outgoing_bitrate();
        let turn_url = |url: &str| self.shared.turn_streams.lock().user_url(url);
        Ok(crate::stats::report(&self.connection, &senders, &receivers, estimate, turn_url).await)
    }

    /// getStats(track): the stats of the sender sending the track with `track_id`, or of the
    /// receiver getting it, and all they refer to (W3C's stats selection); InvalidAccessError
    /// if neither.
    pub async fn get_stats_of_track(&self, track_id: &str) -> Result<Vec<crate::stats::Stats>> {
        let report = self.get_stats().await?;
        let sender = self.get_senders().into_iter().find(|s| s.track().is_some_and(|t| t.id() == track_id));
        if let Some(sender) = sender {
            return Ok(crate::stats::select(report, "outbound-rtp", sender.ssrc()));
        }
        let receiver = self
            .shared
            .transceivers()
            .into_iter()
            .map(|t| t.receiver.counters().clone())
            .find(|c| c.track_id == track_id);
        match receiver {
            Some(c) => Ok(crate::stats::select(report, "inbound-rtp", c.ssrc.load(Ordering::Relaxed))),
            None => Err(Error::new(
                crate::ErrorKind::InvalidAccessError,
                "getStats: no sender or receiver of this connection has that track",
            )),
        }
    }

    /// getStats(selector) as a JSON array of stats objects, what the bindings hand their
    /// languages.
    pub async fn get_stats_json(&self, selector: Option<&str>) -> Result<String> {
        let stats = match selector {
            Some(track_id) => self.get_stats_of_track(track_id).await?,
            None => self.get_stats().await?,
        };
        Ok(serde_json::Value::Array(stats.into_iter().map(serde_json::Value::Object).collect()).to_string())
    }

    /// The send-side bandwidth estimate in bits per second (W3C candidate-pair
    /// availableOutgoingBitrate); None before the first congestion feedback.
    pub fn available_outgoing_bitrate(&self) -> Option<u32> {
        Some(self.shared.estimate.load(Ordering::Relaxed)).filter(|&b| b > 0)
    }

    /// getSenders: each transceiver's sender, including those that send nothing (made
    /// from a kind, by a remote offer, or after removeTrack).
    pub fn get_senders(&self) -> Vec<RtpSender> {
        self.shared.transceivers().into_iter().filter(|t| !t.is_stopped()).map(|t| t.sender).collect()
    }

    /// getReceivers: each transceiver's receiver.
    pub fn get_receivers(&self) -> Vec<crate::rtp_receiver::RtpReceiver> {
        self.shared.transceivers().into_iter().filter(|t| !t.is_stopped()).map(|t| t.receiver).collect()
    }

    /// removeTrack: stops sending the sender's track; renegotiate after, and the other
    /// side's track ends.
    pub async fn remove_track(&self, sender: &RtpSender) -> Result<()> {
        self.check_open()?;
        if !self.get_senders().iter().any(|s| s.same(sender)) {
            return Err(Error::new(ErrorKind::InvalidAccessError, "this sender does not belong to this connection"));
        }
        if sender.track().is_none() {
            return Ok(());
        }
        sender.replace_track(None)?;
        let Some(webrtc) = sender.webrtc() else { return Ok(()) };
        self.connection.remove_track(&webrtc).await.map_err(|e| Error::from_webrtc("removeTrack failed", e))
    }

    /// getTransceivers, in creation order.
    pub async fn get_transceivers(&self) -> Vec<RtpTransceiver> {
        self.shared.transceivers()
    }

    /// The transceiver of `sender`.
    pub fn transceiver_of_sender(&self, sender: &RtpSender) -> Option<RtpTransceiver> {
        self.shared.transceivers().into_iter().find(|t| t.sender.same(sender))
    }

    /// The transceiver whose receiver's track is `track` (for the track event).
    pub fn transceiver_of_track_now(&self, track: &MediaStreamTrack) -> Option<RtpTransceiver> {
        self.shared.transceivers().into_iter().find(|t| t.receiver.track().id() == track.id())
    }

    pub fn get_transceivers_now(&self) -> Vec<RtpTransceiver> {
        self.shared.transceivers()
    }

    /// addTransceiver(kind, {direction}): an m-section to receive on (a server that offers to
    /// receive a browser's camera). Its sender sends nothing: rtckit sends only the tracks
    /// given to addTrack or addTransceiver(track).
    pub async fn add_transceiver_of_kind(&self, kind: TrackKind, direction: &str) -> Result<RtpTransceiver> {
        self.check_open()?;
        let direction = parse_direction(direction)?;
        if direction.has_send() {
            // A sender with no track yet: it sends once replaceTrack gives it one.
            let attached = crate::rtp_sender::add_to(&self.connection, kind, None, &[], Some(direction)).await?;
            return self.shared.start_sender(&self.connection, attached, kind, None).await;
        }
        // webrtc-rs makes receiving transceivers only: an inactive one is made so, then set.
        let init = RTCRtpTransceiverInit { direction: Direction::Recvonly, streams: vec![], send_encodings: vec![] };
        let inner = self
            .connection
            .add_transceiver_from_kind(kind.rtp(), Some(init))
            .await
            .map_err(|e| Error::from_webrtc("addTransceiver failed", e))?;
        if direction != Direction::Recvonly {
            inner.set_direction(direction).await.map_err(|e| Error::from_webrtc("addTransceiver failed", e))?;
        }
        self.shared.sync_transceivers(&self.connection, &[], Some(kind)).await;
        self.transceiver_of(inner.id())
    }

    /// addTransceiver(track, {direction, streams}): sends the track as addTrack does, on a
    /// new m-section with that direction.
    pub async fn add_transceiver_of_track(
        &self,
        track: &MediaStreamTrack,
        direction: &str,
        stream_ids: Vec<String>,
    ) -> Result<RtpTransceiver> {
        self.check_open()?;
        let direction = parse_direction(direction)?;
        let attached =
            crate::rtp_sender::add_to(&self.connection, track.kind(), Some(track), &stream_ids, Some(direction))
                .await?;
        self.shared.start_sender(&self.connection, attached, track.kind(), Some(track)).await
    }

    fn transceiver_of(&self, id: usize) -> Result<RtpTransceiver> {
        self.shared
            .transceivers()
            .into_iter()
            .find(|t| t.inner.id() == id)
            .ok_or_else(|| Error::operation("the new transceiver is missing"))
    }

    pub fn add_transceiver_now(
        &self,
        kind: Option<TrackKind>,
        track: Option<&MediaStreamTrack>,
        direction: &str,
        stream_ids: Vec<String>,
    ) -> Result<RtpTransceiver> {
        let (this, track, direction) = (self.clone(), track.cloned(), direction.to_owned());
        block_on(async move {
            match (track, kind) {
                (Some(track), _) => this.add_transceiver_of_track(&track, &direction, stream_ids).await,
                (None, Some(kind)) => this.add_transceiver_of_kind(kind, &direction).await,
                (None, None) => Err(Error::type_error("addTransceiver takes a track or a kind")),
            }
        })
    }

    /// removeTrack is synchronous in the W3C API.
    pub fn remove_track_now(&self, sender: &RtpSender) -> Result<()> {
        let (this, sender) = (self.clone(), sender.clone());
        block_on(async move { this.remove_track(&sender).await })
    }

    /// addTrack is synchronous in the W3C API.
    pub fn add_track_now(&self, track: &MediaStreamTrack, stream_ids: Vec<String>) -> Result<RtpSender> {
        let this = self.clone();
        let track = track.clone();
        block_on(async move { this.add_track(&track, stream_ids).await })
    }

    /// Marks the connection closed at once (states, channels, event stream), as W3C close()
    /// does synchronously; the channels that were open, or None if it already was closed.
    fn begin_close(&self) -> Option<Vec<DataChannel>> {
        if self.shared.closed.swap(true, Ordering::AcqRel) {
            return None;
        }
        {
            let mut states = self.shared.states.lock();
            states.signaling = SignalingState::Closed;
            states.ice_connection = "closed";
            states.connection = "closed";
        }
        for transceiver in self.shared.transceivers() {
            transceiver.sender.stop();
            transceiver.receiver.end(false);
        }
        let channels: Vec<_> = std::mem::take(&mut *self.shared.channels.lock());
        let channels: Vec<DataChannel> =
            channels.into_iter().filter_map(|c| c.upgrade()).map(DataChannel::from_inner).collect();
        for channel in &channels {
            channel.connection_closed();
        }
        self.shared.events.close();
        self.shared.gathered.notify_waiters();
        Some(channels)
    }

    /// Releases the connection. Each channel's stream is reset first, so the other side's
    /// channels close at once even if the DTLS close_notify is lost as the driver stops.
    async fn finish_close(
        connection: Arc<dyn WebrtcPeerConnection>,
        shared: Arc<Shared>,
        channels: Vec<DataChannel>,
    ) -> Result<()> {
        if !channels.is_empty() {
            for channel in &channels {
                channel.reset_stream().await;
            }
            // Let the driver flush the resets before it stops.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let closed = connection.close().await.map_err(|e| Error::from_webrtc("close failed", e));
        // Closing a TURN server's TCP or TLS connection ends its allocation there too.
        shared.turn_streams.lock().update(&[]);
        closed
    }

    /// Closes the connection and its channels, and waits for its sockets to be released.
    /// Idempotent. Ends the event stream.
    pub async fn close(&self) -> Result<()> {
        let Some(channels) = self.begin_close() else { return Ok(()) };
        let result = Self::finish_close(self.connection.clone(), self.shared.clone(), channels).await;
        self.shared.runtime.settle();
        result
    }

    /// Closes now and releases the sockets in the background (the browser's void close()).
    pub fn close_now(&self) {
        if let Some(channels) = self.begin_close() {
            let (connection, shared) = (self.connection.clone(), self.shared.clone());
            handle().spawn(async move {
                let _ = Self::finish_close(connection, shared, channels).await;
            });
        }
    }

    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// The next batch of events; empty once the connection is closed and drained.
    pub async fn next_events(&self) -> Vec<PeerConnectionEvent> {
        let mut events = self.shared.events.next_batch().await;
        self.drop_stale_candidates(&mut events);
        events
    }

    fn drop_stale_candidates(&self, events: &mut Vec<PeerConnectionEvent>) {
        let mids = self.shared.local_mids.lock();
        events.retain(|e| match e {
            PeerConnectionEvent::IceCandidate(Some(c)) => c.sdp_mid.as_ref().is_none_or(|m| mids.contains(m)),
            _ => true,
        });
    }

    /// Events without waiting, for a binding that was told by its listener; `true` once the
    /// stream has ended.
    pub fn take_events(&self) -> (Vec<PeerConnectionEvent>, bool) {
        let (mut events, ended) = self.shared.events.take_batch();
        self.drop_stale_candidates(&mut events);
        (events, ended)
    }

    /// Waits until ICE gathering is complete (or the connection closed): aiortc's
    /// setLocalDescription returns then, with every candidate in localDescription.
    pub async fn gathering_complete(&self) {
        loop {
            let woken = self.shared.gathered.notified();
            let done = self.shared.gatherings_done.load(Ordering::Acquire)
                >= self.shared.gatherings_awaited.load(Ordering::Acquire);
            if self.is_closed() || (done && self.states().ice_gathering == "complete") {
                return;
            }
            woken.await;
        }
    }

    /// Calls `listener` whenever events become available (see [`crate::events::Listener`]).
    pub fn set_event_listener(&self, listener: crate::events::Listener) {
        self.shared.events.set_listener(listener)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::source::MediaSource;
    use crate::track::MediaFrame;

    async fn until(what: &str, mut done: impl FnMut() -> bool) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while !done() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_keyframe_request_is_answered_with_a_key_frame() {
        let config = || Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() };
        let (a, b) = (PeerConnection::build(config()).await.unwrap(), PeerConnection::build(config()).await.unwrap());
        let source = MediaSource::new(TrackKind::Video, "pushed");
        let sender = a.add_track(&source.create_track().unwrap(), vec![]).await.unwrap();
        a.set_local_description(None).await.unwrap();
        while a.states().ice_gathering != "complete" {
            a.next_events().await;
        }
        b.set_remote_description(a.local_description().await.unwrap()).await.unwrap();
        b.set_local_description(None).await.unwrap();
        a.set_remote_description(b.local_description().await.unwrap()).await.unwrap();
        // Frames are pushed one at a time, far fewer than the 60 between periodic key frames:
        // any key frame after the first answers the request.
        let push = || source.push(MediaFrame::Video(crate::frame::VideoFrame::black(64, 48).unwrap())).unwrap();
        let remote = loop {
            push();
            let events = tokio::time::timeout(Duration::from_millis(50), b.next_events()).await.unwrap_or_default();
            if let Some(PeerConnectionEvent::Track(t, _)) = events.into_iter().find(|e| e.name() == "track") {
                break t;
            }
        };
        let mut frames = remote.subscribe();
        // The first frames may precede what the receiver can decode (it then asks for a key
        // frame by itself): push until one arrives.
        let mut pushed = 0;
        loop {
            push();
            pushed += 1;
            if let Ok(frame) = tokio::time::timeout(Duration::from_millis(200), frames.recv()).await {
                frame.unwrap();
                break;
            }
            assert!(pushed < 10, "no frame arrived");
        }
        let (keys, requests) = (sender.key_frames_encoded(), sender.key_frame_requests());
        assert!(keys >= 1);

        b.request_key_frame(&remote).await.unwrap();
        until("the request to arrive", || sender.key_frame_requests() > requests).await;
        // At most 20 more frames: with the ones before, still fewer than the 60 between
        // periodic key frames, so only the request can bring one.
        let mut pushed = 0;
        while sender.key_frames_encoded() == keys {
            assert!(pushed < 20, "no key frame answered the request");
            push();
            pushed += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(b.request_key_frame(&source.create_track().unwrap()).await.is_err());
        source.close();
        a.close().await.unwrap();
        b.close().await.unwrap();
    }
}
