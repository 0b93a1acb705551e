"""rtckit (Python) <-> aiortc data channels over 127.0.0.1, in both offering directions.

Signaling is non-trickle: aiortc never trickles (its localDescription carries every
candidate once setLocalDescription returns), and rtckit's localDescription is read once
iceGatheringState is "complete".
"""

from __future__ import annotations

import asyncio
import re

import pytest

import rtckit
from interop_messages import MESSAGES, check_received

import aiortc
import aioice.ice as aioice_ice
import numpy as np

TIMEOUT = 20  # seconds for a whole exchange; each single wait is bounded by it too


def run(coro):
    """Runs a coroutine in a fresh loop, bounded by TIMEOUT."""
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


async def within(awaitable, what: str, timeout: float = 10):
    """Awaits with a bound, failing with what was being waited for."""
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


@pytest.fixture(autouse=True)
def aiortc_on_loopback(monkeypatch):
    """aioice gathers on every interface except 127.0.0.1 and aiortc has no option to
    choose; keep the whole test on loopback. (It also connects without this patch, rtckit
    reaching aiortc's non-loopback host candidates from 127.0.0.1.)"""
    monkeypatch.setattr(aioice_ice, "get_host_addresses", lambda *args, **kwargs: ["127.0.0.1"])


def rtckit_peer() -> rtckit.RTCPeerConnection:
    return rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})


def aiortc_peer():
    # No iceServers: aiortc would otherwise try stun.l.google.com.
    return aiortc.RTCPeerConnection(aiortc.RTCConfiguration(iceServers=[]))


async def gathered_description(pc: rtckit.RTCPeerConnection) -> rtckit.RTCSessionDescription:
    """rtckit's localDescription once gathering has completed."""

    async def complete():
        while pc.iceGatheringState != "complete":
            await asyncio.sleep(0.01)

    await within(complete(), "rtckit's ICE gathering to complete")
    desc = pc.localDescription
    assert desc is not None
    return desc


def candidate_addresses(sdp: str) -> list[str]:
    return re.findall(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ", sdp, re.M)


async def collect(queue: asyncio.Queue, count: int) -> list:
    return [await queue.get() for _ in range(count)]


async def exchange(rtckit_channel, aiortc_channel, rtckit_queue, aiortc_queue) -> None:
    """Both sides send every message; each must receive all of them, intact and in order."""
    for message in MESSAGES:
        rtckit_channel.send(message)
    for message in reversed(MESSAGES):
        aiortc_channel.send(message)
    at_aiortc, at_rtckit = await within(
        asyncio.gather(collect(aiortc_queue, len(MESSAGES)), collect(rtckit_queue, len(MESSAGES))),
        "all messages both ways",
    )
    check_received(at_aiortc, MESSAGES)
    check_received(at_rtckit, list(reversed(MESSAGES)))


async def rtckit_offers() -> None:
    r, a = rtckit_peer(), aiortc_peer()
    try:
        r_queue: asyncio.Queue = asyncio.Queue()
        a_queue: asyncio.Queue = asyncio.Queue()
        r_open = asyncio.Event()
        a_channel: asyncio.Future = asyncio.get_running_loop().create_future()

        rdc = r.createDataChannel("from-rtckit", ordered=True)
        rdc.on("open", r_open.set)
        rdc.on("message", r_queue.put_nowait)

        @a.on("datachannel")
        def on_datachannel(channel):
            channel.on("message", a_queue.put_nowait)
            a_channel.set_result(channel)

        await r.setLocalDescription(await r.createOffer())
        offer = await gathered_description(r)
        assert offer.type == "offer"
        addresses = candidate_addresses(offer.sdp)
        assert addresses and set(addresses) == {"127.0.0.1"}, addresses

        await a.setRemoteDescription(aiortc.RTCSessionDescription(sdp=offer.sdp, type=offer.type))
        await a.setLocalDescription(await a.createAnswer())
        answer = a.localDescription
        assert set(candidate_addresses(answer.sdp)) == {"127.0.0.1"}, answer.sdp
        await r.setRemoteDescription({"type": answer.type, "sdp": answer.sdp})

        await within(r_open.wait(), "rtckit's channel to open")
        adc = await within(a_channel, "aiortc's datachannel event")
        assert adc.label == "from-rtckit"
        assert rdc.readyState == "open"
        await exchange(rdc, adc, r_queue, a_queue)
        assert r.connectionState == "connected"
    finally:
        await r.close()
        await a.close()


async def aiortc_offers() -> None:
    r, a = rtckit_peer(), aiortc_peer()
    try:
        r_queue: asyncio.Queue = asyncio.Queue()
        a_queue: asyncio.Queue = asyncio.Queue()
        a_open = asyncio.Event()
        r_channel: asyncio.Future = asyncio.get_running_loop().create_future()

        adc = a.createDataChannel("from-aiortc", ordered=True)
        adc.on("open", a_open.set)
        adc.on("message", a_queue.put_nowait)

        @r.on("datachannel")
        def on_datachannel(channel):
            channel.on("message", r_queue.put_nowait)
            r_channel.set_result(channel)

        await a.setLocalDescription(await a.createOffer())
        offer = a.localDescription
        assert set(candidate_addresses(offer.sdp)) == {"127.0.0.1"}, offer.sdp

        await r.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer.sdp, type=offer.type))
        await r.setLocalDescription(await r.createAnswer())
        answer = await gathered_description(r)
        assert answer.type == "answer"
        addresses = candidate_addresses(answer.sdp)
        assert addresses and set(addresses) == {"127.0.0.1"}, addresses
        await a.setRemoteDescription(aiortc.RTCSessionDescription(sdp=answer.sdp, type=answer.type))

        await within(a_open.wait(), "aiortc's channel to open")
        rdc = await within(r_channel, "rtckit's datachannel event")
        assert rdc.label == "from-aiortc"

        async def until_open():
            while rdc.readyState != "open":
                await asyncio.sleep(0.01)

        await within(until_open(), "rtckit's channel to open")
        await exchange(rdc, adc, r_queue, a_queue)
        assert r.connectionState == "connected"
    finally:
        await r.close()
        await a.close()


def test_rtckit_offers_aiortc_answers():
    run(rtckit_offers())


def test_aiortc_offers_rtckit_answers():
    run(aiortc_offers())


# --- media -------------------------------------------------------------------------------



def dominant_frequency(samples, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


async def first_channel(recv, seconds: float = 0.5):
    """Half a second of the first channel of what `recv()` returns (aiortc's or rtckit's
    audio frames: s16 interleaved), after 100 ms of the codec settling."""
    chunks, skipped, rate = [], 0.0, 48000
    while sum(len(c) for c in chunks) < rate * seconds:
        frame = await within(recv(), "audio")
        rate = frame.sample_rate
        if skipped < 0.1:
            skipped += frame.samples / rate
            continue
        channels = len(frame.layout.channels) if hasattr(frame.layout, "channels") else frame.channels
        chunks.append(frame.to_ndarray().reshape(-1, channels)[:, 0].astype(np.float64))
    return np.concatenate(chunks), rate


class Tone(aiortc.mediastreams.AudioStreamTrack):
    """aiortc's AudioStreamTrack pattern with a 440 Hz tone instead of its silence."""

    async def recv(self):
        frame = await super().recv()
        t = (frame.pts + np.arange(frame.samples)) / frame.sample_rate
        tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        frame.planes[0].update(tone.tobytes())
        return frame


async def rtckit_sends_media() -> None:
    r, a = rtckit_peer(), aiortc_peer()
    rtckit.mediaDevices.useFakeDevices(True)
    try:
        stream = await rtckit.mediaDevices.getUserMedia(audio=True, video={"width": 320, "height": 240})
    finally:
        rtckit.mediaDevices.useFakeDevices(False)
    try:
        tracks: dict = {}
        a.on("track", lambda track: tracks.setdefault(track.kind, track))
        for track in stream.getTracks():
            r.addTrack(track, stream)
        await r.setLocalDescription(await r.createOffer())
        offer = await gathered_description(r)
        await a.setRemoteDescription(aiortc.RTCSessionDescription(sdp=offer.sdp, type=offer.type))
        await a.setLocalDescription(await a.createAnswer())
        await r.setRemoteDescription({"type": "answer", "sdp": a.localDescription.sdp})
        assert set(tracks) == {"audio", "video"}  # aiortc fires track during setRemoteDescription

        numbers = []
        for _ in range(15):
            frame = await within(tracks["video"].recv(), "a video frame at aiortc")
            assert (frame.width, frame.height) == (320, 240)
            numbers.append(rtckit.read_frame_number(rtckit.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"))))
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), numbers
        samples, rate = await first_channel(tracks["audio"].recv)
        assert abs(dominant_frequency(samples, rate) - 440) <= 5
    finally:
        for track in stream.getTracks():
            track.stop()
        await r.close()
        await a.close()


async def aiortc_sends_media() -> None:
    r, a = rtckit_peer(), aiortc_peer()
    try:
        a.addTrack(aiortc.mediastreams.VideoStreamTrack())  # 640x480 green, aiortc's test card
        a.addTrack(Tone())
        tracks: dict = {}
        both: asyncio.Future = asyncio.get_running_loop().create_future()

        @r.on("track")
        def on_track(track):
            tracks[track.kind] = track
            if len(tracks) == 2 and not both.done():
                both.set_result(None)

        await a.setLocalDescription(await a.createOffer())
        await r.setRemoteDescription(rtckit.RTCSessionDescription(sdp=a.localDescription.sdp, type="offer"))
        await r.setLocalDescription(await r.createAnswer())
        answer = await gathered_description(r)
        await a.setRemoteDescription(aiortc.RTCSessionDescription(sdp=answer.sdp, type=answer.type))
        await within(both, "both of aiortc's tracks at rtckit")

        frame = await within(tracks["video"].recv(), "a video frame at rtckit")
        assert (frame.width, frame.height) == (640, 480)
        r_, g, b = frame.to_ndarray("rgb24")[240, 320].tolist()
        assert g > 100 and r_ < 60 and b < 60, (r_, g, b)  # aiortc's green
        samples, rate = await first_channel(tracks["audio"].recv)
        assert abs(dominant_frequency(samples, rate) - 440) <= 5
    finally:
        await r.close()
        await a.close()


def test_aiortc_decodes_rtckit_camera_and_microphone():
    run(rtckit_sends_media())


def test_rtckit_decodes_aiortc_video_and_audio():
    run(aiortc_sends_media())
