"""RTCSctpTransport, RTCDtlsTransport and RTCIceTransport as aiortc exposes them on
``pc.sctp``: views of the connection's one bundled transport."""

from __future__ import annotations

from typing import Any, Optional

#: SCTP streams a channel id may use (RFC 8831: ids 0 to 65534).
MAX_CHANNELS = 65535


class RTCIceTransport:
    """The ICE transport; ``state`` in aiortc's words ("completed" once connected)."""

    def __init__(self, pc: Any) -> None:
        self._pc = pc

    @property
    def state(self) -> str:
        return self._pc.iceConnectionState

    @property
    def iceGatherer(self) -> Any:
        return self

    @property
    def role(self) -> Optional[str]:
        return None


class RTCDtlsTransport:
    """The DTLS transport: "new", "connecting", "connected", "closed" or "failed"."""

    def __init__(self, pc: Any) -> None:
        self._pc = pc
        self.transport = RTCIceTransport(pc)

    @property
    def state(self) -> str:
        state = self._pc.connectionState
        return "closed" if state == "disconnected" else state


class RTCSctpTransport:
    """The SCTP transport data channels run on (``pc.sctp``)."""

    def __init__(self, pc: Any) -> None:
        self._pc = pc
        self.transport = RTCDtlsTransport(pc)

    @property
    def state(self) -> str:
        """aiortc's states: "new", "connecting", "connected", "closed"."""
        state = self._pc.connectionState
        if state in ("new", "connecting", "connected"):
            return state
        return "closed"

    @property
    def maxChannels(self) -> Optional[int]:
        """Known once connected (aiortc: the streams SCTP negotiated)."""
        return MAX_CHANNELS if self.state == "connected" else None

    @property
    def port(self) -> int:
        return 5000
