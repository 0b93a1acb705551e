"""RTCPeerConnection, with aiortc's names and asyncio methods."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Iterable, Optional

from . import _native
from .configuration import RTCConfiguration, from_native, native_args
from .data_channel import RTCDataChannel
from .events import EventEmitter, hub
from .ice_candidate import RTCIceCandidate, RTCPeerConnectionIceErrorEvent
from .ice_candidate import as_tuple as candidate_tuple
from .exceptions import InternalError, RTCTypeError
from .stats import RTCStatsReport
from .session_description import RTCSessionDescription
from .rtp_sender import RTCRtpReceiver, RTCRtpSender
from .rtp_transceiver import RTCRtpTransceiver
from .sctp_transport import RTCSctpTransport
from .track import MediaStream, MediaStreamTrack, _track_of
from .session_description import as_tuple as description_tuple


def _description(value: Optional[tuple[str, str]]) -> Optional[RTCSessionDescription]:
    if value is None:
        return None
    kind, sdp = value
    return RTCSessionDescription(sdp=sdp, type=kind)


class RTCPeerConnection(EventEmitter):
    """A WebRTC peer connection.

    Events: icecandidate (RTCIceCandidate or None), icecandidateerror
    (RTCPeerConnectionIceErrorEvent), icegatheringstatechange,
    iceconnectionstatechange, connectionstatechange, signalingstatechange,
    negotiationneeded, datachannel (RTCDataChannel), track (MediaStreamTrack, as aiortc).
    """

    def __init__(self, configuration: Any = None) -> None:
        super().__init__()
        self._native = _native.PeerConnection(native_args(configuration))
        self.onicecandidate = None
        self.onicecandidateerror = None
        self.onicegatheringstatechange = None
        self.oniceconnectionstatechange = None
        self.onconnectionstatechange = None
        self.onsignalingstatechange = None
        self.onnegotiationneeded = None
        self.ondatachannel = None
        self.ontrack = None
        # One Python object per transceiver (core keeps what belongs to which).
        self._transceivers: dict[int, RTCRtpTransceiver] = {}
        self._sctp: Optional[RTCSctpTransport] = None
        self._has_channels = False
        self._signaling = "stable"  # as of the last signalingstatechange dispatched
        self._holding = 0  # signaling calls in progress
        self._held: list = []  # the events held meanwhile (see _HELD)
        hub.register(self)  # events are delivered once an asyncio loop runs

    # -- events ---------------------------------------------------------------------------

    def _start(self) -> None:
        hub.attach()

    def _on_listener_added(self) -> None:
        self._start()

    def _dispatch(self, name: str, value: Any) -> None:
        if self._holding and name in self._HELD:
            self._held.append((name, value))
        elif name == "icecandidate":
            candidate = None if value is None else RTCIceCandidate(*value)
            self.emit("icecandidate", candidate)
        elif name == "signalingstatechange":
            self._signaling = value
            self.emit(name)
        elif name == "icecandidateerror":
            self.emit(name, RTCPeerConnectionIceErrorEvent(*value))
        elif name == "track":
            self.emit("track", _track_of(value))  # aiortc's track event carries the track
        elif name == "datachannel":
            self._has_channels = True
            channel = RTCDataChannel(value)
            self.emit("datachannel", channel)
            # After the handlers (and the first step of async ones) have attached theirs.
            asyncio.get_running_loop().call_soon(hub.register, channel)
        else:
            self.emit(name)

    # -- state ----------------------------------------------------------------------------

    @property
    def signalingState(self) -> str:
        """The state its last signalingstatechange event announced (each in turn, as in a
        browser: an implicit rollback passes through "stable"); "closed" once closed."""
        native = self._native.states()[0]
        return native if native == "closed" else self._signaling

    @property
    def iceGatheringState(self) -> str:
        return self._native.states()[1]

    @property
    def iceConnectionState(self) -> str:
        """aiortc's vocabulary: "completed" once connected (aiortc never says "connected")."""
        state = self._native.states()[2]
        return "completed" if state == "connected" else state

    @property
    def sctp(self) -> Optional[RTCSctpTransport]:
        """The SCTP transport of data channels, once a channel or a description has one
        (None before), as aiortc's."""
        if self._sctp is None and (self._has_channels or self._describes("m=application")):
            self._sctp = RTCSctpTransport(self)
        return self._sctp

    def _describes(self, text: str) -> bool:
        return any(d is not None and text in d[1] for d in (self._native.local_description(), self._native.remote_description()))

    @property
    def connectionState(self) -> str:
        return self._native.states()[3]

    @property
    def localDescription(self) -> Optional[RTCSessionDescription]:
        """The local description with every candidate gathered so far."""
        return _description(self._native.local_description())

    @property
    def remoteDescription(self) -> Optional[RTCSessionDescription]:
        return _description(self._native.remote_description())

    def getConfiguration(self) -> RTCConfiguration:
        """The configuration as set (aiortc's dataclass, its enums equal to their strings),
        with rtckit's extras."""
        return from_native(self._native.get_configuration())

    def setConfiguration(self, configuration: Any) -> None:
        """W3C's setConfiguration: the ICE servers and transport policy may change;
        bundlePolicy, rtcpMuxPolicy, certificates, iceCandidatePoolSize (once
        setLocalDescription was called), portRange and bindAddresses may not
        (InvalidModificationError). portRange and bindAddresses left out keep their value."""
        self._native.set_configuration(native_args(configuration))

    # -- negotiation ----------------------------------------------------------------------

    def restartIce(self) -> None:
        """W3C's restartIce(): the next offer gets new ICE credentials (negotiationneeded
        fires when stable). aiortc has no ICE restart."""
        self._native.restart_ice()

    async def createOffer(self, iceRestart: bool = False) -> RTCSessionDescription:
        self._start()
        self._hold()
        try:
            return _description(await self._native.create_offer(bool(iceRestart)))  # type: ignore[return-value]
        finally:
            self._release_soon()

    async def createAnswer(self) -> RTCSessionDescription:
        self._start()
        self._hold()
        try:
            return _description(await self._native.create_answer())  # type: ignore[return-value]
        finally:
            self._release_soon()

    async def setLocalDescription(self, description: Any = None) -> None:
        """Applies the local description and returns once ICE gathering is complete, as
        aiortc's does: localDescription then carries every candidate. The gathering's
        icecandidate and icegatheringstatechange events still fire, for trickle, once it
        has returned."""
        self._start()
        value = None if description is None else description_tuple(description)
        self._hold()
        try:
            await self._native.set_local_description(value)
            await self._native.gathering_complete()
            if value is not None and value[0] == "rollback":
                # The candidates gathered for a rolled-back offer name its m-sections.
                hub.deliver(self)
                self._held = [(n, v) for n, v in self._held if n == "negotiationneeded"]
        finally:
            self._release_soon()

    async def setRemoteDescription(self, description: Any) -> None:
        """Applies the remote description; its ``track`` events (and the state changes
        before them) are dispatched before this returns, as W3C and aiortc order them: a
        handler that adds a reply track is in time for createAnswer."""
        self._start()
        self._hold()
        try:
            await self._native.set_remote_description(description_tuple(description))
        finally:
            self._release_soon()

    async def addIceCandidate(self, candidate: Any = None) -> None:
        self._start()
        self._hold()
        try:
            await self._native.add_ice_candidate(candidate_tuple(candidate))
        finally:
            self._release_soon()

    # While a signaling method runs, the events a browser queues as tasks after its promise
    # (the gathering's icecandidate and icegatheringstatechange, and negotiationneeded once
    # the operations chain is empty) wait, and are dispatched after the caller has run on
    # from its await. Code that signals a description, then each candidate, and makes an
    # offer on negotiationneeded (W3C's perfect negotiation) then sees a browser's order.
    _HELD = ("icecandidate", "icegatheringstatechange", "negotiationneeded")

    def _hold(self) -> None:
        self._holding += 1

    def _release_soon(self) -> None:
        hub.deliver(self)
        asyncio.get_running_loop().call_soon(self._release_held)

    def _release_held(self) -> None:
        self._holding -= 1
        if not self._holding:
            held, self._held = self._held, []
            for name, value in held:
                self._dispatch(name, value)

    # -- media --------------------------------------------------------------------------------

    def addTrack(self, track: MediaStreamTrack, *streams: MediaStream) -> "RTCRtpSender":
        """Sends `track` with the negotiated codec (VP8/H.264, Opus/G.711), on a transceiver
        of its kind that sends nothing (one a remote offer made) or a new one; then
        renegotiate."""
        _check_track(track, "addTrack")
        native = self._native.add_track(track._native_track(), _stream_ids(streams))
        return self._transceiver(native).sender

    def removeTrack(self, sender: RTCRtpSender) -> None:
        """Stops sending the sender's track; then renegotiate, and the other side's track
        is muted. The sender stays in getSenders() with no track."""
        if not isinstance(sender, RTCRtpSender):
            raise RTCTypeError("removeTrack takes an RTCRtpSender")
        self._native.remove_track(sender._native)

    def getSenders(self) -> list["RTCRtpSender"]:
        """Each transceiver's sender (those that send nothing too), as aiortc lists them."""
        return [t.sender for t in self.getTransceivers() if not t.stopped]

    def addTransceiver(
        self, trackOrKind: Any, direction: str = "sendrecv", streams: Iterable[MediaStream] = ()
    ) -> RTCRtpTransceiver:
        """A transceiver sending a track (as addTrack does, with that direction), or one of a
        kind ("audio"/"video") to receive on; then renegotiate."""
        if isinstance(trackOrKind, MediaStreamTrack):
            _check_track(trackOrKind, "addTransceiver")
            native = self._native.add_transceiver(None, trackOrKind._native_track(), direction, _stream_ids(streams))
        elif isinstance(trackOrKind, str):
            if trackOrKind not in ("audio", "video"):
                raise InternalError(f'Invalid track kind "{trackOrKind}"')
            native = self._native.add_transceiver(trackOrKind, None, direction, [])
        else:
            raise RTCTypeError("addTransceiver takes a MediaStreamTrack or a kind (\"audio\" or \"video\")")
        return self._transceiver(native)

    def getReceivers(self) -> list[RTCRtpReceiver]:
        """Every transceiver's receiver; its ``track`` is there from the start."""
        return [t.receiver for t in self.getTransceivers() if not t.stopped]

    def getTransceivers(self) -> list[RTCRtpTransceiver]:
        return [self._transceiver(t) for t in self._native.get_transceivers()]

    def _transceiver(self, native: "_native.RtpTransceiver") -> RTCRtpTransceiver:
        """One Python object per transceiver."""
        transceiver = self._transceivers.get(native.key)
        if transceiver is None:
            transceiver = self._transceivers[native.key] = RTCRtpTransceiver(native)
        return transceiver

    # -- data channels ----------------------------------------------------------------------

    def createDataChannel(
        self,
        label: str,
        ordered: bool = True,
        maxPacketLifeTime: Optional[int] = None,
        maxRetransmits: Optional[int] = None,
        protocol: str = "",
        negotiated: bool = False,
        id: Optional[int] = None,
    ) -> RTCDataChannel:
        native = self._native.create_data_channel(
            str(label), ordered, maxPacketLifeTime, maxRetransmits, protocol, negotiated, id
        )
        self._has_channels = True
        channel = RTCDataChannel(native)
        hub.register(channel)
        return channel

    # -- lifetime ---------------------------------------------------------------------------

    async def getStats(self, selector: Optional[MediaStreamTrack] = None) -> RTCStatsReport:
        """W3C stats: peer-connection, transport, candidate pairs and candidates, codecs,
        data channels, inbound-rtp and outbound-rtp (with frame counts and targetBitrate),
        remote-inbound-rtp; the nominated pair carries availableOutgoingBitrate. With a
        track, only what its sender or receiver refers to (InvalidAccessError if neither)."""
        if selector is not None and not isinstance(selector, MediaStreamTrack):
            raise RTCTypeError("getStats takes a MediaStreamTrack or None")
        track_id = None if selector is None else selector.id
        return RTCStatsReport._from_json(await self._native.get_stats(track_id))

    async def close(self) -> None:
        """Closes the connection and its channels (each fires close). Idempotent. Received
        tracks end, firing ``ended`` as aiortc's do."""
        self._start()
        before = self._native.states()
        await self._native.close()
        # aiortc reports the end as state changes: signaling, then ICE and the connection
        # (W3C fires none; aiortc code waits for them).
        if before[0] != "closed":
            self.emit("signalingstatechange")
        for transceiver in self.getTransceivers():
            transceiver.receiver.track._end()
        if before[2] != "closed":
            self.emit("iceconnectionstatechange")
        if before[3] != "closed":
            self.emit("connectionstatechange")

    async def __aenter__(self) -> "RTCPeerConnection":
        self._start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


def _stream_ids(streams: Iterable[MediaStream]) -> list[str]:
    """aiortc gives a track sent without a stream one of its own, and the other side's
    track event a stream (browser pages play ``event.streams[0]``)."""
    return [s.id for s in streams] or [str(uuid.uuid4())]


def _check_track(track: Any, method: str) -> None:
    if not isinstance(track, MediaStreamTrack):
        raise RTCTypeError(f"{method} takes a MediaStreamTrack")
