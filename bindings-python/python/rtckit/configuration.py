"""RTCConfiguration and RTCIceServer (aiortc's dataclasses, also accepted as W3C dicts)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from .exceptions import RTCTypeError


@dataclass
class RTCIceServer:
    urls: Union[str, list[str]]
    username: Optional[str] = None
    credential: Optional[str] = None
    credentialType: str = "password"


class RTCBundlePolicy(enum.Enum):
    """aiortc's enum. rtckit always bundles (webrtc-rs negotiates max-bundle)."""

    BALANCED = "balanced"
    MAX_COMPAT = "max-compat"
    MAX_BUNDLE = "max-bundle"


class RTCIceTransportPolicy(enum.Enum):
    """aiortc's enum: ALL candidates, or RELAY (TURN) only."""

    ALL = "all"
    RELAY = "relay"


@dataclass
class RTCConfiguration:
    iceServers: Optional[list[RTCIceServer]] = None
    iceTransportPolicy: Union[str, RTCIceTransportPolicy] = "all"
    bundlePolicy: Union[str, RTCBundlePolicy] = RTCBundlePolicy.BALANCED
    #: Non-standard: local IPs to gather host candidates on (default: RTCKIT_BIND_ADDRESSES,
    #: else every interface; 127.0.0.1 when loopback is all there is).
    bindAddresses: Optional[list[str]] = None
    extra: dict[str, Any] = field(default_factory=dict)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def native_args(configuration: Any) -> tuple[list, str, Optional[list[str]]]:
    """(ice servers, transport policy, bind addresses) for the native module."""
    if configuration is None:
        return [], "all", None
    servers = []
    for server in _get(configuration, "iceServers") or []:
        urls = _get(server, "urls")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, (list, tuple)) or not all(isinstance(u, str) for u in urls):
            raise RTCTypeError("an iceServers entry needs urls: a string or a list of strings")
        servers.append((list(urls), _get(server, "username"), _get(server, "credential")))
    policy = _get(configuration, "iceTransportPolicy") or "all"
    if isinstance(policy, RTCIceTransportPolicy):
        policy = policy.value
    bundle = _get(configuration, "bundlePolicy")
    if bundle is not None and not isinstance(bundle, RTCBundlePolicy):
        try:
            RTCBundlePolicy(bundle)
        except ValueError:
            raise RTCTypeError(f"bundlePolicy must be an RTCBundlePolicy, not {bundle!r}") from None
    bind = _get(configuration, "bindAddresses")
    if bind is not None:
        if isinstance(bind, str):
            bind = [bind]
        bind = [str(a) for a in bind]
    return servers, policy, bind
