"""rtckit and aiortc side by side through one impaired link (tests/impaired_link.py: loss,
delay, reordering, duplication), each link and library in a process of its own:

- a reliable channel's throughput moving 1 MiB (16 KiB messages, bufferedAmount kept <1 MiB);
- 5 s of each library's default 640x480 VideoStreamTrack over VP8: frames decoded, freezes
  (gaps between decoded frames over 250 ms), the longest gap;
- RTP packets resent (rtckit's getStats; aiortc does not count them) and packets the relay
  carried.

    python3 bench/impaired.py              # every link, both libraries: a markdown table
    python3 bench/impaired.py --one rtckit "loss 5%"   # one run, a JSON line
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)

from impaired_link import rewrite_candidates  # noqa: E402

RELAY = os.path.join(HERE, "..", "tests", "impaired_link.py")
LINKS = {
    "clean": [],
    "loss 1%": ["--loss", "0.01"],
    "loss 5%": ["--loss", "0.05"],
    "loss 10%": ["--loss", "0.10"],
    "delay 50 ms": ["--delay-ms", "50"],
    "all at once": ["--loss", "0.05", "--delay-ms", "50", "--reorder", "0.05", "--duplicate", "0.02"],
}
IMPLS = ["rtckit", "aiortc"]


async def one(impl: str, link: str) -> dict:
    import python_bench as pb

    pb.MOD, pb.CFG = pb.load(impl)
    mod = pb.MOD
    relay = await asyncio.create_subprocess_exec(
        sys.executable, RELAY, *LINKS[link], stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    ports = (await asyncio.wait_for(relay.stdout.readline(), 20)).decode().split()
    port_a, port_b = int(ports[1]), int(ports[2])
    a, b = pb.new_peer(), pb.new_peer()
    channel = a.createDataChannel("bulk")
    sender = a.addTrack(mod.VideoStreamTrack())
    arrivals: list = []
    received = {"bytes": 0}
    remote_track: asyncio.Future = asyncio.get_running_loop().create_future()

    @b.on("track")
    def on_track(track):
        if not remote_track.done():
            remote_track.set_result(track)

    @b.on("datachannel")
    def on_channel(ch):
        ch.on("message", lambda m: received.__setitem__("bytes", received["bytes"] + len(m)))

    await a.setLocalDescription(await a.createOffer())
    offer = mod.RTCSessionDescription(sdp=rewrite_candidates(a.localDescription.sdp, port_a), type="offer")
    await b.setRemoteDescription(offer)
    await b.setLocalDescription(await b.createAnswer())
    answer = mod.RTCSessionDescription(sdp=rewrite_candidates(b.localDescription.sdp, port_b), type="answer")
    await a.setRemoteDescription(answer)
    await pb.wait_open(channel, 30)
    track = await asyncio.wait_for(remote_track, 30)

    async def watch_video(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await asyncio.wait_for(track.recv(), 10)
            arrivals.append(time.monotonic())

    video = asyncio.ensure_future(watch_video(5.0))
    total, chunk = 1 << 20, b"\x00" * 16384
    start = time.monotonic()
    for _ in range(total // len(chunk)):
        while channel.bufferedAmount > (1 << 20):
            await asyncio.sleep(0.001)
        channel.send(chunk)
    deadline = time.monotonic() + 120
    while received["bytes"] < total and time.monotonic() < deadline:
        await asyncio.sleep(0.002)
    seconds = time.monotonic() - start
    await video
    gaps = [y - x for x, y in zip(arrivals, arrivals[1:])]
    resent = None
    if impl == "rtckit":
        report = await a.getStats()
        out = [s for s in report.values() if s.type == "outbound-rtp" and s.kind == "video"]
        resent = out[0].retransmittedPacketsSent if out else None
    await pb.close_peer(a)
    await pb.close_peer(b)
    relay.stdin.close()
    out, _ = await asyncio.wait_for(relay.communicate(), 20)
    stats = json.loads(out.decode().split("stats ", 1)[1])
    return {
        "impl": impl,
        "link": link,
        "mb_per_s": round(total / seconds / 1e6, 2) if received["bytes"] >= total else 0.0,
        "frames_5s": len(arrivals),
        "freezes": sum(1 for g in gaps if g > 0.25),
        "longest_gap_ms": round(max(gaps, default=0) * 1000),
        "resent": resent,
        "relay_packets": stats["packets"],
        "relay_dropped": stats["dropped"],
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(asyncio.run(asyncio.wait_for(one(sys.argv[2], sys.argv[3]), 240))), flush=True)
        return
    rows = []
    for link in LINKS:
        for impl in IMPLS:
            proc = subprocess.run(
                [sys.executable, __file__, "--one", impl, link], capture_output=True, text=True, timeout=300
            )
            line = proc.stdout.strip().splitlines()[-1:] or [""]
            try:
                rows.append(json.loads(line[0]))
            except json.JSONDecodeError:
                rows.append({"impl": impl, "link": link, "error": proc.stderr.strip().splitlines()[-1:]})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print("| link | library | reliable MB/s | frames in 5 s | freezes >250 ms | longest gap ms | RTP resent | packets relayed |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['link']} | {r['impl']} | failed: {r['error']} |")
            continue
        resent = "n/a" if r["resent"] is None else r["resent"]
        print(
            f"| {r['link']} | {r['impl']} | {r['mb_per_s']} | {r['frames_5s']} | {r['freezes']} | "
            f"{r['longest_gap_ms']} | {resent} | {r['relay_packets']} |"
        )


if __name__ == "__main__":
    main()
