"""MediaRelay (aiortc.contrib.media's): one fake camera read once and relayed to several
consumers at their own pace, a slow one dropping its oldest frames without holding up the
others; the source's end ends every proxy; a proxy is sent over a real connection."""

import asyncio

import pytest

import rtckit
from conftest import TIMEOUT, connect, fake_media, next_event, run
from rtckit.contrib.media import MediaRelay as ContribMediaRelay


async def camera() -> rtckit.MediaStreamTrack:
    (track,) = (await fake_media(video={"width": 160, "height": 120})).getVideoTracks()
    return track


def spy_on(track):
    """Records the frame numbers the relay reads from `track`, in order."""
    read = []
    original = track.recv

    async def recv():
        frame = await original()
        read.append(rtckit.read_frame_number(frame))
        return frame

    track.recv = recv
    return read


def test_one_source_many_consumers_a_slow_one_drops_and_never_blocks():
    assert ContribMediaRelay is rtckit.MediaRelay

    async def main():
        source = await camera()
        read = spy_on(source)
        relay = rtckit.MediaRelay()
        fast = [relay.subscribe(source), relay.subscribe(source)]
        slow = relay.subscribe(source)
        assert all(isinstance(p, rtckit.MediaStreamTrack) and p.kind == "video" for p in fast + [slow])
        wanted = 90
        got = {"fast0": [], "fast1": [], "slow": []}

        async def consume(track, name, pause):
            while len(got["fast0"]) < wanted or len(got["fast1"]) < wanted:
                if name != "slow" and len(got[name]) == wanted:
                    return
                frame = await asyncio.wait_for(track.recv(), TIMEOUT)
                got[name].append(rtckit.read_frame_number(frame))
                if pause:
                    await asyncio.sleep(pause)  # a consumer much slower than the camera

        await asyncio.gather(
            consume(fast[0], "fast0", 0), consume(fast[1], "fast1", 0), consume(slow, "slow", 0.3)
        )
        # The fast consumers got every frame the relay read from the source, in order...
        assert got["fast0"] == got["fast1"] == read[: len(got["fast0"])]
        assert len(got["fast0"]) == wanted and len(set(got["fast0"])) == wanted
        # ...while the slow one got fewer, in order, and skipped the oldest it had no room for.
        slow_numbers = got["slow"]
        assert len(slow_numbers) < wanted // 3, slow_numbers
        assert slow_numbers == sorted(set(slow_numbers))
        assert any(b - a > 1 for a, b in zip(slow_numbers, slow_numbers[1:])), slow_numbers
        # One reader: the source was read once per frame, not once per consumer.
        assert len(read) < 2 * wanted

        # The source ends: every proxy ends, with its event, and recv() raises.
        ended = [next_event(p, "ended") for p in fast + [slow]]
        source.stop()
        for proxy in fast + [slow]:
            with pytest.raises(rtckit.MediaStreamError):
                for _ in range(200):  # what was queued before the end, then the end
                    await asyncio.wait_for(proxy.recv(), TIMEOUT)
        await asyncio.wait_for(asyncio.gather(*ended), TIMEOUT)
        assert [p.readyState for p in fast + [slow]] == ["ended"] * 3

    run(main())


def test_unbuffered_proxy_keeps_only_the_latest_frame_and_stopping_every_proxy_stops_reading():
    async def main():
        source = await camera()
        read = spy_on(source)
        relay = rtckit.MediaRelay()
        latest, other = relay.subscribe(source, buffered=False), relay.subscribe(source)
        first = rtckit.read_frame_number(await asyncio.wait_for(latest.recv(), TIMEOUT))
        while len(read) < first + 10 - read[0] + 1:  # the camera moves on by ten frames
            await asyncio.wait_for(other.recv(), TIMEOUT)
        frame = await asyncio.wait_for(latest.recv(), TIMEOUT)
        assert rtckit.read_frame_number(frame) >= first + 10  # the newest, not the next one
        latest.stop()
        assert latest.readyState == "ended"
        with pytest.raises(rtckit.MediaStreamError):
            await latest.recv()
        other.stop()
        await asyncio.sleep(0.3)  # a frame the reader took while stopping may land
        count = len(read)
        await asyncio.sleep(0.5)  # the camera makes ~15 frames; nobody reads them
        assert len(read) == count
        assert source.readyState == "live"  # the relay never stops its source
        # A new consumer starts reading again.
        again = relay.subscribe(source)
        await asyncio.wait_for(again.recv(), TIMEOUT)
        assert len(read) > count
        source.stop()

    run(main())


def test_subscribe_rejects_what_is_not_a_track():
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.MediaRelay().subscribe("camera")  # type: ignore[arg-type]


def test_a_relayed_track_is_sent_over_a_connection_and_decoded():
    async def main():
        source = await camera()
        relay = rtckit.MediaRelay()
        local_view = relay.subscribe(source)
        a = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
        b = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
        a.addTrack(relay.subscribe(source))
        arrived = next_event(b, "track")
        await connect(a, b)
        remote = await asyncio.wait_for(arrived, TIMEOUT)
        numbers = []
        for _ in range(20):
            frame = await asyncio.wait_for(remote.recv(), TIMEOUT)
            assert (frame.width, frame.height) == (160, 120)
            numbers.append(rtckit.read_frame_number(frame))
            await asyncio.wait_for(local_view.recv(), TIMEOUT)  # a second consumer, locally
        assert numbers == sorted(numbers) and len(set(numbers)) == 20
        source.stop()
        await a.close()
        await b.close()

    run(main())
