"""WHIP and WHEP (issue 15) from Python: rtckit-Python's client (examples/python/whip.py)
publishes the fake camera and microphone to the rtckit-Node endpoint (whip_endpoint.mjs, a
child process) and plays it back over WHEP, decoding what the endpoint relays; DELETE ends
each session on the server."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import rtckit

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent / "examples" / "python"))
import whip  # noqa: E402  (the example under test)

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH")
CONFIG = {"bindAddresses": ["127.0.0.1"]}


async def within(awaitable, what: str, timeout: float = 15):
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


def state(url: str) -> dict:
    with urllib.request.urlopen(f"{url}state", timeout=5) as response:
        return json.load(response)


async def publish_and_play() -> None:
    endpoint = await asyncio.create_subprocess_exec(
        NODE, str(HERE / "whip_endpoint.mjs"), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stream = None
    try:
        line = (await within(endpoint.stdout.readline(), "the endpoint to start")).decode()
        match = re.search(r"whip endpoint (http://127\.0\.0\.1:\d+/)", line)
        assert match, f"the endpoint printed {line!r}"
        url = match.group(1)

        # A player before any publisher: the endpoint's 409 comes back as a clear error.
        early = rtckit.RTCPeerConnection(CONFIG)
        with pytest.raises(RuntimeError, match="answered 409: nothing is published yet"):
            await whip.play(early, f"{url}whep")
        await early.close()

        rtckit.mediaDevices.useFakeDevices(True)
        stream = await rtckit.mediaDevices.getUserMedia({"video": {"width": 640, "height": 480}, "audio": True})
        publisher = rtckit.RTCPeerConnection(CONFIG)
        for track in stream.getTracks():
            publisher.addTrack(track, stream)
        published = await whip.publish(publisher, f"{url}whip")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/resources/\d+", published.resource)
        assert [t.currentDirection for t in publisher.getTransceivers()] == ["sendonly", "sendonly"]

        player = rtckit.RTCPeerConnection(CONFIG)
        tracks: asyncio.Queue = asyncio.Queue()
        player.on("track", tracks.put_nowait)
        started = time.monotonic()
        playing = await whip.play(player, f"{url}whep")
        assert playing.resource != published.resource
        assert [t.currentDirection for t in player.getTransceivers()] == ["recvonly", "recvonly"]
        received = {}
        while len(received) < 2:
            track = await within(tracks.get(), "the played tracks")
            received[track.kind] = track
        first = await within(received["video"].recv(), "the first played frame")
        first_ms = (time.monotonic() - started) * 1000
        numbers = [rtckit.read_frame_number(first)]
        for _ in range(29):
            frame = await within(received["video"].recv(), "30 played frames")
            assert (frame.width, frame.height) == (640, 480)
            numbers.append(rtckit.read_frame_number(frame))
        # The camera's frame numbers, relayed in order.
        assert numbers == sorted(numbers) and len(set(numbers)) == 30, numbers
        audio = await within(received["audio"].recv(), "played audio")
        assert audio.sample_rate == 48000
        print(f"rtckit-Python WHEP player: first frame {first_ms:.0f} ms after play()")

        assert state(url) == {"publishers": 1, "players": 1, "deleted": 0}
        await playing.stop()
        await published.stop()
        assert state(url) == {"publishers": 0, "players": 0, "deleted": 2}
        assert player.connectionState == "closed"
        # DELETE of a session already ended is a 404, and says so.
        with pytest.raises(RuntimeError, match="answered 404"):
            await playing.stop()
    finally:
        for track in stream.getTracks() if stream else []:
            track.stop()
        endpoint.kill()
        await endpoint.wait()


def test_whip_publish_and_whep_play_through_an_rtckit_node_endpoint():
    asyncio.run(publish_and_play())
