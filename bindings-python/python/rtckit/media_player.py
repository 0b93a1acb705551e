"""MediaPlayer: a file (or a camera) as tracks, as aiortc's ``aiortc.contrib.media.MediaPlayer``."""

from __future__ import annotations

import os
from typing import Mapping, Optional, Union

from . import _native
from .exceptions import RTCTypeError
from .track import MediaStreamTrack


def _options(options: Optional[Mapping[str, object]]) -> list[tuple[str, str]]:
    if options is None:
        return []
    if not isinstance(options, Mapping):
        raise RTCTypeError(f"options is a dict of ffmpeg options, not {type(options).__name__}")
    return [(str(name), str(value)) for name, value in options.items()]


class MediaPlayer:
    """Plays ``file`` in real time as ``player.audio`` and ``player.video`` (None when the
    file has no such track): .webm (VP8, VP9, Opus), .mp4 (H.264, Opus), .mkv, .ivf (VP8,
    VP9), .ogg (Opus) and .h264 (Annex-B) are sent as they are when the connection's codec
    matches; .y4m, .wav and image sequences (``frame-%3d.png``, at ``options={"framerate":
    "30"}``) are encoded. Playing starts when a track is first consumed (a connection that
    sends it is up, or ``recv()``); at the end the tracks end, or play again with
    ``loop=True``. ``decode=False`` decodes nothing: frames carry the file's encoded units
    (for a sender of the same codec to forward) over blank pictures and silence.

    ``MediaPlayer("/dev/video0", format="v4l2", options={"video_size": "640x480",
    "framerate": "30"})`` opens a camera (fake devices stand in for it when on).
    ``timeout`` is accepted for aiortc's signature; files open at once.

    Raises NotFoundError for a missing file or camera, NotSupportedError for another format
    (its message names those rtckit plays) and NotReadableError for a file that is not what
    its name says."""

    def __init__(
        self,
        file: Union[str, "os.PathLike[str]"],
        format: Optional[str] = None,
        options: Optional[Mapping[str, object]] = None,
        timeout: Optional[float] = None,
        loop: bool = False,
        decode: bool = True,
    ) -> None:
        if format is not None and not isinstance(format, str):
            raise RTCTypeError(f"format is a name such as 'v4l2' or 'webm', not {type(format).__name__}")
        self._native = _native.MediaPlayer(os.fspath(file), bool(loop), format, _options(options), bool(decode))
        audio, video = self._native.audio, self._native.video
        self.__audio: Optional[MediaStreamTrack] = MediaStreamTrack(audio) if audio is not None else None
        self.__video: Optional[MediaStreamTrack] = MediaStreamTrack(video) if video is not None else None

    @property
    def audio(self) -> Optional[MediaStreamTrack]:
        """The file's audio track, or None."""
        return self.__audio

    @property
    def video(self) -> Optional[MediaStreamTrack]:
        """The file's video track, or None."""
        return self.__video

    def stop(self) -> None:
        """Stops playing: the tracks end."""
        self._native.stop()
