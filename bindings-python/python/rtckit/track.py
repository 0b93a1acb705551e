"""MediaStreamTrack and MediaStream."""

from __future__ import annotations

import asyncio
import fractions
import time
import uuid
import weakref
from typing import Any, Iterable, Optional, Union

from . import _native
from .events import EventEmitter, hub
from .exceptions import InternalError, InvalidStateError, MediaStreamError, RTCTypeError
from . import frame as _frame
from .frame import AudioFrame, VideoFrame


# One Python object per native track, so that receiver.track, the track event and
# sender.track are the same object (and a user's subclass is found from its native track).
_tracks: "weakref.WeakValueDictionary[str, MediaStreamTrack]" = weakref.WeakValueDictionary()


def _track_of(native: "Optional[_native.MediaStreamTrack]") -> "Optional[MediaStreamTrack]":
    """The Python track of a native one (made on first sight)."""
    if native is None:
        return None
    track = _tracks.get(native.id)
    return track if track is not None else MediaStreamTrack(native)


class MediaStreamTrack(EventEmitter):
    """A track of frames. ``await track.recv()`` returns the next VideoFrame or AudioFrame
    and raises MediaStreamError once the track has ended. Events: ended, mute, unmute.

    As in aiortc, subclass it with ``kind = "video"`` (or ``"audio"``) and your own
    ``async def recv()`` to send frames your code makes: ``super().__init__()`` takes no
    argument. Sent on a connection, rtckit calls ``recv()`` only while a connected sender
    wants a frame, one call at a time, the next only once the encoder took the last.
    """

    kind = "unknown"

    def __init__(self, native: "Optional[_native.MediaStreamTrack]" = None) -> None:
        super().__init__()
        self._receiver: Optional[_native.FrameReceiver] = None
        self._source: Optional[_native.MediaSource] = None
        self._ended = False
        self._pulling = False
        self.onended = None
        self.onmute = None
        self.onunmute = None
        if native is None:
            kind = type(self).kind
            if kind not in ("audio", "video"):
                # aiortc allows making it; addTrack refuses it.
                self._native = None
                self._id = str(uuid.uuid4())
                return
            self._source = _native.MediaSource(kind, type(self).__name__)
            native = self._source.create_track()
            if type(self).recv is not MediaStreamTrack.recv:
                native.set_pulled()
        else:
            self.kind = native.kind
        self._native = native
        self._id = native.id
        _tracks[native.id] = self
        hub.register(self)

    def _dispatch(self, name: str, value: Any) -> None:
        if name == "demand":
            if not self._pulling:
                self._pulling = True
                asyncio.ensure_future(self._pull())
        elif name == "ended":
            self._end()
        else:
            self.emit(name)

    def _on_listener_added(self) -> None:
        hub.attach()

    def _native_track(self) -> "_native.MediaStreamTrack":
        """The native track; a track of no known kind has none (aiortc refuses it too)."""
        if self._native is None:
            raise InternalError(f'Invalid track kind "{self.kind}"')
        return self._native

    def _end(self) -> None:
        """aiortc fires ``ended`` once, whether the track was stopped or its source ended."""
        if not self._ended:
            self._ended = True
            self.emit("ended")

    @property
    def id(self) -> str:
        return self._id

    @property
    def label(self) -> str:
        return "" if self._native is None else self._native.label

    @property
    def enabled(self) -> bool:
        return True if self._native is None else self._native.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        if self._native is not None:
            self._native.enabled = bool(value)

    @property
    def muted(self) -> bool:
        """W3C: a received track is muted until media arrives on it."""
        return False if self._native is None else self._native.muted

    @property
    def readyState(self) -> str:
        if self._native is None:
            return "ended" if self._ended else "live"
        return self._native.ready_state

    def stop(self) -> None:
        if self._native is not None:
            self._native.stop()
        if self._source is not None:
            self._source.close()
        self._end()

    def clone(self) -> "MediaStreamTrack":
        """W3C ``clone()``: a new track (a new id) with the same frames, its own ``enabled``
        and its own ``stop()``, which leaves this one running. A clone of your own subclass
        gets what its ``recv()`` returns, as long as the original is not stopped."""
        return MediaStreamTrack(self._native_track().clone_track())

    async def recv(self) -> Union[VideoFrame, AudioFrame]:
        hub.attach()
        if self._native is None:
            raise MediaStreamError("this track has no frames of its own: override recv()")
        if self._receiver is None:
            self._receiver = self._native.receiver()
        try:
            frame = await self._receiver.recv()
        except InvalidStateError as exc:
            raise MediaStreamError(str(exc)) from None
        if isinstance(frame, _native.VideoFrame):
            return VideoFrame._wrap(frame)
        return AudioFrame._wrap(frame)

    async def _pull(self) -> None:
        """Answers the senders' demand: one ``recv()`` a frame they wait for, pushed to the
        track they send. Each call yields to the loop, so a ``recv()`` that never suspends
        cannot starve it."""
        assert self._source is not None and self._native is not None
        try:
            while self._native.take_demand():
                frame = await self.recv()
                native = _frame._to_native(frame, self.kind)
                if isinstance(native, _native.VideoFrame):
                    self._source.push_video(native)
                else:
                    self._source.push_audio(native)
                await asyncio.sleep(0)
        except MediaStreamError:
            self._source.close()
        except InvalidStateError:
            pass  # the track was stopped while recv() ran
        except Exception as exc:  # the user's recv() failed: the track ends, as in aiortc
            self._source.close()
            loop = asyncio.get_running_loop()
            loop.call_exception_handler({"message": f"{type(self).__name__}.recv() failed", "exception": exc})
        finally:
            self._pulling = False

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
        self._native.add_track(track._native_track())
        if all(t.id != track.id for t in self._tracks):
            self._tracks.append(track)

    def removeTrack(self, track: MediaStreamTrack) -> None:
        self._native.remove_track(track._native_track())
        self._tracks = [t for t in self._tracks if t.id != track.id]

    def clone(self) -> "MediaStream":
        """W3C ``clone()``: a new stream (a new id) of clones of its tracks."""
        return MediaStream([t.clone() for t in self.getTracks()])


VIDEO_CLOCK_RATE = 90000
VIDEO_PTIME = 1 / 30  # 30 frames per second
AUDIO_PTIME = 0.020  # 20 ms audio frames


class VideoStreamTrack(MediaStreamTrack):
    """aiortc's pattern: subclass and override ``async def recv()`` to return your frames;
    ``await self.next_timestamp()`` paces them at 30 fps and gives their pts. Added to a
    connection, rtckit pulls ``recv()`` and sends what it returns. The default ``recv()``
    returns black 640x480 frames."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
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


class AudioStreamTrack(MediaStreamTrack):
    """aiortc's audio counterpart: override ``recv()``; the default returns s16 mono
    48 kHz, 20 ms frames of silence, paced in real time. Added to a connection, rtckit pulls
    ``recv()`` and sends what it returns."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
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
        frame = AudioFrame._wrap(_native.AudioFrame(bytes(2 * samples), 48000, 1))
        frame.pts = self._timestamp
        return frame
