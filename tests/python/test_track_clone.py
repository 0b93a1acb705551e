"""W3C clone() and enabled: a clone is a new track fed by the same source, with its own
enabled and stop(); a disabled track gives black video and silence, on the sending and on
the receiving side. Real peers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import fractions

import numpy as np

import rtckit
from conftest import LOOPBACK, connect, fake_media, next_event, run, wait_until


def gray(level: int) -> np.ndarray:
    return np.full((48, 64, 3), level, np.uint8)


class Watch:
    """Reads a track until stopped; keeps the centre of the last frame and a count."""

    def __init__(self, track: rtckit.MediaStreamTrack) -> None:
        self.track = track
        self.level: int | None = None
        self.loudness: list[int] = []
        self.frames = 0
        self.ended = False
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while True:
                frame = await self.track.recv()
                self.frames += 1
                if isinstance(frame, rtckit.VideoFrame):
                    image = frame.to_ndarray(format="rgb24")
                    self.level = int(image[image.shape[0] // 2, image.shape[1] // 2].mean())
                else:
                    self.loudness.append(int(np.abs(frame.to_ndarray().astype(np.int32)).max()))
        except rtckit.MediaStreamError:
            self.ended = True

    async def until(self, predicate, what: str) -> None:
        await wait_until(lambda: self.level is not None and predicate(self.level), what=what)

    async def more(self, count: int, what: str) -> None:
        start = self.frames
        await wait_until(lambda: self.frames >= start + count, what=what)

    async def run_of(self, predicate, count: int, what: str) -> None:
        """Waits for `count` audio frames in a row, from now on, that pass `predicate`."""
        start = len(self.loudness)

        def found() -> bool:
            run = 0
            for x in self.loudness[start:]:
                run = run + 1 if predicate(x) else 0
                if run >= count:
                    return True
            return False

        await wait_until(found, what=what)

    def stop(self) -> None:
        self.task.cancel()


async def pushing(source: rtckit.VideoSource, level) -> None:
    while True:
        source.push(gray(level()))
        await asyncio.sleep(0.02)


def test_a_clone_of_a_pushed_track_has_its_own_id_enabled_and_stop():
    async def main():
        source = rtckit.VideoSource()
        original = source.track
        clone = original.clone()
        assert isinstance(clone, rtckit.MediaStreamTrack)
        assert clone.id != original.id
        assert (clone.kind, clone.label, clone.enabled, clone.readyState) == ("video", original.label, True, "live")
        seen_original, seen_clone = Watch(original), Watch(clone)
        feeder = asyncio.ensure_future(pushing(source, lambda: 200))
        try:
            clone.enabled = False
            await seen_original.until(lambda v: v > 190, "the original's frames")
            await seen_clone.until(lambda v: v < 5, "the disabled clone's black frames")
            assert original.enabled
            clone.stop()
            assert clone.readyState == "ended" and original.readyState == "live"
            await wait_until(lambda: seen_clone.ended, what="the clone's recv() to end")
            await seen_original.more(3, "the original to go on")
            # Stopping the original leaves a clone running.
            second = original.clone()
            seen_second = Watch(second)
            original.stop()
            await seen_second.until(lambda v: v > 190, "the second clone's frames")
            second.stop()
        finally:
            feeder.cancel()
            source.close()
        # A stream's clone: a new id and clones of its tracks.
        stream = await fake_media(video={"width": 160, "height": 120}, audio=True)
        copy = stream.clone()
        assert copy.id != stream.id
        assert [t.kind for t in copy.getTracks()] == [t.kind for t in stream.getTracks()]
        assert not {t.id for t in copy.getTracks()} & {t.id for t in stream.getTracks()}
        for t in stream.getTracks():
            t.stop()
        frame = await asyncio.wait_for(copy.getVideoTracks()[0].recv(), 10)  # the camera runs on
        assert (frame.width, frame.height) == (160, 120)
        for t in copy.getTracks():
            t.stop()

    run(main())


def test_a_clone_of_a_subclassed_track_gets_what_its_recv_returns():
    class Counter(rtckit.MediaStreamTrack):
        kind = "video"

        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        async def recv(self) -> rtckit.VideoFrame:
            self.count += 1
            frame = rtckit.VideoFrame.from_ndarray(gray(100), format="rgb24")
            frame.pts, frame.time_base = self.count, fractions.Fraction(1, 30)
            await asyncio.sleep(0.01)
            return frame

    async def main():
        track = Counter()
        clone = track.clone()
        assert type(clone) is rtckit.MediaStreamTrack and clone.kind == "video"
        first = await asyncio.wait_for(clone.recv(), 10)
        second = await asyncio.wait_for(clone.recv(), 10)
        assert (first.pts, second.pts) == (1, 2)
        assert first.to_ndarray(format="rgb24")[5, 5].mean() > 90
        clone.stop()
        track.stop()

    run(main())


def test_disabled_tracks_send_black_and_silence_and_a_disabled_received_track_gives_black():
    async def main():
        video, audio = rtckit.VideoSource(), rtckit.AudioSource()
        a = rtckit.RTCPeerConnection(LOOPBACK)
        b = rtckit.RTCPeerConnection(LOOPBACK)
        received: dict[str, rtckit.MediaStreamTrack] = {}
        clones: dict[str, rtckit.MediaStreamTrack] = {}
        unmuted: list = []

        @b.on("track")
        def on_track(track):
            received[track.kind] = track
            # A clone made at once is muted like the track, and unmutes with it.
            clones[track.kind] = track.clone()
            assert clones[track.kind].muted
            unmuted.append(next_event(clones[track.kind], "unmute"))

        a.addTrack(video.track)
        a.addTrack(audio.track)
        await connect(a, b)
        assert set(received) == {"video", "audio"}
        feeder = asyncio.ensure_future(pushing(video, lambda: 200))

        async def tone():
            n = 0
            while True:
                t = (np.arange(480) + n * 480) / 48000
                audio.push((np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).reshape(1, -1))
                n += 1
                await asyncio.sleep(0.01)

        toner = asyncio.ensure_future(tone())
        seen_video, heard = Watch(received["video"]), Watch(received["audio"])
        seen_clone = Watch(clones["video"])
        try:
            await asyncio.wait_for(asyncio.gather(*unmuted), 20)
            assert not clones["video"].muted
            await seen_video.until(lambda v: v > 180, "bright frames")
            await heard.run_of(lambda x: x > 4000, 5, "the tone")
            # The sending tracks disabled: black frames and silence go out.
            video.track.enabled = False
            audio.track.enabled = False
            await seen_video.until(lambda v: v < 20, "black frames")
            await heard.run_of(lambda x: x < 50, 20, "silence")
            video.track.enabled = True
            audio.track.enabled = True
            await seen_video.until(lambda v: v > 180, "bright frames again")
            await heard.run_of(lambda x: x > 4000, 5, "the tone again")
            # The received track disabled: black for its readers, not for its clone's.
            received["video"].enabled = False
            await seen_video.until(lambda v: v < 5, "black frames from the disabled received track")
            await seen_clone.until(lambda v: v > 180, "bright frames in the clone")
            clones["video"].stop()
            assert received["video"].readyState == "live"
            await seen_video.more(3, "the received track to go on")
        finally:
            feeder.cancel()
            toner.cancel()
            for w in (seen_video, heard, seen_clone):
                w.stop()
            await a.close()
            await b.close()

    run(main())
