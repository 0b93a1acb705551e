"""AudioOutput: rtckit's own way to play an audio track on a speaker."""

from __future__ import annotations

from typing import Optional

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStreamTrack


class AudioOutput:
    """Plays ``track`` on the output device ``deviceId`` (from
    ``mediaDevices.enumerateDevices()``, kind "audiooutput"; the default one when None),
    resampled to what the device takes, until ``stop()`` or the track ends.

    Raises NotFoundError when there is no speaker, OverconstrainedError for an unknown
    deviceId and NotReadableError for a device that cannot be opened."""

    def __init__(self, track: MediaStreamTrack, deviceId: Optional[str] = None) -> None:
        if not isinstance(track, MediaStreamTrack):
            raise RTCTypeError(f"AudioOutput plays a MediaStreamTrack, not {type(track).__name__}")
        # A track whose frames come from its own recv() is asked for them as they play.
        self._native = _native.AudioOutput(track._native_track(), deviceId)

    @property
    def playing(self) -> bool:
        return self._native.playing

    def stop(self) -> None:
        """Stops playing. Idempotent."""
        self._native.stop()
