"""Scaling out through an SFU (issue 15): an rtckit-Python publisher sends the fake camera
and microphone to a Janus VideoRoom (netlab.py's Sfu), and ten rtckit subscribers, Python
and Node mixed, receive and decode it; two of them join late, once the publisher's first key
frame is long gone. All through the example clients (examples/*/janus.*). The Node twin is
tests/net/sfu.test.mjs."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

import netlab

HERE = os.path.dirname(os.path.abspath(__file__))
pytestmark = pytest.mark.skipif(
    not netlab.can_make_namespaces() or bool(netlab.Sfu.missing()),
    reason=f"needs root and {', '.join(netlab.Sfu.missing()) or 'CAP_NET_ADMIN'} (network namespaces, Janus)",
)
CLIENTS = {"python": [sys.executable, os.path.join(HERE, "sfu_client.py")], "node": ["node", os.path.join(HERE, "sfu_client.mjs")]}


async def start(sfu: netlab.Sfu, language: str, options: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", sfu.ns("clients"), *CLIENTS[language],
        json.dumps({"url": sfu.url, "room": sfu.ROOM, **options}),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def report(proc: asyncio.subprocess.Process, kind: str, what: str) -> dict:
    assert proc.stdout is not None and proc.stderr is not None
    while True:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not line:
            raise AssertionError(f"{what} ended early: {(await proc.stderr.read()).decode(errors='replace')[-3000:]}")
        message = json.loads(line)
        if message["type"] == kind:
            return message


async def fan_out(sfu: netlab.Sfu, publisher_language: str) -> tuple[dict, list, list]:
    """The publisher, eight subscribers at once, then two late; their reports."""
    procs = []
    try:
        publisher = await start(sfu, publisher_language, {"role": "publish"})
        procs.append(publisher)
        feed = (await report(publisher, "published", "the publisher"))["feed"]

        async def subscribers(language: str, count: int) -> list:
            proc = await start(sfu, language, {"role": "subscribe", "feed": feed, "count": count, "seconds": 3})
            procs.append(proc)
            return (await report(proc, "subscribers", f"the {language} subscribers"))["subscribers"]

        first = sum(await asyncio.gather(subscribers("python", 4), subscribers("node", 4)), [])
        late = sum(await asyncio.gather(subscribers("python", 1), subscribers("node", 1)), [])
        assert publisher.stdin is not None
        publisher.stdin.write(b"report\n")
        return await report(publisher, "publisher", "the publisher"), first, late
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()


def check(publisher: dict, first: list, late: list) -> None:
    subscribers = first + late
    assert len(subscribers) == 10 and {s["language"] for s in subscribers} == {"python", "node"}
    for s in subscribers:
        # Each decoded the camera's own frames, in order, at its size, and its audio.
        assert s["sizes"] == ["640x480"] and s["rising"] and s["fps"] > 0, s
        assert s["audioSampleRate"] == 48000, s
    # Janus asks the publisher for a key frame as each subscriber comes up, and the late
    # ones decoded only thanks to one: the publisher sent more than its first.
    assert publisher["pliCount"] > 0 and publisher["keyFramesEncoded"] > 1, publisher
    print(f"publisher CPU {publisher['cpu'] * 100:.0f}% of a core, {publisher}")
    for s in subscribers:
        kind = "late" if s in late else "first"
        print(f"{kind} {s['language']} subscriber: first frame {s['firstFrameMs']:.0f} ms after joining, {s['fps']:.1f} fps")


def test_janus_fans_out_an_rtckit_python_publisher_to_ten_python_and_node_subscribers():
    with netlab.Sfu() as sfu:
        check(*asyncio.run(fan_out(sfu, "python")))
