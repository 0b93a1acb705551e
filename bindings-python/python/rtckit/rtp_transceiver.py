"""RTCRtpTransceiver: a sender and a receiver sharing one m-section."""

from __future__ import annotations

from typing import Iterable, Optional

from . import _native
from .exceptions import RTCTypeError
from .rtp_sender import RTCRtpCodecCapability, RTCRtpReceiver, RTCRtpSender
from .track import _track_of


class RTCRtpTransceiver:
    """``direction`` is settable; ``currentDirection`` is what the last answer agreed (None
    before). Its ``sender`` sends nothing until a track is added on it; its
    ``receiver.track`` is there from the start."""

    def __init__(self, native: "_native.RtpTransceiver") -> None:
        self._native = native
        self.sender = RTCRtpSender(native.sender)
        track = _track_of(native.receiver_track)
        assert track is not None
        self.receiver = RTCRtpReceiver(track)

    @property
    def kind(self) -> str:
        return self._native.kind

    @property
    def stopped(self) -> bool:
        return self._native.stopped

    @property
    def mid(self) -> Optional[str]:
        return self._native.mid()

    @property
    def direction(self) -> str:
        return self._native.direction()

    @direction.setter
    def direction(self, value: str) -> None:
        self._native.set_direction(value)

    @property
    def currentDirection(self) -> Optional[str]:
        return self._native.current_direction()

    def setCodecPreferences(self, codecs: Iterable[RTCRtpCodecCapability]) -> None:
        """The codecs the next negotiation may pick, in order (from getCapabilities);
        an empty list restores them all."""
        codecs = list(codecs)
        if not all(isinstance(c, RTCRtpCodecCapability) for c in codecs):
            raise RTCTypeError("setCodecPreferences takes RTCRtpCodecCapability objects (from getCapabilities)")
        self._native.set_codec_preferences([c._tuple() for c in codecs])

    def stop(self) -> None:
        """Stops sending and receiving for good; renegotiate after."""
        self._native.stop()
