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


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["rtckit", "aiortc"]))
