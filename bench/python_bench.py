"""Python scenarios of bench/ (see README.md) for one implementation, in one process:

    python python_bench.py --impl rtckit|rtckit-base|aiortc --scenarios S1,S2,S3,S5 [--round N] [--caps JSON]

S4 is run alone in a fresh process (``--scenarios S4``) so its RSS is clean. Prints one JSON
line per figure: {lang, impl, round, row, value} or {lang, impl, round, row, error}. Every
wait is bounded: a stuck peer gives an error line ("no result"), never a hang.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import math
import os
import statistics
import sys
import time

MIB = 1024 * 1024
S1_CONNECTS = 20
S2_BYTES, S2_CHUNK = 64 * MIB, 16 * 1024
S3_PINGS = 1000
S4_PAIRS = 50
WIDTH, HEIGHT, FPS = 640, 480, 60
WARMUP, CALIBRATE, CALIBRATIONS, SETTLE, WINDOW = 1.0, 1.0, 3, 0.4, 3.0  # seconds of S5 (and passes)

ARGS = argparse.Namespace()
ROUND_ROWS = {
    "S1": ["S1 connect median", "S1 connect p90"],
    "S2a": ["S2 1MiB MB/s", "S2 1MiB CPU"],
    "S2b": ["S2 4MiB MB/s", "S2 4MiB CPU"],
    "S3": ["S3 rtt median", "S3 rtt p99"],
    "S4": ["S4 50 pairs open", "S4 RSS per pair"],
}
S5_ROWS = [("VP8", True, "VP8 paced"), ("H264", True, "H.264 paced"), ("VP8", False, "VP8 unpaced")]


def s5_rows(tag: str) -> list[str]:
    return [f"S5 {tag} CPU/frame", f"S5 {tag} fps", f"S5 {tag} kbit/s"]


def emit(row: str, value, **extra) -> None:
    line = {"lang": "python", "impl": ARGS.impl, "round": ARGS.round, "row": row, **extra}
    if isinstance(value, BaseException):
        line["error"] = f"{type(value).__name__}: {value}" if str(value) else type(value).__name__
    else:
        line["value"] = value
    print(json.dumps(line), flush=True)


def percentile(xs: list[float], p: float) -> float:
    """Nearest rank."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def load(impl: str):
    """The module and a configuration for 127.0.0.1 only."""
    if impl == "rtckit-base":
        base = os.environ.get("RTCKIT_BASE_PY")
        if not base:
            raise RuntimeError("rtckit-base needs RTCKIT_BASE_PY")
        sys.path.insert(0, base)
    if impl in ("rtckit", "rtckit-base"):
        import rtckit

        if impl == "rtckit-base" and not os.path.realpath(rtckit.__file__).startswith(os.path.realpath(base)):
            raise RuntimeError(f"RTCKIT_BASE_PY gave {rtckit.__file__}")
        return rtckit, {"bindAddresses": ["127.0.0.1"]}
    if impl == "aiortc":
        import aioice.ice

        aioice.ice.get_host_addresses = lambda *a, **k: ["127.0.0.1"]
        import aiortc

        return aiortc, None
    raise RuntimeError(f"unknown implementation {impl}")


MOD, CFG = None, None
PEERS: set = set()


def new_peer():
    pc = MOD.RTCPeerConnection(CFG) if CFG is not None else MOD.RTCPeerConnection()
    PEERS.add(pc)
    return pc


async def close_peer(pc) -> None:
    PEERS.discard(pc)
    try:
        await asyncio.wait_for(pc.close(), 10)
    except Exception:
        pass


def event_future(target, name: str) -> asyncio.Future:
    """A future resolved by the next `name` event (its first argument, if any)."""
    fut = asyncio.get_running_loop().create_future()

    def handler(*args):
        if not fut.done():
            fut.set_result(args[0] if args else None)

    target.on(name, handler)
    return fut


async def negotiate(a, b, timeout: float = 20) -> None:
    """Offer/answer with whole descriptions: aiortc cannot trickle, and rtckit's Python
    setLocalDescription returns once gathering is complete, as aiortc's does."""

    async def steps():
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)

    await asyncio.wait_for(steps(), timeout)


async def wait_open(ch, timeout: float) -> None:
    if ch.readyState == "open":
        return
    fut = event_future(ch, "open")
    if ch.readyState != "open":
        await asyncio.wait_for(fut, timeout)


async def open_pair(timeout: float = 20, started=None):
    """Two peers and a channel open on both ends; `started()` right before createOffer."""
    a, b = new_peer(), new_peer()
    ch = a.createDataChannel("bench")
    remote = event_future(b, "datachannel")
    opened = asyncio.ensure_future(wait_open(ch, timeout))
    if started:
        started()
    try:
        await negotiate(a, b, timeout)
        await opened
        other = await asyncio.wait_for(remote, timeout)
        await wait_open(other, timeout)
    finally:
        opened.cancel()
    return a, b, ch, other


# -- S1 ------------------------------------------------------------------------------------


async def s1() -> None:
    times = []
    for _ in range(S1_CONNECTS):
        t0 = [0.0]
        a, b, _, _ = await open_pair(started=lambda: t0.__setitem__(0, time.perf_counter()))
        times.append((time.perf_counter() - t0[0]) * 1000)
        await close_peer(a)
        await close_peer(b)
    emit("S1 connect median", round(statistics.median(times), 2))
    emit("S1 connect p90", round(percentile(times, 90), 2))


# -- S2 ------------------------------------------------------------------------------------


async def s2(window: int, threshold: int, tag: str) -> None:
    """64 MiB one way in 16 KiB messages: send while bufferedAmount < window, then wait for
    bufferedamountlow (threshold). MB/s and the process's CPU seconds over the transfer."""
    a, b, ch, other = await open_pair()
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    received = 0

    def on_message(m):
        nonlocal received
        received += len(m)
        if received >= S2_BYTES and not done.done():
            done.set_result(None)

    other.on("message", on_message)
    low = asyncio.Event()
    ch.bufferedAmountLowThreshold = threshold
    ch.on("bufferedamountlow", low.set)
    payload = b"x" * S2_CHUNK
    count = S2_BYTES // S2_CHUNK
    sent = waits = 0
    waited = 0.0
    at_wake = []
    t0, cpu0 = time.perf_counter(), time.process_time()
    while sent < count:
        while sent < count and ch.bufferedAmount < window:
            ch.send(payload)
            sent += 1
        if sent >= count:
            break
        low.clear()
        w = time.perf_counter()
        try:
            await asyncio.wait_for(low.wait(), 30)
        except asyncio.TimeoutError:
            raise RuntimeError(f"no bufferedamountlow in 30 s (bufferedAmount {ch.bufferedAmount})") from None
        waited += time.perf_counter() - w
        waits += 1
        at_wake.append(ch.bufferedAmount)
    try:
        await asyncio.wait_for(done, 120)
    except asyncio.TimeoutError:
        raise RuntimeError(f"only {received} of {S2_BYTES} bytes arrived in 120 s") from None
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    info = {"waits": waits, "wait_ms": round(waited * 1000, 1), "buffered_at_wake_median": statistics.median(at_wake) if at_wake else None}
    emit(f"S2 {tag} MB/s", round(S2_BYTES / seconds / 1e6, 1), **info)
    emit(f"S2 {tag} CPU", round(cpu, 3), **info)
    await close_peer(a)
    await close_peer(b)


# -- S3 ------------------------------------------------------------------------------------


async def s3() -> None:
    a, b, ch, other = await open_pair()
    other.on("message", other.send)
    loop = asyncio.get_running_loop()
    current = [None]

    def on_reply(m):
        if current[0] is not None and not current[0].done():
            current[0].set_result(None)

    ch.on("message", on_reply)
    msg = b"p" * 32
    rtts = []
    deadline = time.perf_counter() + 60
    while len(rtts) < S3_PINGS and time.perf_counter() < deadline:
        current[0] = loop.create_future()
        t = time.perf_counter()
        ch.send(msg)
        await asyncio.wait_for(current[0], 5)
        rtts.append((time.perf_counter() - t) * 1e6)
    if len(rtts) < S3_PINGS:
        raise RuntimeError(f"only {len(rtts)} round trips in 60 s")
    emit("S3 rtt median", round(statistics.median(rtts), 1))
    emit("S3 rtt p99", round(percentile(rtts, 99), 1))
    await close_peer(a)
    await close_peer(b)


# -- S4 ------------------------------------------------------------------------------------


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def s4() -> None:
    """50 pairs created at once, each opening a channel: time until all are open, and the
    RSS they add per pair. Run in a fresh process, after one pair was opened and closed: what a
    library sets up once (runtime threads, codec tables, lazy imports) is not a pair's cost."""
    import gc

    a, b, _, _ = await asyncio.wait_for(open_pair(60), 60)
    await asyncio.gather(close_peer(a), close_peer(b))
    await asyncio.sleep(0.2)
    gc.collect()
    before = rss_bytes()
    t0 = time.perf_counter()
    pairs = await asyncio.wait_for(asyncio.gather(*(open_pair(60) for _ in range(S4_PAIRS))), 90)
    ms = (time.perf_counter() - t0) * 1000
    await asyncio.sleep(0.2)
    rss = rss_bytes()
    emit("S4 50 pairs open", round(ms, 1))
    emit("S4 RSS per pair", round((rss - before) / S4_PAIRS / MIB, 3), rss_before_mib=round(before / MIB, 1), rss_open_mib=round(rss / MIB, 1))
    await asyncio.gather(*(close_peer(pc) for a, b, _, _ in pairs for pc in (a, b)))


# -- S5 ------------------------------------------------------------------------------------


def pattern_frames(count: int = FPS):
    """A second of moving diagonal stripes as I420 frames of the library's own type."""
    import numpy as np

    diag = np.arange(HEIGHT)[:, None] + np.arange(WIDTH)[None, :]
    frames = []
    for n in range(count):
        yuv = np.full((HEIGHT * 3 // 2, WIDTH), 128, np.uint8)
        yuv[:HEIGHT] = (16 + (diag + 4 * n) % 220).astype(np.uint8)
        if MOD.__name__ == "rtckit":
            frames.append(MOD.VideoFrame.from_ndarray(yuv, format="yuv420p"))
        else:
            import av

            frames.append(av.VideoFrame.from_ndarray(yuv, format="yuv420p"))
    return frames


async def video_bytes(a, b):
    """Received video payload bytes: the receiver's inbound-rtp bytesReceived; aiortc has
    none, so its sender's outbound-rtp bytesSent (payload bytes too; nothing is lost on
    loopback)."""
    for s in (await b.getStats()).values():
        if getattr(s, "type", None) == "inbound-rtp" and getattr(s, "kind", "video") == "video":
            value = getattr(s, "bytesReceived", None)
            if value is not None:
                return value, "inbound-rtp bytesReceived"
    for s in (await a.getStats()).values():
        if getattr(s, "type", None) == "outbound-rtp" and getattr(s, "kind", "video") == "video":
            return s.bytesSent, "sender's outbound-rtp bytesSent"
    raise RuntimeError("getStats has no video byte count")


async def s5(codec: str, paced: bool, tag: str) -> None:
    """A sends 640x480 frames (VP8 or H.264) from a VideoStreamTrack subclass, paced at 60 fps
    or as fast as recv() is asked; B decodes them with track.recv(). Received fps, the
    process's CPU per received frame and received kbit/s over the window. With a cap (rtckit),
    the sender's maxBitrate is set so that the *received* bitrate matches it."""
    frames = pattern_frames()
    time_base = fractions.Fraction(1, 90000)

    class Pattern(MOD.VideoStreamTrack):
        def __init__(self):
            super().__init__()
            self.n, self.start, self.last = 0, None, -1

        async def recv(self):
            loop = asyncio.get_running_loop()
            now = loop.time()
            self.start = self.start or now
            if paced:
                wait = self.start + self.n / FPS - now
                if wait > 0:
                    await asyncio.sleep(wait)
                pts = self.n * 90000 // FPS
            else:
                pts = max(self.last + 1, int((now - self.start) * 90000))
            self.last = pts
            frame = frames[self.n % len(frames)]
            frame.pts, frame.time_base = pts, time_base
            self.n += 1
            return frame

    a, b = new_peer(), new_peer()
    source = Pattern()
    sender = a.addTrack(source)
    if codec != "VP8":
        transceiver = next(t for t in a.getTransceivers() if t.sender is sender)
        wanted = [c for c in MOD.RTCRtpSender.getCapabilities("video").codecs if c.mimeType.lower() == f"video/{codec.lower()}"]
        if not wanted:
            raise RuntimeError(f"{codec} is not in getCapabilities")
        transceiver.setCodecPreferences(wanted)
    arrived = event_future(b, "track")
    await negotiate(a, b)
    track = await asyncio.wait_for(arrived, 20)
    negotiated = [line for line in b.localDescription.sdp.splitlines() if line.startswith("a=rtpmap:")]
    if not any(f" {codec.lower()}/" in line.lower() for line in negotiated):
        raise RuntimeError(f"{codec} was not negotiated")

    counted = [0]

    async def receive():
        while True:
            frame = await track.recv()
            if frame.width != WIDTH:
                raise RuntimeError(f"a {frame.width}x{frame.height} frame")
            counted[0] += 1

    receiver = asyncio.ensure_future(receive())
    try:
        cap = ARGS.caps.get(tag)
        deadline = time.monotonic() + 15
        while counted[0] == 0 and time.monotonic() < deadline and not receiver.done():
            await asyncio.sleep(0.02)
        if receiver.done():
            receiver.result()
        if counted[0] == 0:
            raise RuntimeError("no frame arrived in 15 s")
        set_cap = None
        if cap:
            set_cap = await apply_cap(sender, cap)
        await asyncio.sleep(WARMUP)
        if cap:
            # The received bitrate need not be the cap (rate control, bandwidth estimate; an
            # rtckit build sent twice it at 60 fps): measure and correct the cap until the
            # received bitrate is within 15% of the peer's.
            for _ in range(CALIBRATIONS):
                bytes0, _ = await video_bytes(a, b)
                t = time.perf_counter()
                await asyncio.sleep(CALIBRATE)
                bytes1, _ = await video_bytes(a, b)
                measured = (bytes1 - bytes0) * 8 / (time.perf_counter() - t)
                if measured <= 0 or abs(measured / cap - 1) < 0.15:
                    break
                set_cap = await apply_cap(sender, set_cap * min(4.0, max(0.25, cap / measured)))
            await asyncio.sleep(SETTLE)
        bytes0, source_name = await video_bytes(a, b)
        t0, cpu0, frames0 = time.perf_counter(), time.process_time(), counted[0]
        await asyncio.sleep(WINDOW)
        if receiver.done():
            receiver.result()
        count, cpu, wall = counted[0] - frames0, time.process_time() - cpu0, time.perf_counter() - t0
        bytes1, _ = await video_bytes(a, b)
        kbps = (bytes1 - bytes0) * 8 / (time.perf_counter() - t0) / 1000
        if not count:
            raise RuntimeError("no frame arrived in the window")
        info = {"target_bps": cap, "cap_bps": set_cap and round(set_cap), "bytes": source_name, "asked": source.n}
        emit(f"S5 {tag} CPU/frame", round(cpu * 1000 / count, 2), **info)
        emit(f"S5 {tag} fps", round(count / wall, 1), **info)
        emit(f"S5 {tag} kbit/s", round(kbps), **info)
    finally:
        receiver.cancel()
        await close_peer(a)
        await close_peer(b)


async def apply_cap(sender, bps: float) -> float:
    parameters = sender.getParameters()
    parameters.encodings[0].maxBitrate = int(bps)
    await sender.setParameters(parameters)
    return bps


# -- main ------------------------------------------------------------------------------------


async def attempt(rows: list[str], fn, timeout: float) -> None:
    """Runs a scenario; on failure or timeout each row it owns gets the error."""
    try:
        await asyncio.wait_for(fn(), timeout)
    except BaseException as err:  # noqa: BLE001 - any failure is this row's "no result"
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(err, asyncio.TimeoutError):
            err = RuntimeError(f"timed out after {timeout:.0f} s")
        for row in rows:
            emit(row, err)
        await asyncio.gather(*(close_peer(pc) for pc in list(PEERS)))


async def main() -> None:
    global MOD, CFG
    scenarios = ARGS.scenarios.split(",")
    try:
        MOD, CFG = load(ARGS.impl)
    except Exception as err:
        for s in scenarios:
            rows = (ROUND_ROWS["S2a"] + ROUND_ROWS["S2b"]) if s == "S2" else [r for *_, t in S5_ROWS for r in s5_rows(t)] if s == "S5" else ROUND_ROWS.get(s, [])
            for row in rows:
                emit(row, RuntimeError(f"cannot load {ARGS.impl}: {err}"))
        return
    for s in scenarios:
        if s == "S1":
            await attempt(ROUND_ROWS["S1"], s1, 120)
        elif s == "S2":
            await attempt(ROUND_ROWS["S2a"], lambda: s2(1 * MIB, 256 * 1024, "1MiB"), 150)
            await attempt(ROUND_ROWS["S2b"], lambda: s2(4 * MIB, 1 * MIB, "4MiB"), 150)
        elif s == "S3":
            await attempt(ROUND_ROWS["S3"], s3, 70)
        elif s == "S4":
            await attempt(ROUND_ROWS["S4"], s4, 100)
        elif s == "S5":
            for codec, paced, tag in S5_ROWS:
                await attempt(s5_rows(tag), lambda: s5(codec, paced, tag), 45)
    await asyncio.gather(*(close_peer(pc) for pc in list(PEERS)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", required=True)
    parser.add_argument("--scenarios", default="S1,S2,S3,S5")
    parser.add_argument("--round", type=int, default=0)
    parser.add_argument("--caps", type=json.loads, default={})
    ARGS = parser.parse_args()
    asyncio.run(main())
    sys.stdout.flush()
    os._exit(0)  # a library thread left behind must not keep the process alive
