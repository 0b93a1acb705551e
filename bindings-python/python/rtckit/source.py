"""Push-style sources: frames your code computed become a track."""

from __future__ import annotations

from typing import Any

from . import _native
from .frame import AudioFrame, VideoFrame
from .track import MediaStreamTrack


class VideoSource:
    """``source.push(ndarray_or_frame)`` delivers a frame to ``source.track``."""

    def __init__(self, label: str = "rtckit video source") -> None:
        self._native = _native.MediaSource("video", label)
        self.track = MediaStreamTrack(self._native.create_track())

    def createTrack(self) -> MediaStreamTrack:
        """Another track fed by this source."""
        return MediaStreamTrack(self._native.create_track())

    def push(self, frame: Any, format: str = "rgb24") -> None:
        """Pushes a VideoFrame, or a uint8 array in `format` (default rgb24)."""
        if not isinstance(frame, VideoFrame):
            frame = VideoFrame.from_ndarray(frame, format=format)
        self._native.push_video(frame._native)

    def close(self) -> None:
        """Ends the source and its tracks (they fire ended)."""
        self._native.close()


class AudioSource:
    """``source.push(samples)`` delivers s16 audio to ``source.track``."""

    def __init__(self, label: str = "rtckit audio source") -> None:
        self._native = _native.MediaSource("audio", label)
        self.track = MediaStreamTrack(self._native.create_track())

    def createTrack(self) -> MediaStreamTrack:
        return MediaStreamTrack(self._native.create_track())

    def push(self, frame: Any, sample_rate: int = 48000, layout: str = "mono") -> None:
        """Pushes an AudioFrame, or an int16 array of interleaved samples."""
        if not isinstance(frame, AudioFrame):
            frame = AudioFrame.from_ndarray(frame, layout=layout, sample_rate=sample_rate)
        self._native.push_audio(frame._native)

    def close(self) -> None:
        self._native.close()
