"""Soak: SOAK_CYCLES (default 1000) connect -> media + data -> close cycles in one process.
Open fds, threads, RSS and rtckit's runtime tasks are sampled every 100 cycles and printed
as a curve; the run fails if any of them grows between the first sample and the last beyond
what a warm process wobbles by. Run by scripts/soak.sh (make soak, and CI's test stage)."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import rtckit  # noqa: E402
from conftest import LOOPBACK, connect, exchange, fake_media  # noqa: E402

CYCLES = int(os.environ.get("SOAK_CYCLES", "1000"))
EVERY = 100
BUDGET_S = 600  # bounded in time too: a run this slow is itself a finding
# Growth allowed from the first sample (cycle 100, warm) to the last.
LIMITS = {"fds": 16, "threads": 8, "tasks": 32, "rss_mib": 64}


def sample() -> dict:
    with open("/proc/self/status") as f:
        rss_kib = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return {
        "fds": len(os.listdir("/proc/self/fd")),
        "threads": len(os.listdir("/proc/self/task")),
        "rss_mib": rss_kib / 1024,
        "tasks": rtckit._native._runtime_tasks(),
    }


async def cycle() -> None:
    a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
    stream = await fake_media(audio=True, video={"width": 160, "height": 120})
    for track in stream.getTracks():
        a.addTrack(track, stream)
    channel = a.createDataChannel("soak")
    remote: asyncio.Future = asyncio.get_running_loop().create_future()
    tracks: list = []
    b.on("datachannel", lambda ch: remote.done() or remote.set_result(ch))
    b.on("track", tracks.append)
    await connect(a, b)
    ch = await asyncio.wait_for(remote, 20)
    if channel.readyState != "open":
        opened = asyncio.get_running_loop().create_future()
        channel.once("open", lambda: opened.done() or opened.set_result(None))
        await asyncio.wait_for(opened, 20)
    assert await exchange(channel, ch, ["ping", b"\x00" * 1000]) == ["ping", b"\x00" * 1000]
    for track in tracks:  # media arrived and decoded, both kinds
        await asyncio.wait_for(track.recv(), 20)
    for track in stream.getTracks():
        track.stop()
    await a.close()
    await b.close()


async def main() -> int:
    start = time.monotonic()
    samples = []
    last = start
    print(f"{'cycle':>6} {'fds':>5} {'threads':>7} {'rss MiB':>8} {'tasks':>6} {'ms/cycle':>8}", flush=True)
    for n in range(1, CYCLES + 1):
        await cycle()
        if n % EVERY == 0:
            gc.collect()
            await asyncio.sleep(0.2)  # closes finish their teardown in the background
            s = sample()
            now = time.monotonic()
            samples.append((n, s))
            print(f"{n:>6} {s['fds']:>5} {s['threads']:>7} {s['rss_mib']:>8.1f} {s['tasks']:>6} {(now - last) * 1000 / EVERY:>8.1f}", flush=True)
            last = now
        if time.monotonic() - start > BUDGET_S:
            print(f"!! soak: only {n} cycles in {BUDGET_S} s", flush=True)
            return 1
    first, final = samples[0][1], samples[-1][1]
    grown = {k: final[k] - first[k] for k in LIMITS}
    over = {k: v for k, v in grown.items() if v > LIMITS[k]}
    print(f"python soak: {CYCLES} cycles in {time.monotonic() - start:.0f} s; growth after cycle {samples[0][0]}: "
          + ", ".join(f"{k} {v:+.1f}" for k, v in grown.items()), flush=True)
    if over:
        print(f"!! soak: grew beyond the limits {LIMITS}: {over}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
