"""rtckit's errors: one class per W3C DOMException kind, all subclasses of RTCError."""

from __future__ import annotations


class RTCError(Exception):
    """Base of every rtckit error; ``name`` is the DOMException name of its kind."""

    name = "RTCError"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class InvalidStateError(RTCError):
    name = "InvalidStateError"


class InvalidAccessError(RTCError):
    name = "InvalidAccessError"


class InvalidModificationError(RTCError):
    name = "InvalidModificationError"


class OperationError(RTCError):
    name = "OperationError"


class NotFoundError(RTCError):
    name = "NotFoundError"


class NotReadableError(RTCError):
    name = "NotReadableError"


class NotSupportedError(RTCError):
    name = "NotSupportedError"


class OverconstrainedError(RTCError):
    name = "OverconstrainedError"


class RTCSyntaxError(RTCError, ValueError):
    """The SyntaxError kind: a string that does not parse (a URL, an address)."""

    name = "SyntaxError"


class RTCTypeError(RTCError, TypeError):
    """The TypeError kind: an argument of the wrong type or out of its range."""

    name = "TypeError"


class InternalError(RTCTypeError):
    """aiortc's error for a track of no known kind given to addTrack/addTransceiver; also
    the TypeError W3C names."""


class RTCRangeError(RTCError, ValueError):
    name = "RangeError"


class MediaStreamError(RTCError):
    """Raised by ``track.recv()`` once a track has ended (aiortc's name)."""

    name = "MediaStreamError"


KINDS: dict[str, type[RTCError]] = {
    cls.name: cls
    for cls in (
        InvalidStateError,
        InvalidAccessError,
        InvalidModificationError,
        OperationError,
        NotFoundError,
        NotReadableError,
        NotSupportedError,
        OverconstrainedError,
        RTCSyntaxError,
        RTCTypeError,
        RTCRangeError,
    )
}


def from_kind(name: str, message: str) -> RTCError:
    """The exception for a core error kind (called by the native module)."""
    return KINDS.get(name, OperationError)(message)
