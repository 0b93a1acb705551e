"""Data-channel benchmarks in Python: rtckit against aiortc, same scenarios, one process run.

connect: two peers built to both channel ends open (non-trickle, aiortc cannot trickle);
throughput: 32 MiB one way in 16 KiB messages under bufferedAmount flow control;
ping-pong: round trips of a 32-byte message. Medians. Prints one JSON line per result.
"""

import asyncio
import json
import statistics
import sys
import time

CONNECTS = 20
BYTES = 32 * 1024 * 1024
CHUNK = 16 * 1024
PINGS = 500


def loopback_aiortc():
    import aioice.ice

    aioice.ice.get_host_addresses = lambda *a, **k: ["127.0.0.1"]


def peers(impl):
    if impl == "rtckit":
        import rtckit

        cfg = {"bindAddresses": ["127.0.0.1"]}
        return rtckit, rtckit.RTCPeerConnection(cfg), rtckit.RTCPeerConnection(cfg)
    import aiortc

    return aiortc, aiortc.RTCPeerConnection(), aiortc.RTCPeerConnection()


async def gathered(pc):
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.001)


async def open_pair(impl):
    mod, a, b = peers(impl)
    loop = asyncio.get_running_loop()
    channel = a.createDataChannel("bench")
    opened, remote = loop.create_future(), loop.create_future()
    channel.on("open", lambda: opened.done() or opened.set_result(None))

    @b.on("datachannel")
    def on_dc(ch):
        remote.set_result(ch)

    await a.setLocalDescription(await a.createOffer())
    await gathered(a)
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await gathered(b)
    await a.setRemoteDescription(b.localDescription)
    await asyncio.wait_for(opened, 20)
    other = await asyncio.wait_for(remote, 20)
    return a, b, channel, other


async def connect_ms(impl):
    times = []
    for _ in range(CONNECTS):
        t = time.perf_counter()
        a, b, _, _ = await open_pair(impl)
        times.append((time.perf_counter() - t) * 1000)
        await a.close()
        await b.close()
    return statistics.median(times)


async def throughput_mbs(impl):
    a, b, ch, other = await open_pair(impl)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    received = 0

    def on_message(m):
        nonlocal received
        received += len(m)
        if received >= BYTES and not done.done():
            done.set_result(None)

    other.on("message", on_message)
    low = asyncio.Event()
    ch.bufferedAmountLowThreshold = 1 << 20
    ch.on("bufferedamountlow", low.set)
    payload = b"x" * CHUNK
    t = time.perf_counter()
    sent = 0
    while sent < BYTES:
        if ch.bufferedAmount > 4 << 20:
            low.clear()
            await asyncio.wait_for(low.wait(), 30)
            continue
        ch.send(payload)
        sent += CHUNK
    await asyncio.wait_for(done, 120)
    rate = BYTES / (time.perf_counter() - t) / 1e6
    await a.close()
    await b.close()
    return rate


async def pingpong_us(impl):
    a, b, ch, other = await open_pair(impl)
    other.on("message", other.send)
    loop = asyncio.get_running_loop()
    rtts = []
    msg = b"p" * 32
    for _ in range(PINGS):
        fut = loop.create_future()
        ch.on("message", lambda m, fut=fut: fut.done() or fut.set_result(m))
        t = time.perf_counter()
        ch.send(msg)
        await asyncio.wait_for(fut, 10)
        rtts.append((time.perf_counter() - t) * 1e6)
        ch.remove_all_listeners("message")
    await a.close()
    await b.close()
    return statistics.median(rtts)


VIDEO_SECONDS = 5
VIDEO_FPS = 60


def pattern_frames(impl, width, height, count=VIDEO_FPS):
    """A second of moving diagonal stripes as I420 frames of the library's own type."""
    import numpy as np

    y = np.arange(height)[:, None] + np.arange(width)[None, :]
    frames = []
    for n in range(count):
        yuv = np.full((height * 3 // 2, width), 128, np.uint8)
        yuv[:height] = (16 + (y + 4 * n) % 220).astype(np.uint8)
        if impl == "rtckit":
            import rtckit

            frames.append(rtckit.VideoFrame.from_ndarray(yuv, format="yuv420p"))
        else:
            import av

            frames.append(av.VideoFrame.from_ndarray(yuv, format="yuv420p"))
    return frames


async def video_loop(impl, width, height, max_bitrate=None):
    """A sends VIDEO_FPS frames a second (VP8, each library's default) to B, which decodes
    them: received fps, and the process's CPU per received frame (both peers). rtckit can be
    capped with setParameters' maxBitrate (aiortc has no such setting)."""
    mod, a, b = peers(impl)
    frames = pattern_frames(impl, width, height)
    base = mod.VideoStreamTrack

    class Pattern(base):
        def __init__(self):
            super().__init__()
            self.n, self.start = 0, None

        async def recv(self):
            loop = asyncio.get_running_loop()
            self.start = self.start or loop.time()
            wait = self.start + self.n / VIDEO_FPS - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            frame = frames[self.n % len(frames)]
            frame.pts, frame.time_base = self.n * 90000 // VIDEO_FPS, __import__("fractions").Fraction(1, 90000)
            self.n += 1
            return frame

    sender = a.addTrack(Pattern())
    arrived = asyncio.get_running_loop().create_future()
    b.on("track", lambda t: arrived.done() or arrived.set_result(t))
    await a.setLocalDescription(await a.createOffer())
    await gathered(a)
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await gathered(b)
    await a.setRemoteDescription(b.localDescription)
    track = await asyncio.wait_for(arrived, 20)
    if max_bitrate:
        parameters = sender.getParameters()
        parameters.encodings[0].maxBitrate = max_bitrate
        await sender.setParameters(parameters)
    settle = time.monotonic()
    while time.monotonic() - settle < 1:
        await track.recv()
    count, start, cpu = 0, time.monotonic(), time.process_time()
    while time.monotonic() - start < VIDEO_SECONDS:
        frame = await track.recv()
        assert frame.width == width
        count += 1
    wall, cpu = time.monotonic() - start, time.process_time() - cpu
    await a.close()
    await b.close()
    return {"fps": round(count / wall, 1), "cpu_ms_per_frame": round(cpu * 1000 / count, 2)}


async def main(impls):
    for impl in impls:
        if impl == "aiortc":
            loopback_aiortc()
        result = {
            "lang": "python",
            "impl": impl,
            "connect_ms": round(await connect_ms(impl), 2),
            "throughput_mb_s": round(await throughput_mbs(impl), 1),
            "pingpong_us": round(await pingpong_us(impl), 1),
        }
        print(json.dumps(result), flush=True)
        for width, height in ((640, 480), (1280, 720)):
            video = {"lang": "python", "impl": impl, "video": f"VP8 {width}x{height} at {VIDEO_FPS} fps"}
            video.update(await video_loop(impl, width, height))
            print(json.dumps(video), flush=True)
            if impl == "rtckit":
                # At aiortc's starting bitrate too: a lower bitrate costs VP8 less.
                capped = dict(video, impl="rtckit@0.5M")
                capped.update(await video_loop(impl, width, height, max_bitrate=500_000))
                print(json.dumps(capped), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["rtckit", "aiortc"]))
