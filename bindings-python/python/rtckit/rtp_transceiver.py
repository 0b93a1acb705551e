"""RTCRtpTransceiver: a sender and a receiver sharing one m-section."""

from __future__ import annotations

from typing import Iterable, Optional

from . import _native
from .exceptions import RTCTypeError
from .rtp_sender import RTCRtpCodecCapability, RTCRtpReceiver, RTCRtpSender


class RTCRtpTransceiver:
    """``direction`` is settable; ``currentDirection`` is what the last answer agreed (None
    before); ``sender`` is None for a transceiver made from a kind or by the remote offer."""

    def __init__(self, native: "_native.RtpTransceiver", sender: Optional[RTCRtpSender]) -> None:
        self._native = native
        self.sender = sender
        self.receiver = RTCRtpReceiver()

    @property
    def kind(self) -> str:
        return self._native.kind

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
