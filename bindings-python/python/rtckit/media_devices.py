"""mediaDevices: getUserMedia and enumerateDevices: cameras (nokhwa), microphones and speakers
(cpal), or fake devices (RTCKIT_FAKE_DEVICES=1 or useFakeDevices(True))."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStream, MediaStreamTrack

@dataclass(frozen=True)
class MediaDeviceInfo:
    deviceId: str
    kind: str
    label: str
    groupId: str


class MediaDevices:
    async def getUserMedia(
        self, constraints: Optional[dict] = None, *, audio: Any = False, video: Any = False
    ) -> MediaStream:
        """``await getUserMedia(video=True, audio=True)`` or ``getUserMedia({"video": {...}})``."""
        if constraints is None:
            constraints = {"audio": audio, "video": video}
        try:
            encoded = json.dumps(constraints)
        except (TypeError, ValueError) as exc:
            raise RTCTypeError(f"constraints must be plain dicts, numbers and strings: {exc}") from None
        tracks = await _native.get_user_media(encoded)
        return MediaStream(MediaStreamTrack(t) for t in tracks)

    async def enumerateDevices(self) -> list[MediaDeviceInfo]:
        return [MediaDeviceInfo(*d) for d in await _native.enumerate_devices()]

    def useFakeDevices(self, enabled: bool = True) -> None:
        """Fake camera and microphone (as RTCKIT_FAKE_DEVICES=1 does)."""
        _native.use_fake_devices(bool(enabled))


mediaDevices = MediaDevices()


def read_frame_number(frame: Any) -> int:
    """The frame number the fake camera drew into `frame` (its low 16 bits)."""
    return _native.read_frame_number(frame._native)
