"""RTCSessionDescription."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .exceptions import RTCTypeError


class DescriptionTypeError(RTCTypeError, ValueError):
    """A description type that is none of W3C's: a TypeError (W3C's kind) that is also
    the ValueError aiortc raises."""

TYPES = ("offer", "pranswer", "answer", "rollback")


@dataclass
class RTCSessionDescription:
    sdp: str
    type: str

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise DescriptionTypeError(
                f"description type must be one of {', '.join(TYPES)}, not {self.type!r}"
            )

    def toJSON(self) -> dict[str, str]:
        return {"type": self.type, "sdp": self.sdp}


def as_tuple(description: Any) -> tuple[str, str]:
    """(type, sdp) from an RTCSessionDescription or a {"type", "sdp"} dict."""
    if isinstance(description, dict):
        kind, sdp = description.get("type"), description.get("sdp", "")
    else:
        kind, sdp = getattr(description, "type", None), getattr(description, "sdp", None)
    if not isinstance(kind, str) or not isinstance(sdp, str):
        raise RTCTypeError("a description needs a string type and a string sdp")
    return kind, sdp
