"""MediaStreamTrack and MediaStream."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from . import _native
from .events import EventEmitter, hub
from .exceptions import InvalidStateError, MediaStreamError
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
