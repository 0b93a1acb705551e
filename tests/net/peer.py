"""One rtckit peer for the network tests, run inside a namespace of tests/net/netlab.py:

    ip netns exec NS python3 peer.py '{"role": "offer", "configuration": {...}, ...}'

It talks JSON lines: its description goes to stdout, the other's comes on stdin (the test
passes them across). Then it reports, as lines on stdout:
    {"type": "connected", "ms": ...}                 once connectionState is "connected"
    {"type": "pair", "local": {...}, "remote": {...}} the selected candidate pair (getStats)
    {"type": "result", ...}                           what went through (the answerer's counts)
    {"type": "failed", "ms": ..., "errors": [...]}    connectionState "failed", with every
                                                      icecandidateerror seen
With "hold", the call stays up after "pair": the offerer sends 1 KiB every 10 ms, each state
change is reported ({"type": "state", ..., "at": wall-clock ms}), and stdin takes commands:
{"type": "restart"} (the offerer restarts ICE, with restartIce() or, given "option", with
createOffer's iceRestart, and prints its new offer), {"type":
"description", ...} (applied; an offer is answered), {"type": "stop"} (the offerer stops
sending and the call ends as above).
The offerer sends `bytes` on a reliable channel and, when `video` is set, fake video; the
answerer checks the bytes' order and counts decoded frames for `seconds`. tests/net/peer.mjs
is the same peer in Node.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import rtckit

CHUNK = 16 * 1024


def say(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def read_line() -> dict:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if not line:
        raise SystemExit("stdin closed before the other peer's description")
    return json.loads(line)


async def selected_pair(pc: rtckit.RTCPeerConnection) -> dict:
    report = await pc.getStats()
    for stats in report.values():
        if stats.type == "transport" and stats["selectedCandidatePairId"]:
            pair = report[stats["selectedCandidatePairId"]]
            local, remote = report[pair["localCandidateId"]], report[pair["remoteCandidateId"]]
            keep = ("candidateType", "address", "port", "protocol", "url", "relayProtocol")
            return {
                "local": {k: local.get(k) for k in keep},
                "remote": {k: remote.get(k) for k in keep},
                "bytesSent": pair.get("bytesSent"),
                "bytesReceived": pair.get("bytesReceived"),
            }
    raise AssertionError("no transport with a selected candidate pair in getStats")


async def main(options: dict) -> None:
    start = time.monotonic()
    pc = rtckit.RTCPeerConnection(options.get("configuration"))
    errors: list = []
    connected = asyncio.get_running_loop().create_future()

    def on_error(event: Any) -> None:
        errors.append({k: getattr(event, k) for k in ("url", "errorCode", "errorText", "address", "port")})

    def on_state() -> None:
        if pc.connectionState in ("connected", "failed") and not connected.done():
            connected.set_result(pc.connectionState)
        elif connected.done():
            say(
                type="state",
                connectionState=pc.connectionState,
                iceConnectionState=pc.iceConnectionState,
                at=time.time() * 1000,
            )

    pc.on("icecandidateerror", on_error)
    pc.on("connectionstatechange", on_state)
    pc.on("iceconnectionstatechange", on_state)
    stop_sending = asyncio.Event()
    sent_bytes = [0]
    total = int(options.get("bytes", 0))
    seconds = float(options.get("seconds", 2))
    result: dict = {}
    done = asyncio.get_running_loop().create_future()

    if options["role"] == "offer":
        channel = pc.createDataChannel("net")
        if options.get("video"):
            rtckit.mediaDevices.useFakeDevices(True)
            stream = await rtckit.mediaDevices.getUserMedia(video={"width": 320, "height": 240, "frameRate": 30})
            for track in stream.getTracks():
                pc.addTrack(track, stream)
        await pc.setLocalDescription(await pc.createOffer())
        say(type="description", description={"type": "offer", "sdp": pc.localDescription.sdp})
        answer = await read_line()
        await pc.setRemoteDescription(answer["description"])

        async def send_all() -> None:
            channel.bufferedAmountLowThreshold = 256 * 1024
            low = asyncio.Event()
            channel.on("bufferedamountlow", low.set)
            sent, seq = 0, 0
            while options.get("hold") and not stop_sending.is_set():
                channel.send(seq.to_bytes(8, "big") + bytes(1016))
                sent_bytes[0] += 1024
                seq += 1
                await asyncio.sleep(0.01)
            while sent < total:
                size = min(CHUNK, total - sent)
                chunk = seq.to_bytes(8, "big") + bytes(size - 8)
                if channel.bufferedAmount > 1024 * 1024:
                    low.clear()
                    await low.wait()
                channel.send(chunk)
                sent += size
                seq += 1
            channel.send("end")

        channel.on("open", lambda: asyncio.ensure_future(send_all()))
        channel.on("message", lambda m: done.done() or done.set_result(json.loads(m)))
    else:
        offer = await read_line()
        frames: list = []
        received = {"bytes": 0, "seq": 0, "first": 0.0, "last": 0.0, "ordered": True}

        def on_track(track: Any) -> None:
            async def count() -> None:
                first = None
                while True:
                    try:
                        frame = await track.recv()
                    except rtckit.MediaStreamError:
                        return
                    now = time.monotonic()
                    first = first or now
                    if now - first > seconds:
                        return
                    frames.append(rtckit.read_frame_number(frame))

            result["frames"] = frames
            asyncio.ensure_future(count())

        def on_channel(channel: Any) -> None:
            def on_message(message: Any) -> None:
                if message == "end":
                    took = max(received["last"] - received["first"], 1e-6)
                    counts = {
                        "bytes": received["bytes"],
                        "ordered": received["ordered"],
                        "mbps": received["bytes"] / took / 1e6,
                    }
                    channel.send(json.dumps(counts))
                    result.update(counts)
                    return
                now = time.monotonic()
                received["first"] = received["first"] or now
                received["last"] = now
                if int.from_bytes(message[:8], "big") != received["seq"]:
                    received["ordered"] = False
                received["seq"] += 1
                received["bytes"] += len(message)

            channel.on("message", on_message)

        pc.on("track", on_track)
        pc.on("datachannel", on_channel)
        await pc.setRemoteDescription(offer["description"])
        await pc.setLocalDescription(await pc.createAnswer())
        say(type="description", description={"type": "answer", "sdp": pc.localDescription.sdp})

    state = await asyncio.wait_for(connected, options.get("timeout", 30))
    ms = (time.monotonic() - start) * 1000
    if state == "failed":
        say(type="failed", ms=ms, errors=errors)
        await pc.close()
        return
    say(type="connected", ms=ms)
    say(type="pair", **(await selected_pair(pc)), errors=errors)
    while options.get("hold"):
        command = await read_line()
        if command["type"] == "restart":  # restartIce(), or with "option" createOffer's
            if command.get("option"):
                await pc.setLocalDescription(await pc.createOffer(iceRestart=True))
            else:
                pc.restartIce()
                await pc.setLocalDescription(await pc.createOffer())
            say(type="description", description={"type": "offer", "sdp": pc.localDescription.sdp})
        elif command["type"] == "description":
            await pc.setRemoteDescription(command["description"])
            if command["description"]["type"] == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                say(type="description", description={"type": "answer", "sdp": pc.localDescription.sdp})
        elif command["type"] == "stop":
            stop_sending.set()
            break
    if options["role"] == "offer":
        counts = await asyncio.wait_for(done, options.get("timeout", 30))
        say(type="sent", sentBytes=sent_bytes[0], **counts)
        await read_line()  # "bye": the test says when both have reported
    else:
        while "bytes" not in result:
            await asyncio.sleep(0.01)
        if options.get("video"):
            await asyncio.sleep(seconds + 0.5)
            frames = result.get("frames", [])
            result["frames"] = len(frames)
            result["rising"] = frames == sorted(frames) and len(set(frames)) == len(frames)
            result["fps"] = len(frames) / seconds
        say(type="result", **result)
        # The counts just sent back must reach the offerer before close() drops what is unsent.
        await read_line()
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
