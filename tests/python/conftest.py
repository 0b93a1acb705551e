"""Shared helpers: real rtckit peers on 127.0.0.1, every wait bounded."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, Awaitable, Callable, Optional

import pytest

import rtckit

LOOPBACK = {"bindAddresses": ["127.0.0.1"]}
TIMEOUT = 20.0


def run(coro: Awaitable[Any], timeout: float = 60.0) -> Any:
    """Runs a test coroutine under asyncio.run with an overall bound."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def next_event(emitter: Any, name: str) -> "asyncio.Future[Any]":
    """A future for the next `name` event (its first argument, or None)."""
    fut: asyncio.Future = asyncio.get_running_loop().create_future()

    def handler(*args: Any) -> None:
        if not fut.done():
            fut.set_result(args[0] if args else None)

    emitter.once(name, handler)
    return fut


async def fake_media(**constraints: Any) -> rtckit.MediaStream:
    """getUserMedia on the fake devices, which are switched off again after."""
    rtckit.mediaDevices.useFakeDevices(True)
    try:
        return await rtckit.mediaDevices.getUserMedia(**constraints)
    finally:
        rtckit.mediaDevices.useFakeDevices(False)


def dominant_frequency(samples: Any, rate: float) -> float:
    """The strongest frequency of a numpy array of samples."""
    import numpy as np

    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def only_codec(sdp: str, codec: str) -> str:
    """Forces a codec: keeps only `codec`'s payload types in the media section that offers
    it (other sections untouched), so negotiation can pick nothing else."""
    lines = sdp.split("\r\n")
    keep = {
        l.split(":")[1].split()[0]
        for l in lines
        if l.startswith("a=rtpmap:") and l.split()[1].lower().startswith(codec.lower() + "/")
    }
    out: list = []
    section_kept = False
    for line in lines:
        if line.startswith("m="):
            parts = line.split(" ")
            section_kept = any(pt in keep for pt in parts[3:])
            if section_kept:
                line = " ".join(parts[:3] + [pt for pt in parts[3:] if pt in keep])
        elif section_kept and line.startswith(("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:")):
            if line.split(":")[1].split()[0] not in keep | {"*"}:
                continue
        out.append(line)
    return "\r\n".join(out)


async def connect(
    a: rtckit.RTCPeerConnection, b: rtckit.RTCPeerConnection, trickle: bool = True, codec: Optional[str] = None
) -> None:
    """Offer from a, answer from b; trickle ICE or wait for complete gathering. `codec`
    forces one (non-trickle then: the whole offer is cut at once)."""
    if codec:
        trickle = False
    if trickle:
        for src, dst in ((a, b), (b, a)):
            pending: list = []

            def forward(candidate: Any, dst: Any = dst, pending: list = pending) -> None:
                if candidate is None:
                    return
                if dst.remoteDescription is None:
                    pending.append(candidate)
                else:
                    asyncio.ensure_future(dst.addIceCandidate(candidate))

            src.on("icecandidate", forward)
            src._pending = pending  # type: ignore[attr-defined]
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        for c in a._pending:  # type: ignore[attr-defined]
            await b.addIceCandidate(c)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        for c in b._pending:  # type: ignore[attr-defined]
            await a.addIceCandidate(c)
    else:
        await a.setLocalDescription()
        await wait_until(lambda: a.iceGatheringState == "complete", what="a gathering complete")
        offer = a.localDescription
        if codec:
            offer = rtckit.RTCSessionDescription(sdp=only_codec(offer.sdp, codec), type="offer")
        await b.setRemoteDescription(offer)
        await b.setLocalDescription()
        await wait_until(lambda: b.iceGatheringState == "complete", what="b gathering complete")
        await a.setRemoteDescription(b.localDescription)


async def renegotiate(a: rtckit.RTCPeerConnection, b: rtckit.RTCPeerConnection) -> None:
    """a offers again (after addTrack, removeTrack, stop()); candidates are already known."""
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)


async def open_pair(trickle: bool = True, **options: Any):
    """Two connected peers and both ends of one open channel created by a."""
    a = rtckit.RTCPeerConnection(LOOPBACK)
    b = rtckit.RTCPeerConnection(LOOPBACK)
    channel = a.createDataChannel("chat", **options)
    opened = next_event(channel, "open")
    remote = next_event(b, "datachannel")
    await connect(a, b, trickle)
    await asyncio.wait_for(opened, TIMEOUT)
    remote_channel = await asyncio.wait_for(remote, TIMEOUT)
    if remote_channel.readyState != "open":
        await asyncio.wait_for(next_event(remote_channel, "open"), TIMEOUT)
    return a, b, channel, remote_channel


async def exchange(sender: rtckit.RTCDataChannel, receiver: rtckit.RTCDataChannel, messages: list) -> list:
    """Sends messages and returns what arrived, in arrival order."""
    got: list = []
    done = asyncio.get_running_loop().create_future()

    def on_message(m: Any) -> None:
        got.append(m)
        if len(got) == len(messages) and not done.done():
            done.set_result(None)

    receiver.on("message", on_message)
    for m in messages:
        sender.send(m)
    await asyncio.wait_for(done, TIMEOUT)
    receiver.remove_listener("message", on_message)
    return got


def resource_counts() -> tuple[int, int]:
    """(threads, open file descriptors) of this process."""
    if not sys.platform.startswith("linux"):
        pytest.skip("counts read from /proc")
    return len(os.listdir("/proc/self/task")), len(os.listdir("/proc/self/fd"))
