"""MediaStreamTrack and MediaStream."""

from __future__ import annotations

import asyncio
import fractions
import time
from typing import Any, Iterable, Optional, Union

from . import _native
from .events import EventEmitter, hub
from .exceptions import InvalidStateError, MediaStreamError, RTCTypeError
from .frame import AudioFrame, VideoFrame


class MediaStreamTrack(EventEmitter):
    """A track of frames. ``await track.recv()`` returns the next VideoFrame or AudioFrame
    and raises MediaStreamError once the track has ended. Event: ended."""

    def __init__(self, native: "_native.MediaStreamTrack") -> None:
        super().__init__()
        self._native = native
        self._receiver: Optional[_native.FrameReceiver] = None
        self.onended = None
        hub.register(self)

    def _dispatch(self, name: str, value: Any) -> None:
        self.emit(name)

    def _on_listener_added(self) -> None:
        hub.attach()

    @property
    def id(self) -> str:
        return self._native.id

    @property
    def kind(self) -> str:
        return self._native.kind

    @property
    def label(self) -> str:
        return self._native.label

    @property
    def enabled(self) -> bool:
        return self._native.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._native.enabled = bool(value)

    @property
    def readyState(self) -> str:
        return self._native.ready_state

    def stop(self) -> None:
        self._native.stop()

    async def recv(self) -> Union[VideoFrame, AudioFrame]:
        hub.attach()
        if self._receiver is None:
            self._receiver = self._native.receiver()
        try:
            frame = await self._receiver.recv()
        except InvalidStateError as exc:
            raise MediaStreamError(str(exc)) from None
        if isinstance(frame, _native.VideoFrame):
            return VideoFrame._wrap(frame)
        return AudioFrame(frame)

    def __repr__(self) -> str:
        return f"<rtckit.MediaStreamTrack {self.kind} {self.label!r} {self.readyState}>"


class MediaStream:
    """A set of tracks with an id."""

    def __init__(self, tracks: Iterable[MediaStreamTrack] = ()) -> None:
        self._tracks: list[MediaStreamTrack] = []
        self._native = _native.MediaStream([])
        for track in tracks:
            self.addTrack(track)

    @property
    def id(self) -> str:
        return self._native.id

    def getTracks(self) -> list[MediaStreamTrack]:
        ids = self._native.track_ids()
        return [t for t in self._tracks if t.id in ids]

    def getAudioTracks(self) -> list[MediaStreamTrack]:
        return [t for t in self.getTracks() if t.kind == "audio"]

    def getVideoTracks(self) -> list[MediaStreamTrack]:
        return [t for t in self.getTracks() if t.kind == "video"]

    def addTrack(self, track: MediaStreamTrack) -> None:
        self._native.add_track(track._native)
        if all(t.id != track.id for t in self._tracks):
            self._tracks.append(track)

    def removeTrack(self, track: MediaStreamTrack) -> None:
        self._native.remove_track(track._native)
        self._tracks = [t for t in self._tracks if t.id != track.id]


VIDEO_CLOCK_RATE = 90000
VIDEO_PTIME = 1 / 30  # 30 frames per second
AUDIO_PTIME = 0.020  # 20 ms audio frames


class _PulledTrack(MediaStreamTrack):
    """A track whose frames come from its own ``recv()``: added to a connection, rtckit
    pulls them while an asyncio loop runs and sends them."""

    _source: Any

    async def _produce(self) -> None:
        """Feeds what recv() returns into the track rtckit sends, until either ends."""
        frame_type = VideoFrame if self.kind == "video" else AudioFrame
        push = self._source.push_video if self.kind == "video" else self._source.push_audio
        while self.readyState == "live":
            try:
                frame = await self.recv()
            except MediaStreamError:
                break
            if not isinstance(frame, frame_type):
                raise RTCTypeError(
                    f"{type(self).__name__}.recv() must return a {frame_type.__name__}, not {type(frame).__name__}"
                )
            try:
                push(frame._native)
            except InvalidStateError:
                break
        self._source.close()


class VideoStreamTrack(_PulledTrack):
    """aiortc's pattern: subclass and override ``async def recv()`` to return your frames;
    ``await self.next_timestamp()`` paces them at 30 fps and gives their pts. Added to a
    connection, rtckit pulls ``recv()`` and sends what it returns. The default ``recv()``
    returns black 640x480 frames."""

    kind = "video"

    def __init__(self) -> None:
        self._source = _native.MediaSource("video", type(self).__name__)
        super().__init__(self._source.create_track())
        self._started: Optional[float] = None
        self._timestamp = 0

    async def next_timestamp(self) -> tuple[int, "fractions.Fraction"]:
        if self._started is None:
            self._started = time.monotonic()
            self._timestamp = 0
        else:
            self._timestamp += int(VIDEO_PTIME * VIDEO_CLOCK_RATE)
            wait = self._started + self._timestamp / VIDEO_CLOCK_RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        return self._timestamp, fractions.Fraction(1, VIDEO_CLOCK_RATE)

    async def recv(self) -> VideoFrame:  # type: ignore[override]
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(640, 480)
        frame.pts, frame.time_base = pts, time_base
        return frame


class AudioStreamTrack(_PulledTrack):
    """aiortc's audio counterpart: override ``recv()``; the default returns s16 mono
    48 kHz, 20 ms frames of silence, paced in real time. Added to a connection, rtckit pulls
    ``recv()`` and sends what it returns."""

    kind = "audio"

    def __init__(self) -> None:
        self._source = _native.MediaSource("audio", type(self).__name__)
        super().__init__(self._source.create_track())
        self._started: Optional[float] = None
        self._timestamp = 0

    async def recv(self) -> AudioFrame:  # type: ignore[override]
        samples = int(AUDIO_PTIME * 48000)
        if self._started is None:
            self._started = time.monotonic()
        else:
            self._timestamp += samples
            wait = self._started + self._timestamp / 48000 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        frame = AudioFrame(_native.AudioFrame(bytes(2 * samples), 48000, 1))
        frame.pts = self._timestamp
        return frame
