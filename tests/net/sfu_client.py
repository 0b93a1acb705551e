"""rtckit-Python clients of a Janus VideoRoom for the SFU tests, through the example client
(examples/python/janus.py). The twin of sfu_client.mjs, speaking the same JSON lines:

    ip netns exec NS python3 sfu_client.py '{"url": ..., "room": 1234, "role": "publish"}'
        -> {"type": "published", "feed": ID}, then at a line on stdin {"type": "publisher", ...}:
           its CPU use since it published (cores) and its video sender's stats
    ... '{"url": ..., "room": 1234, "role": "subscribe", "feed": ID, "count": 5, "seconds": 3}'
        -> {"type": "subscribers", "subscribers": [...]}: for each of `count` subscribers (one
           connection each), how long its first frame took from the join, the frames decoded
           over `seconds` after it, their size and whether the camera's numbers rose, and
           whether audio came
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "python"))

import janus  # noqa: E402  (the example)
import rtckit  # noqa: E402


def say(message: dict) -> None:
    print(json.dumps(message), flush=True)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def video_sender_stats(pc: rtckit.RTCPeerConnection) -> dict:
    for stats in (await pc.getStats()).values():
        if stats.type == "outbound-rtp" and stats.kind == "video":
            return {k: getattr(stats, k, None) for k in ("framesEncoded", "keyFramesEncoded", "pliCount", "firCount", "frameWidth")}
    return {}


async def publisher(session: janus.JanusSession, options: dict) -> None:
    rtckit.mediaDevices.useFakeDevices(True)
    stream = await rtckit.mediaDevices.getUserMedia({"video": {"width": 640, "height": 480}, "audio": True})
    pc = rtckit.RTCPeerConnection()
    for track in stream.getTracks():
        pc.addTrack(track, stream)
    say({"type": "published", "feed": await janus.publish(session, pc, options["room"])})
    cpu, wall = cpu_seconds(), time.monotonic()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    cpu, wall = cpu_seconds() - cpu, time.monotonic() - wall
    say({"type": "publisher", "cpu": cpu / wall, **(await video_sender_stats(pc))})
    await pc.close()
    for track in stream.getTracks():
        track.stop()


async def subscriber(session: janus.JanusSession, options: dict) -> dict:
    pc = rtckit.RTCPeerConnection()
    tracks: asyncio.Queue = asyncio.Queue()
    pc.on("track", tracks.put_nowait)
    started = time.monotonic()
    await janus.subscribe(session, pc, options["room"], options["feed"])
    video = audio = None
    while video is None or audio is None:
        track = await asyncio.wait_for(tracks.get(), 15)
        video, audio = (track, audio) if track.kind == "video" else (video, track)
    frame = await asyncio.wait_for(video.recv(), 15)
    first_ms = (time.monotonic() - started) * 1000
    numbers, sizes = [rtckit.read_frame_number(frame)], {(frame.width, frame.height)}
    window = time.monotonic() + options["seconds"]
    while time.monotonic() < window:
        frame = await asyncio.wait_for(video.recv(), 5)
        numbers.append(rtckit.read_frame_number(frame))
        sizes.add((frame.width, frame.height))
    sound = await asyncio.wait_for(audio.recv(), 5)
    await pc.close()
    return {
        "language": "python",
        "firstFrameMs": first_ms,
        "fps": (len(numbers) - 1) / options["seconds"],
        "sizes": sorted(f"{w}x{h}" for w, h in sizes),
        "rising": numbers == sorted(numbers) and len(set(numbers)) == len(numbers),
        "audioSampleRate": sound.sample_rate,
    }


async def main(options: dict) -> None:
    session = await janus.JanusSession.create(options["url"])
    try:
        if options["role"] == "publish":
            await publisher(session, options)
        else:
            found = await asyncio.gather(*(subscriber(session, options) for _ in range(options["count"])))
            say({"type": "subscribers", "subscribers": list(found)})
    finally:
        await session.destroy()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
