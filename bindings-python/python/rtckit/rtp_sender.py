"""RTCRtpSender and RTCRtpReceiver, with the codecs rtckit has (getCapabilities)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from . import _native
from .exceptions import InvalidModificationError, RTCTypeError
from .track import MediaStreamTrack, _track_of


@dataclass(frozen=True)
class RTCRtpCodecCapability:
    """A codec as getCapabilities lists it and setCodecPreferences takes it."""

    mimeType: str
    clockRate: int
    channels: Optional[int] = None
    sdpFmtpLine: Optional[str] = None

    def _tuple(self) -> tuple[str, int, Optional[int], Optional[str]]:
        return (self.mimeType, self.clockRate, self.channels, self.sdpFmtpLine)


@dataclass(frozen=True)
class RTCRtpCapabilities:
    codecs: list[RTCRtpCodecCapability]
    headerExtensions: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class RTCRtpCodecParameters:
    """A negotiated codec: its payload type and what it is."""

    payloadType: int
    mimeType: str
    clockRate: int
    channels: Optional[int] = None
    sdpFmtpLine: Optional[str] = None


@dataclass
class RTCRtpEncodingParameters:
    active: bool = True
    maxBitrate: Optional[int] = None


@dataclass
class RTCRtpSendParameters:
    """What getParameters returns and setParameters takes: one encoding (maxBitrate is what
    rtckit applies) and the negotiated codecs."""

    encodings: list[RTCRtpEncodingParameters]
    codecs: list[RTCRtpCodecParameters] = field(default_factory=list)
    headerExtensions: list[Any] = field(default_factory=list)


def _capabilities(kind: str) -> RTCRtpCapabilities:
    return RTCRtpCapabilities(codecs=[RTCRtpCodecCapability(*c) for c in _native.codec_capabilities(kind)])


class RTCRtpSender:
    """A transceiver's sending side. ``track`` is what it sends: None for a transceiver made
    from a kind or by a remote offer, and after removeTrack."""

    def __init__(self, native: "_native.RtpSender") -> None:
        self._native = native

    @property
    def track(self) -> Optional[MediaStreamTrack]:
        return _track_of(self._native.track)

    @property
    def kind(self) -> str:
        return self._native.kind

    @staticmethod
    def getCapabilities(kind: str) -> RTCRtpCapabilities:
        """The codecs rtckit can send for ``kind`` ("audio" or "video")."""
        return _capabilities(kind)

    def getParameters(self) -> RTCRtpSendParameters:
        codecs, max_bitrate = self._native.get_parameters()
        return RTCRtpSendParameters(
            encodings=[RTCRtpEncodingParameters(maxBitrate=max_bitrate)],
            codecs=[RTCRtpCodecParameters(pt, *codec) for pt, codec in codecs],
        )

    async def setParameters(self, parameters: RTCRtpSendParameters) -> None:
        """Applies encodings[0].maxBitrate (bits per second; None lifts the cap) from the
        next frame. rtckit sends one encoding."""
        encodings = getattr(parameters, "encodings", None)
        if not isinstance(encodings, list) or len(encodings) != 1:
            raise InvalidModificationError("setParameters needs the one encoding getParameters returned")
        self._native.set_max_bitrate(encodings[0].maxBitrate)

    def replaceTrack(self, track: Optional[MediaStreamTrack]) -> None:
        """Sends `track` instead (None: nothing), without renegotiation, as aiortc's does."""
        if track is not None and not isinstance(track, MediaStreamTrack):
            raise RTCTypeError("replaceTrack takes a MediaStreamTrack or None")
        self._native.replace_track(None if track is None else track._native_track())


class RTCRtpReceiver:
    """The receiving side of a transceiver; its ``track`` is there from the start, muted
    until media arrives."""

    def __init__(self, track: MediaStreamTrack) -> None:
        self.track = track

    @staticmethod
    def getCapabilities(kind: str) -> RTCRtpCapabilities:
        """The codecs rtckit can receive for ``kind`` ("audio" or "video")."""
        return _capabilities(kind)
