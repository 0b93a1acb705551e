"""RTCDataChannel."""

from __future__ import annotations

from typing import Any, Optional, Union

from . import _native
from .events import EventEmitter, hub
from .exceptions import RTCTypeError


class RTCDataChannel(EventEmitter):
    """A data channel; events: open, message (str or bytes), bufferedamountlow, error,
    closing, close."""

    def __init__(self, native: "_native.DataChannel") -> None:
        super().__init__()
        self._native = native
        self.onopen = None
        self.onmessage = None
        self.onbufferedamountlow = None
        self.onerror = None
        self.onclosing = None
        self.onclose = None

    def _dispatch(self, name: str, value: Any) -> None:
        if name in ("message", "error"):
            self.emit(name, value)
        else:
            self.emit(name)

    def _on_listener_added(self) -> None:
        hub.attach()

    @property
    def label(self) -> str:
        return self._native.label

    @property
    def protocol(self) -> str:
        return self._native.protocol

    @property
    def ordered(self) -> bool:
        return self._native.ordered

    @property
    def maxPacketLifeTime(self) -> Optional[int]:
        return self._native.max_packet_life_time

    @property
    def maxRetransmits(self) -> Optional[int]:
        return self._native.max_retransmits

    @property
    def negotiated(self) -> bool:
        return self._native.negotiated

    @property
    def id(self) -> Optional[int]:
        return self._native.id

    @property
    def readyState(self) -> str:
        return self._native.ready_state

    @property
    def bufferedAmount(self) -> int:
        return self._native.buffered_amount

    @property
    def bufferedAmountLowThreshold(self) -> int:
        return self._native.buffered_amount_low_threshold

    @bufferedAmountLowThreshold.setter
    def bufferedAmountLowThreshold(self, value: int) -> None:
        if not isinstance(value, int) or value < 0 or value > 0xFFFFFFFF:
            raise RTCTypeError("bufferedAmountLowThreshold must be an integer from 0 to 2**32-1")
        self._native.buffered_amount_low_threshold = value

    @property
    def maxMessageSize(self) -> int:
        """Non-standard: the largest message send() accepts on this connection."""
        return self._native.max_message_size

    @property
    def binaryType(self) -> str:
        return "bytes"

    def send(self, data: Union[str, bytes, bytearray, memoryview]) -> None:
        """Queues a message: a str arrives as text, bytes-like data as binary."""
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        self._native.send(data)

    def close(self) -> None:
        self._native.close()

    def __repr__(self) -> str:
        return f"RTCDataChannel(label={self.label!r}, id={self.id!r}, readyState={self.readyState!r})"
