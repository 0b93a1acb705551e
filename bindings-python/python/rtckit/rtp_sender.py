"""RTCRtpSender and RTCRtpReceiver, with the codecs rtckit has (getCapabilities)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStreamTrack


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


def _capabilities(kind: str) -> RTCRtpCapabilities:
    return RTCRtpCapabilities(codecs=[RTCRtpCodecCapability(*c) for c in _native.codec_capabilities(kind)])


class RTCRtpSender:
    """The sending side of a track added with addTrack. ``track`` is None once removed."""

    def __init__(self, native: "_native.RtpSender", track: MediaStreamTrack, pc: Any) -> None:
        self._native = native
        self._pc = pc
        self.track: Optional[MediaStreamTrack] = track

    @property
    def kind(self) -> str:
        return self._native.kind

    @staticmethod
    def getCapabilities(kind: str) -> RTCRtpCapabilities:
        """The codecs rtckit can send for ``kind`` ("audio" or "video")."""
        return _capabilities(kind)

    def replaceTrack(self, track: Optional[MediaStreamTrack]) -> None:
        """Sends `track` instead (None: nothing), without renegotiation, as aiortc's does."""
        if track is not None and not isinstance(track, MediaStreamTrack):
            raise RTCTypeError("replaceTrack takes a MediaStreamTrack or None")
        self._native.replace_track(None if track is None else track._native)
        self.track = track
        if track is not None:
            self._pc._pull(track)


class RTCRtpReceiver:
    """The receiving side of a transceiver."""

    def __init__(self, track: Optional[MediaStreamTrack] = None) -> None:
        self.track = track

    @staticmethod
    def getCapabilities(kind: str) -> RTCRtpCapabilities:
        """The codecs rtckit can receive for ``kind`` ("audio" or "video")."""
        return _capabilities(kind)
