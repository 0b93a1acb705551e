"""MediaRecorder and MediaBlackhole, as aiortc's ``aiortc.contrib.media`` has them."""

from __future__ import annotations

import os
from typing import Optional, Union

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStreamTrack


class MediaRecorder:
    """Writes a track to ``file``: .ivf (VP8), .ogg (Opus) and .h264 (Annex-B) get what was
    received as it came when the codec matches (else the frames encoded), .y4m and .wav the
    decoded frames. A file holds one track of its kind.

    ``addTrack(track)``, then ``await start()``; ``await stop()`` completes the file."""

    def __init__(self, file: Optional[Union[str, "os.PathLike[str]"]]) -> None:
        self._native = _native.MediaRecorder(None if file is None else os.fspath(file))
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
