"""MediaPlayer: a file as a track, as aiortc's ``aiortc.contrib.media.MediaPlayer``."""

from __future__ import annotations

import os
from typing import Optional, Union

from . import _native
from .track import MediaStreamTrack


class MediaPlayer:
    """Plays ``file`` in real time as ``player.audio`` or ``player.video`` (the other is
    None): .ivf (VP8), .ogg (Opus) and .h264 (Annex-B) are sent as they are when the
    connection's codec matches; .y4m and .wav are encoded. Playing starts when the track is
    first consumed (a connection that sends it is up, or ``recv()``); at the end the track
    ends, or plays again with ``loop=True``.

    Raises NotFoundError for a missing file, NotSupportedError for another format and
    NotReadableError for a file that is not what its name says."""

    def __init__(self, file: Union[str, "os.PathLike[str]"], loop: bool = False) -> None:
        self._native = _native.MediaPlayer(os.fspath(file), loop)
        audio, video = self._native.audio, self._native.video
        self.audio: Optional[MediaStreamTrack] = MediaStreamTrack(audio) if audio is not None else None
        self.video: Optional[MediaStreamTrack] = MediaStreamTrack(video) if video is not None else None

    def stop(self) -> None:
        """Stops playing: the track ends."""
        self._native.stop()
