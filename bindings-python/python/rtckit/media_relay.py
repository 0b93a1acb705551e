"""MediaRelay: one track read once, relayed to many consumers, as aiortc's
``aiortc.contrib.media.MediaRelay``."""

from __future__ import annotations

import asyncio
import collections
import logging
import weakref
from typing import Any, Optional

from . import _native
from .exceptions import MediaStreamError, RTCTypeError
from .track import MediaStreamTrack

logger = logging.getLogger(__name__)

# Frames a buffered consumer may fall behind before its oldest are dropped: about a
# second of video at 30 fps or of 20 ms audio frames.
QUEUE_FRAMES = {"video": 30, "audio": 50}


class RelayStreamTrack(MediaStreamTrack):
    """A consumer's proxy of a relayed track. Its ``recv()`` returns the source's frames
    (the same frame objects every consumer gets); added to a connection, rtckit pulls and
    sends them. It ends (MediaStreamError, readyState "ended", the "ended" event) as soon
    as the source ends, dropping frames it had not taken yet."""

    def __init__(self, relay: "MediaRelay", source: MediaStreamTrack, buffered: bool) -> None:
        relay_source = _native.MediaSource(source.kind, f"relay of {source.label}")
        native = relay_source.create_track()
        super().__init__(native)
        # Its frames come from recv(), produced when a consumer (a sender) asks for one.
        self._source = relay_source
        native.set_pulled()
        self._relay: Optional[MediaRelay] = relay
        self._relayed: Optional[MediaStreamTrack] = source
        self._buffered = buffered
        # Buffered: the frames not yet taken, oldest dropped when full; else the latest one.
        self._frames: collections.deque[Any] = collections.deque(
            maxlen=QUEUE_FRAMES.get(source.kind, 30) if buffered else 1
        )
        self._arrived = asyncio.Event()

    def _put(self, frame: Any) -> None:
        """A frame from the source."""
        self._frames.append(frame)
        self._arrived.set()

    def _end(self) -> None:
        """The source ended (or this proxy stopped): the track ends now, fires "ended", and
        a pending or later recv() raises MediaStreamError."""
        self._frames.clear()
        self._frames.append(None)
        self._arrived.set()
        if self._source is not None:
            self._source.close()
        if self._relay is not None:
            self._relay._stop(self)
            self._relay = None
            self._relayed = None
        super()._end()

    async def recv(self) -> Any:
        if self.readyState != "live" or self._relayed is None:
            raise MediaStreamError("the track has ended")
        if self._relay is not None:
            self._relay._start(self)
        while not self._frames:
            self._arrived.clear()
            await self._arrived.wait()
        frame = self._frames.popleft()
        if frame is None:
            self._frames.append(None)  # every later recv() raises too
            raise MediaStreamError("the relayed track has ended")
        return frame


class MediaRelay:
    """A media source that relays one or more tracks to multiple consumers, as aiortc's:
    ``relay.subscribe(track)`` returns a new proxy track for each consumer. The relay reads
    each source once (from the first proxy's first ``recv()`` until every started proxy
    stopped or the source ended) and hands every frame to every proxy; each consumer reads
    at its own pace and a slow one never holds up the others.

    ``buffered=True`` queues frames for a consumer that falls behind. Unlike aiortc, whose
    queue is unbounded (a stalled consumer grows it without end), the queue holds about a
    second of frames and then drops the oldest. ``buffered=False`` keeps only the latest
    frame, as aiortc does."""

    def __init__(self) -> None:
        # Per source: the proxies reading it (those that called recv() and did not stop),
        # and every proxy subscribed, to end them all when it ends.
        self.__proxies: dict[MediaStreamTrack, set[RelayStreamTrack]] = {}
        self.__subscribers: dict[MediaStreamTrack, "weakref.WeakSet[RelayStreamTrack]"] = {}
        self.__tasks: dict[MediaStreamTrack, "asyncio.Task[None]"] = {}

    def subscribe(self, track: MediaStreamTrack, buffered: bool = True) -> MediaStreamTrack:
        """
        Create a proxy around the given `track` for a new consumer.

        :param track: Source :class:`MediaStreamTrack` which is relayed.
        :param buffered: Whether there need a buffer between the source track and
            relayed track.
        """
        if not isinstance(track, MediaStreamTrack):
            raise RTCTypeError(f"subscribe takes a MediaStreamTrack, not {type(track).__name__}")
        proxy = RelayStreamTrack(self, track, buffered)
        self.__proxies.setdefault(track, set())
        self.__subscribers.setdefault(track, weakref.WeakSet()).add(proxy)
        return proxy

    def _start(self, proxy: RelayStreamTrack) -> None:
        track = proxy._relayed
        if track is None:
            return
        self.__proxies.setdefault(track, set()).add(proxy)
        if track not in self.__tasks:
            self.__tasks[track] = asyncio.get_running_loop().create_task(self.__run_track(track))

    def _stop(self, proxy: RelayStreamTrack) -> None:
        track = proxy._relayed
        if track is None or track not in self.__proxies:
            return
        proxies = self.__proxies[track]
        proxies.discard(proxy)
        task = self.__tasks.get(track)
        if not proxies and task is not None and not task.done():
            # Nobody reads any more: stop reading the source (a later recv() restarts it).
            task.cancel()
            del self.__tasks[track]

    async def __run_track(self, track: MediaStreamTrack) -> None:
        logger.debug("MediaRelay(%s) starts reading %s", id(self), track)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                break
            except Exception:
                logger.exception("MediaRelay: reading %s failed; its proxies end", track)
                break
            for proxy in list(self.__proxies.get(track, ())):
                proxy._put(frame)
        logger.debug("MediaRelay(%s) stops reading %s: it ended", id(self), track)
        self.__tasks.pop(track, None)
        self.__proxies.pop(track, None)
        for proxy in list(self.__subscribers.pop(track, ())):
            proxy._end()
