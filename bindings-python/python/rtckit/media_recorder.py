"""MediaRecorder and MediaBlackhole, as aiortc's ``aiortc.contrib.media`` has them."""

from __future__ import annotations

import os
from typing import Mapping, Optional, Union

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStreamTrack


class MediaRecorder:
    """Writes tracks to ``file``: .webm (VP8 or VP9, and Opus) and .mp4 (H.264 and Opus) hold
    a video and an audio track; .ivf (VP8, VP9), .ogg (Opus) and .h264 (Annex-B) one. They
    get what was received as it came when the codec matches (else the frames encoded);
    .y4m, .wav and image sequences (``frame-%3d.png``, numbered from 1) the decoded frames.
    ``format`` names the format as ffmpeg does ("webm", "mp4", "image2"...) when the name
    does not say; ``options`` is accepted for aiortc's signature. An .mp4 is held in memory
    until ``stop()`` writes it.

    ``addTrack(track)``, then ``await start()``; ``await stop()`` completes the file."""

    def __init__(
        self,
        file: Optional[Union[str, "os.PathLike[str]"]],
        format: Optional[str] = None,
        options: Optional[Mapping[str, object]] = None,
    ) -> None:
        if format is not None and not isinstance(format, str):
            raise RTCTypeError(f"format is a name such as 'webm' or 'mp4', not {type(format).__name__}")
        self._native = _native.MediaRecorder(None if file is None else os.fspath(file), format)
        self._tracks: list[MediaStreamTrack] = []

    def addTrack(self, track: MediaStreamTrack) -> None:
        if not isinstance(track, MediaStreamTrack):
            raise RTCTypeError(f"addTrack takes a MediaStreamTrack, not {type(track).__name__}")
        self._native.add_track(track._native_track())
        self._tracks.append(track)

    async def start(self) -> None:
        # A track whose frames come from its own recv() is asked for them as they are written.
        self._native.start()

    async def stop(self) -> None:
        await self._native.stop()

    @property
    def count(self) -> int:
        """Frames (video) or packets (audio) written so far (rtckit's own)."""
        return self._native.count


class MediaBlackhole(MediaRecorder):
    """Consumes tracks and drops their frames."""

    def __init__(self) -> None:
        super().__init__(None)
