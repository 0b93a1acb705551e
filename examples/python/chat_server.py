"""An rtckit peer behind a small HTTP signaling endpoint: POST /offer {type, sdp} -> answer.

It answers each data-channel message with a reply and exits after one session (or keeps
serving with --forever). Non-trickle: the answer carries every candidate.
"""

import argparse
import asyncio
import json
import sys

import rtckit


def log(*args):
    print("[python]", *args, file=sys.stderr, flush=True)


async def answer(offer: dict, done: asyncio.Event) -> dict:
    pc = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})

    @pc.on("connectionstatechange")
    def on_state():
        log("connection", pc.connectionState)

    @pc.on("datachannel")
    def on_datachannel(channel):
        log(f"channel {channel.label!r} opened by the other side")

        @channel.on("message")
        def on_message(message):
            log("got", repr(message))
            if message == "bye":
                channel.send("bye")
                return
            channel.send(f"python heard {message!r}" if isinstance(message, str) else message[::-1])

        @channel.on("close")
        def on_close():
            log("channel closed")
            asyncio.ensure_future(pc.close()).add_done_callback(lambda _: done.set())

    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.005)
    return pc.localDescription.toJSON()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--forever", action="store_true")
    args = parser.parse_args()
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")), 0
        )
        body = await reader.readexactly(length)
        reply = json.dumps(await answer(json.loads(body), done)).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(reply) + reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", args.port)
    log(f"signaling on http://127.0.0.1:{args.port}/offer")
    print("ready", flush=True)
    async with server:
        if args.forever:
            await server.serve_forever()
        else:
            await asyncio.wait_for(done.wait(), 60)
    log("done")


if __name__ == "__main__":
    asyncio.run(main())
