"""RTCPeerConnection, with aiortc's names and asyncio methods."""

from __future__ import annotations

import asyncio
from typing import Any, Iterable, Optional

from . import _native
from .configuration import RTCConfiguration, RTCIceServer, native_args
from .data_channel import RTCDataChannel
from .events import EventEmitter, hub
from .ice_candidate import RTCIceCandidate
from .ice_candidate import as_tuple as candidate_tuple
from .exceptions import RTCTypeError
from .stats import RTCStatsReport
from .session_description import RTCSessionDescription
from .rtp_sender import RTCRtpReceiver, RTCRtpSender
from .rtp_transceiver import RTCRtpTransceiver
from .track import MediaStream, MediaStreamTrack, _PulledTrack
from .session_description import as_tuple as description_tuple


def _description(value: Optional[tuple[str, str]]) -> Optional[RTCSessionDescription]:
    if value is None:
        return None
    kind, sdp = value
    return RTCSessionDescription(sdp=sdp, type=kind)


class RTCPeerConnection(EventEmitter):
    """A WebRTC peer connection.

    Events: icecandidate (RTCIceCandidate or None), icegatheringstatechange,
    iceconnectionstatechange, connectionstatechange, signalingstatechange,
    negotiationneeded, datachannel (RTCDataChannel), track (MediaStreamTrack, as aiortc).
    """

    def __init__(self, configuration: Any = None) -> None:
        super().__init__()
        servers, policy, bind = native_args(configuration)
        self._native = _native.PeerConnection(servers, policy, bind)
        self.onicecandidate = None
        self.onicegatheringstatechange = None
        self.oniceconnectionstatechange = None
        self.onconnectionstatechange = None
        self.onsignalingstatechange = None
        self.onnegotiationneeded = None
        self.ondatachannel = None
        self.ontrack = None
        self._senders: list[RTCRtpSender] = []
        self._transceivers: dict[int, RTCRtpTransceiver] = {}
        # Received tracks by id: one Python object per track, for receiver.track.
        self._remote_tracks: dict[str, MediaStreamTrack] = {}
        self._producers: list[_PulledTrack] = []
        self._tasks: set[asyncio.Task] = set()
        hub.register(self)  # events are delivered once an asyncio loop runs

    # -- events ---------------------------------------------------------------------------

    def _start(self) -> None:
        hub.attach()
        if self._producers:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            for track in self._producers:
                task = loop.create_task(track._produce())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            self._producers = []

    def _on_listener_added(self) -> None:
        self._start()

    def _dispatch(self, name: str, value: Any) -> None:
        if name == "icecandidate":
            candidate = None if value is None else RTCIceCandidate(*value)
            self.emit("icecandidate", candidate)
        elif name == "track":
            track = MediaStreamTrack(value)
            self._remote_tracks[track.id] = track
            transceiver = self._native.transceiver_of_track(value)
            if transceiver is not None:
                self._transceiver(transceiver)  # its receiver.track is this track from now on
            self.emit("track", track)
        elif name == "datachannel":
            channel = RTCDataChannel(value)
            self.emit("datachannel", channel)
            # After the handlers (and the first step of async ones) have attached theirs.
            asyncio.get_running_loop().call_soon(hub.register, channel)
        else:
            self.emit(name)

    # -- state ----------------------------------------------------------------------------

    @property
    def signalingState(self) -> str:
        return self._native.states()[0]

    @property
    def iceGatheringState(self) -> str:
        return self._native.states()[1]

    @property
    def iceConnectionState(self) -> str:
        return self._native.states()[2]

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
        servers, policy, bind = self._native.get_configuration()
        return RTCConfiguration(
            iceServers=[RTCIceServer(urls=u, username=n, credential=c) for u, n, c in servers],
            iceTransportPolicy=policy,
            bindAddresses=bind,
        )

    def setConfiguration(self, configuration: Any) -> None:
        self._native.set_configuration(*native_args(configuration))

    # -- negotiation ----------------------------------------------------------------------

    async def createOffer(self) -> RTCSessionDescription:
        self._start()
        return _description(await self._native.create_offer())  # type: ignore[return-value]

    async def createAnswer(self) -> RTCSessionDescription:
        self._start()
        return _description(await self._native.create_answer())  # type: ignore[return-value]

    async def setLocalDescription(self, description: Any = None) -> None:
        self._start()
        value = None if description is None else description_tuple(description)
        await self._native.set_local_description(value)

    async def setRemoteDescription(self, description: Any) -> None:
        self._start()
        await self._native.set_remote_description(description_tuple(description))

    async def addIceCandidate(self, candidate: Any = None) -> None:
        self._start()
        await self._native.add_ice_candidate(candidate_tuple(candidate))

    # -- media --------------------------------------------------------------------------------

    def addTrack(self, track: MediaStreamTrack, *streams: MediaStream) -> "RTCRtpSender":
        """Sends `track` with the negotiated codec (VP8/H.264, Opus/G.711); then renegotiate."""
        if not isinstance(track, MediaStreamTrack):
            raise RTCTypeError("addTrack takes a MediaStreamTrack")
        native = self._native.add_track(track._native, [s.id for s in streams])
        self._pull(track)
        sender = RTCRtpSender(native, track, self)
        self._senders.append(sender)
        return sender

    def removeTrack(self, sender: RTCRtpSender) -> None:
        """Stops sending the sender's track; then renegotiate, and the other side's track
        ends. The sender stays in getSenders() with no track."""
        if not isinstance(sender, RTCRtpSender):
            raise RTCTypeError("removeTrack takes an RTCRtpSender")
        self._native.remove_track(sender._native)
        sender.track = None

    def getSenders(self) -> list["RTCRtpSender"]:
        return list(self._senders)

    def addTransceiver(
        self, trackOrKind: Any, direction: str = "sendrecv", streams: Iterable[MediaStream] = ()
    ) -> RTCRtpTransceiver:
        """A transceiver sending a track (as addTrack does, with that direction), or one of a
        kind ("audio"/"video") to receive on; then renegotiate."""
        if isinstance(trackOrKind, MediaStreamTrack):
            native = self._native.add_transceiver(None, trackOrKind._native, direction, [s.id for s in streams])
            assert native.sender is not None  # a transceiver made from a track sends it
            sender = RTCRtpSender(native.sender, trackOrKind, self)
            self._senders.append(sender)
            self._pull(trackOrKind)
        elif isinstance(trackOrKind, str):
            native = self._native.add_transceiver(trackOrKind, None, direction, [])
        else:
            raise RTCTypeError("addTransceiver takes a MediaStreamTrack or a kind (\"audio\" or \"video\")")
        return self._transceiver(native)

    def getReceivers(self) -> list[RTCRtpReceiver]:
        """Every transceiver's receiver; its ``track`` is set once media arrived on it."""
        return [t.receiver for t in self.getTransceivers()]

    def getTransceivers(self) -> list[RTCRtpTransceiver]:
        return [self._transceiver(t) for t in self._native.get_transceivers()]

    def _transceiver(self, native: "_native.RtpTransceiver") -> RTCRtpTransceiver:
        """One Python object per transceiver, with the RTCRtpSender addTrack returned."""
        if native.key not in self._transceivers:
            sender_native = native.sender
            sender = next((s for s in self._senders if sender_native is not None and s._native.same(sender_native)), None)
            self._transceivers[native.key] = RTCRtpTransceiver(native, sender)
        transceiver = self._transceivers[native.key]
        track_id = native.receiver_track_id
        if transceiver.receiver.track is None and track_id is not None:
            transceiver.receiver.track = self._remote_tracks.get(track_id)
        return transceiver

    def _pull(self, track: MediaStreamTrack) -> None:
        """A track whose frames come from its recv(): pull them while a loop runs."""
        if isinstance(track, _PulledTrack) and track not in self._producers:
            self._producers.append(track)
            self._start()

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
        """Closes the connection and its channels (each fires close). Idempotent."""
        self._start()
        await self._native.close()
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> "RTCPeerConnection":
        self._start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
