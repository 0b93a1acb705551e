"""mediaDevices: getUserMedia and enumerateDevices (fake devices so far)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStream, MediaStreamTrack

_NUMERIC = {"video": ("width", "height", "frameRate"), "audio": ("sampleRate", "channelCount")}


@dataclass(frozen=True)
class MediaDeviceInfo:
    deviceId: str
    kind: str
    label: str
    groupId: str


def _constraints(kind: str, value: Union[bool, dict, None]) -> Optional[tuple]:
    """(deviceId, [(name, exact, ideal)]) from True/False or a W3C constraints dict."""
    if value is None or value is False:
        return None
    if value is True:
        return (None, [])
    if not isinstance(value, dict):
        raise RTCTypeError(f"{kind} must be a bool or a dict of constraints")
    device = value.get("deviceId")
    if isinstance(device, dict):
        device = device.get("exact", device.get("ideal"))
    triples = []
    for name in _NUMERIC[kind]:
        c = value.get(name)
        if c is None:
            continue
        if isinstance(c, dict):
            triples.append((name, c.get("exact"), c.get("ideal")))
        elif isinstance(c, (int, float)):
            triples.append((name, None, float(c)))
        else:
            raise RTCTypeError(f"the {name} constraint must be a number or {{exact, ideal}}")
    return (device, triples)


class MediaDevices:
    async def getUserMedia(
        self, constraints: Optional[dict] = None, *, audio: Any = False, video: Any = False
    ) -> MediaStream:
        """``await getUserMedia(video=True, audio=True)`` or ``getUserMedia({"video": {...}})``."""
        if constraints is not None:
            audio, video = constraints.get("audio", False), constraints.get("video", False)
        tracks = _native.get_user_media(_constraints("audio", audio), _constraints("video", video))
        return MediaStream(MediaStreamTrack(t) for t in tracks)

    async def enumerateDevices(self) -> list[MediaDeviceInfo]:
        return [MediaDeviceInfo(*d) for d in _native.enumerate_devices()]

    def useFakeDevices(self, enabled: bool = True) -> None:
        """Fake camera and microphone (as RTCKIT_FAKE_DEVICES=1 does)."""
        _native.use_fake_devices(bool(enabled))


mediaDevices = MediaDevices()


def read_frame_number(frame: Any) -> int:
    """The frame number the fake camera drew into `frame` (its low 16 bits)."""
    return _native.read_frame_number(frame._native)
