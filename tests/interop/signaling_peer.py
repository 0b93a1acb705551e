"""A data-channel peer written once against aiortc's API, run on aiortc or on rtckit (the
only difference is the module imported): ``signaling_peer.py STACK ROLE --signaling ...``.

The candidates travel as signaling candidate messages, not in the descriptions (whose
a=candidate lines are cut out), so the connection depends on both stacks' candidate
wire format. The offerer opens channel "chat" and sends "ping from STACK"; the answerer
replies "pong from STACK"; each prints ``received: MESSAGE``; then the offerer sends BYE
and both exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys

STACK, ROLE = sys.argv[1], sys.argv[2]
lib = importlib.import_module(STACK)
signaling_module = importlib.import_module(STACK + ".contrib.signaling")
sdp_module = importlib.import_module(STACK + ".sdp")

if STACK == "aiortc":
    # aioice gathers on every interface but loopback and has no option to choose.
    import aioice.ice

    aioice.ice.get_host_addresses = lambda *args, **kwargs: ["127.0.0.1"]  # type: ignore[assignment]


def without_candidates(description):
    """The description with its candidates cut out, and those candidates."""
    kept, candidates, mid, index = [], [], None, -1
    for line in description.sdp.splitlines():
        if line.startswith("m="):
            index += 1
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:"):]
        if line.startswith("a=candidate:"):
            candidates.append((line[len("a=candidate:"):], mid, index))
            continue
        if line.startswith("a=end-of-candidates"):
            continue
        kept.append(line)
    result = []
    for value, line_mid, line_index in candidates:
        candidate = sdp_module.candidate_from_sdp(value)
        candidate.sdpMid = line_mid
        candidate.sdpMLineIndex = line_index
        result.append(candidate)
    return lib.RTCSessionDescription(sdp="\r\n".join(kept) + "\r\n", type=description.type), result


async def send_description(signaling, pc) -> None:
    # aiortc's setLocalDescription returns once gathering completed; rtckit's may return
    # just before (see test_aiortc_examples.py), and this test is about signaling.
    for _ in range(1000):
        if pc.iceGatheringState == "complete":
            break
        await asyncio.sleep(0.01)
    description, candidates = without_candidates(pc.localDescription)
    assert candidates, "no local candidate to send"
    await signaling.send(description)
    for candidate in candidates:
        await signaling.send(candidate)


async def main(args) -> None:
    pc = lib.RTCPeerConnection(lib.RTCConfiguration(iceServers=[]))
    signaling = signaling_module.create_signaling(args)
    done = asyncio.Event()

    def on_message(channel, message):
        print("received:", message, flush=True)
        if ROLE == "answer":
            channel.send("pong from " + STACK)
        else:
            done.set()

    await signaling.connect()
    if ROLE == "offer":
        channel = pc.createDataChannel("chat")

        @channel.on("open")
        def on_open():
            channel.send("ping from " + STACK)

        channel.on("message", lambda message: on_message(channel, message))
        await pc.setLocalDescription(await pc.createOffer())
        await send_description(signaling, pc)
    else:

        @pc.on("datachannel")
        def on_datachannel(channel):
            channel.on("message", lambda message: on_message(channel, message))

    consuming = asyncio.ensure_future(consume(signaling, pc))
    if ROLE == "offer":
        await done.wait()
        consuming.cancel()
        await signaling.close()  # sends BYE
    else:
        await consuming
    await pc.close()


async def consume(signaling, pc) -> None:
    while True:
        obj = await signaling.receive()
        if isinstance(obj, lib.RTCSessionDescription):
            print("description:", obj.type, flush=True)
            await pc.setRemoteDescription(obj)
            if obj.type == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                await send_description(signaling, pc)
        elif isinstance(obj, lib.RTCIceCandidate):
            print("candidate:", obj.ip, obj.port, obj.type, flush=True)
            await pc.addIceCandidate(obj)
        elif obj is signaling_module.BYE or obj is None:
            print("bye", flush=True)
            return


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("stack", choices=["aiortc", "rtckit"])
    parser.add_argument("role", choices=["offer", "answer"])
    signaling_module.add_signaling_arguments(parser)
    asyncio.run(main(parser.parse_args()))
