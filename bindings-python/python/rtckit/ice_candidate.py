"""RTCIceCandidate: the browser's shape (candidate line, sdpMid, sdpMLineIndex) with the
parsed fields aiortc users read (ip, port, type, ...)."""

from __future__ import annotations

from typing import Any, Optional

from . import _native
from .exceptions import RTCSyntaxError, RTCTypeError


#: aiortc's RTCIceCandidate fields, in its positional order.
_AIORTC_FIELDS = (
    "component", "foundation", "ip", "port", "priority", "protocol", "type",
    "relatedAddress", "relatedPort", "sdpMid", "sdpMLineIndex", "tcpType",
)


class RTCIceCandidate:
    """Built as browsers build it, ``RTCIceCandidate(candidate, sdpMid, sdpMLineIndex)``, or
    as aiortc does, from its fields: ``RTCIceCandidate(component=1, foundation=..., ip=...,
    port=..., priority=..., protocol="udp", type="host", sdpMid="0", sdpMLineIndex=0)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if (args and isinstance(args[0], int)) or "ip" in kwargs or "component" in kwargs:
            fields = dict(zip(_AIORTC_FIELDS, args))
            unknown = set(kwargs) - set(_AIORTC_FIELDS)
            if unknown or set(fields) & set(kwargs) or len(args) > len(_AIORTC_FIELDS):
                raise RTCTypeError(f"RTCIceCandidate takes aiortc's fields {_AIORTC_FIELDS}")
            fields.update(kwargs)
            missing = [k for k in _AIORTC_FIELDS[:7] if fields.get(k) is None]
            if missing:
                raise RTCTypeError(f"RTCIceCandidate needs {', '.join(missing)}")
            line = "candidate:{foundation} {component} {protocol} {priority} {ip} {port} typ {type}".format(**fields)
            if fields.get("relatedAddress") is not None and fields.get("relatedPort") is not None:
                line += f" raddr {fields['relatedAddress']} rport {fields['relatedPort']}"
            if fields.get("tcpType") is not None:
                line += f" tcptype {fields['tcpType']}"
            self._init(line, fields.get("sdpMid"), fields.get("sdpMLineIndex"), None)
            self._parsed()  # a field that does not parse is refused now
        else:
            self._init(*args, **kwargs)

    def _init(
        self,
        candidate: str = "",
        sdpMid: Optional[str] = None,
        sdpMLineIndex: Optional[int] = None,
        usernameFragment: Optional[str] = None,
    ) -> None:
        if not isinstance(candidate, str):
            raise RTCTypeError("candidate must be a string")
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
        self.usernameFragment = usernameFragment
        self._fields: Optional[dict[str, Any]] = None

    def _parsed(self) -> dict[str, Any]:
        if self._fields is None:
            self._fields = _native.parse_candidate(self.candidate)
        return self._fields

    @property
    def foundation(self) -> str:
        return self._parsed()["foundation"]

    @property
    def component(self) -> int:
        return self._parsed()["component"]

    @property
    def protocol(self) -> str:
        return self._parsed()["protocol"]

    @property
    def priority(self) -> int:
        return self._parsed()["priority"]

    @property
    def address(self) -> str:
        return self._parsed()["address"]

    ip = address  # aiortc's name

    @property
    def port(self) -> int:
        return self._parsed()["port"]

    @property
    def type(self) -> str:
        return self._parsed()["type"]

    @property
    def relatedAddress(self) -> Optional[str]:
        return self._parsed()["relatedAddress"]

    @property
    def relatedPort(self) -> Optional[int]:
        return self._parsed()["relatedPort"]

    @property
    def tcpType(self) -> Optional[str]:
        return self._parsed()["tcpType"]

    def toJSON(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "sdpMid": self.sdpMid,
            "sdpMLineIndex": self.sdpMLineIndex,
            "usernameFragment": self.usernameFragment,
        }

    def __repr__(self) -> str:
        return f"RTCIceCandidate({self.candidate!r}, sdpMid={self.sdpMid!r}, sdpMLineIndex={self.sdpMLineIndex!r})"


def as_tuple(candidate: Any) -> Optional[tuple]:
    """(candidate, sdpMid, sdpMLineIndex, usernameFragment) or None for end-of-candidates."""
    if candidate is None:
        return None
    if isinstance(candidate, dict):
        get = candidate.get
    elif isinstance(candidate, RTCIceCandidate):
        get = lambda k, d=None: getattr(candidate, k, d)  # noqa: E731
    else:
        raise RTCTypeError(
            "addIceCandidate takes an RTCIceCandidate, a {candidate, sdpMid, sdpMLineIndex} dict or None"
        )
    line = get("candidate", "") or ""
    if not isinstance(line, str):
        raise RTCTypeError("candidate must be a string")
    return (line, get("sdpMid"), get("sdpMLineIndex"), get("usernameFragment"))


def candidate_from_sdp(sdp: str) -> RTCIceCandidate:
    """aiortc.sdp's ``candidate_from_sdp``: the candidate an SDP ``candidate`` attribute's
    value describes (the text after ``candidate:``), its fields read as aiortc reads them;
    sdpMid and sdpMLineIndex are left for the caller to set. RTCSyntaxError if it is not
    one."""
    if not isinstance(sdp, str):
        raise RTCTypeError("candidate_from_sdp takes a string")
    bits = sdp.split()
    if len(bits) < 8:
        raise RTCSyntaxError(
            f"{sdp!r} is not an ICE candidate: expected 'foundation component protocol "
            "priority address port typ type [...]' (the text after 'candidate:')"
        )
    try:
        fields: dict[str, Any] = {
            "foundation": bits[0],
            "component": int(bits[1]),
            "protocol": bits[2],
            "priority": int(bits[3]),
            "address": bits[4],
            "port": int(bits[5]),
            "type": bits[7],
            "relatedAddress": None,
            "relatedPort": None,
            "tcpType": None,
        }
        for i in range(8, len(bits) - 1, 2):
            if bits[i] == "raddr":
                fields["relatedAddress"] = bits[i + 1]
            elif bits[i] == "rport":
                fields["relatedPort"] = int(bits[i + 1])
            elif bits[i] == "tcptype":
                fields["tcpType"] = bits[i + 1]
    except ValueError:
        raise RTCSyntaxError(f"{sdp!r} is not an ICE candidate: component, priority and ports are integers") from None
    # The line keeps what aiortc's fields drop (generation, ufrag...) for the ICE agent.
    candidate = RTCIceCandidate("candidate:" + " ".join(bits))
    candidate._fields = fields
    return candidate


def candidate_to_sdp(candidate: RTCIceCandidate) -> str:
    """aiortc.sdp's ``candidate_to_sdp``: the SDP ``candidate`` attribute's value (without
    ``candidate:``) from the candidate's fields."""
    sdp = (
        f"{candidate.foundation} {candidate.component} {candidate.protocol} "
        f"{candidate.priority} {candidate.ip} {candidate.port} typ {candidate.type}"
    )
    if candidate.relatedAddress is not None:
        sdp += f" raddr {candidate.relatedAddress}"
    if candidate.relatedPort is not None:
        sdp += f" rport {candidate.relatedPort}"
    if candidate.tcpType is not None:
        sdp += f" tcptype {candidate.tcpType}"
    return sdp


class RTCPeerConnectionIceErrorEvent:
    """W3C's icecandidateerror event: a STUN or TURN server that could not be used while
    gathering (aiortc has no such event). `errorCode` is the server's STUN error code (300 to
    699, e.g. 401 for wrong credentials), or 701 when it could not be reached or did not
    answer; `address` and `port` are the local ones that tried (None when none did)."""

    __slots__ = ("address", "port", "url", "errorCode", "errorText")

    def __init__(self, address: Optional[str], port: Optional[int], url: str, errorCode: int, errorText: str) -> None:
        self.address = address
        self.port = port
        self.url = url
        self.errorCode = errorCode
        self.errorText = errorText

    def __repr__(self) -> str:
        return f"RTCPeerConnectionIceErrorEvent(url={self.url!r}, errorCode={self.errorCode}, errorText={self.errorText!r})"
