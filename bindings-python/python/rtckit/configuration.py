"""RTCConfiguration and RTCIceServer: aiortc's dataclasses (also accepted as W3C dicts), with
rtckit's extras. Core checks the values; this module only gathers them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from .exceptions import NotSupportedError, RTCTypeError

if TYPE_CHECKING:
    from ._native import _Configuration


@dataclass
class RTCIceServer:
    urls: Union[str, list[str]]
    username: Optional[str] = None
    credential: Optional[str] = None
    credentialType: str = "password"


class RTCBundlePolicy(str, enum.Enum):
    """aiortc's enum (its members also equal their W3C strings). Recorded as given: rtckit
    bundles every section whatever it says, which all three allow when the other side
    bundles."""

    BALANCED = "balanced"
    MAX_COMPAT = "max-compat"
    MAX_BUNDLE = "max-bundle"


class RTCIceTransportPolicy(str, enum.Enum):
    """aiortc's enum (its members also equal their W3C strings): ALL candidates, or RELAY
    (TURN) only."""

    ALL = "all"
    RELAY = "relay"


#: wrtc's portRange: ``{"min": 50000, "max": 50100}`` (either bound may be left out) or a
#: ``(min, max)`` tuple.
PortRange = Union[dict[str, int], tuple[int, int]]


@dataclass
class RTCConfiguration:
    """aiortc's fields first (same order), then rtckit's extras."""

    iceServers: Optional[list[RTCIceServer]] = None
    iceTransportPolicy: Union[str, RTCIceTransportPolicy] = RTCIceTransportPolicy.ALL
    bundlePolicy: Union[str, RTCBundlePolicy] = RTCBundlePolicy.BALANCED
    #: aiortc's: an m=application section in every offer. Not supported (only False): webrtc-rs
    #: offers one once a data channel exists.
    alwaysNegotiateDataChannels: bool = False
    #: Non-standard: local IPs to gather host candidates on (default: RTCKIT_BIND_ADDRESSES,
    #: else every interface; 127.0.0.1 when loopback is all there is).
    bindAddresses: Optional[list[str]] = None
    #: Non-standard (wrtc's): the local UDP ports host candidates may use.
    portRange: Optional[PortRange] = None
    #: W3C: only "require" (rtckit always multiplexes RTCP).
    rtcpMuxPolicy: str = "require"
    #: W3C: recorded; rtckit gathers when setLocalDescription is called.
    iceCandidatePoolSize: int = 0
    #: W3C: rtckit makes each connection's DTLS certificate itself: only empty.
    certificates: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _string(configuration: Any, key: str, default: str) -> str:
    """An enum field: its aiortc enum member or its W3C string."""
    value = _get(configuration, key)
    if value is None:
        return default
    if isinstance(value, enum.Enum):
        value = value.value
    if not isinstance(value, str):
        raise RTCTypeError(f"{key} must be a string, not {value!r}")
    return value


def _integer(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RTCTypeError(f"{name} must be an integer, not {value!r}")
    return float(value)


def _port_range(value: Any) -> Optional[tuple[Optional[float], Optional[float]]]:
    if value is None:
        return None
    if isinstance(value, dict):
        bounds = (value.get("min"), value.get("max"))
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        bounds = (value[0], value[1])
    else:
        raise RTCTypeError(f'portRange must be {{"min": ..., "max": ...}} or (min, max), not {value!r}')
    low, high = (None if b is None else _integer(b, f"portRange.{n}") for b, n in zip(bounds, ("min", "max")))
    return low, high


def native_args(configuration: Any) -> "_Configuration":
    """The configuration as the native module takes it (core checks the values)."""
    configuration = {} if configuration is None else configuration
    servers = []
    for server in _get(configuration, "iceServers") or []:
        urls = _get(server, "urls")
        as_string = isinstance(urls, str)
        if as_string:
            urls = [urls]
        if not isinstance(urls, (list, tuple)) or not all(isinstance(u, str) for u in urls):
            raise RTCTypeError("an iceServers entry needs urls: a string or a list of strings")
        servers.append((list(urls), as_string, _get(server, "username"), _get(server, "credential")))
    if _get(configuration, "alwaysNegotiateDataChannels"):
        raise NotSupportedError(
            "alwaysNegotiateDataChannels is not supported: an offer has a data channel section once a channel exists"
        )
    certificates = _get(configuration, "certificates") or []
    if not isinstance(certificates, (list, tuple)) or certificates:
        raise RTCTypeError("certificates: rtckit makes each connection's DTLS certificate itself; leave it out or empty")
    bind = _get(configuration, "bindAddresses")
    if bind is not None:
        if isinstance(bind, str):
            bind = [bind]
        bind = [str(a) for a in bind]
    pool = _get(configuration, "iceCandidatePoolSize")
    return {
        "ice_servers": servers,
        "ice_transport_policy": _string(configuration, "iceTransportPolicy", "all"),
        "bundle_policy": _string(configuration, "bundlePolicy", "balanced"),
        "rtcp_mux_policy": _string(configuration, "rtcpMuxPolicy", "require"),
        "ice_candidate_pool_size": 0.0 if pool is None else _integer(pool, "iceCandidatePoolSize"),
        "port_range": _port_range(_get(configuration, "portRange")),
        "bind_addresses": bind,
    }


def from_native(native: "_Configuration") -> RTCConfiguration:
    """getConfiguration: the configuration as set."""
    bounds = native["port_range"]
    port_range = None if bounds is None else {k: int(v) for k, v in zip(("min", "max"), bounds) if v is not None}
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=urls[0] if as_string else urls, username=username, credential=credential)
            for urls, as_string, username, credential in native["ice_servers"]
        ],
        iceTransportPolicy=RTCIceTransportPolicy(native["ice_transport_policy"]),
        bundlePolicy=RTCBundlePolicy(native["bundle_policy"]),
        bindAddresses=native["bind_addresses"],
        portRange=port_range,
        rtcpMuxPolicy=native["rtcp_mux_policy"],
        iceCandidatePoolSize=int(native["ice_candidate_pool_size"]),
    )
