"""Serves a page on 127.0.0.1: a browser that opens it sees rtckit's camera and gets a data
channel, and the server receives the browser's camera and says what it gets.

rtckit has no real camera support yet, so the camera it sends is its fake one: a moving
test pattern carrying its frame number. Usage: python webcam_server.py [--port 8080]
"""

import argparse
import asyncio

import rtckit
from web_signaling import serve

connections: set = set()


def log(*args) -> None:
    print(*args, flush=True)


async def watch(track: rtckit.MediaStreamTrack) -> None:
    """Decodes the browser's camera and says what it is."""
    count = 0
    try:
        while True:
            frame = await track.recv()
            count += 1
            if count == 30:
                log(f"browser camera: {frame.width}x{frame.height}, 30 frames decoded")
    except rtckit.MediaStreamError:
        log(f"browser camera ended after {count} frames")


async def answer(offer: dict) -> dict:
    pc = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
    connections.add(pc)
    try:
        stream = await rtckit.mediaDevices.getUserMedia(video={"width": 640, "height": 480})
    except (rtckit.NotFoundError, rtckit.NotReadableError):
        rtckit.mediaDevices.useFakeDevices(True)  # no camera here: the fake one
        stream = await rtckit.mediaDevices.getUserMedia(video={"width": 640, "height": 480})

    @pc.on("connectionstatechange")
    async def on_state():
        log("connection", pc.connectionState)
        if pc.connectionState in ("failed", "closed", "disconnected"):
            for track in stream.getTracks():
                track.stop()
            connections.discard(pc)
            await pc.close()

    @pc.on("datachannel")
    def on_datachannel(channel):
        @channel.on("message")
        def on_message(message):
            log("browser says", repr(message))
            channel.send(f"rtckit heard {message!r}")

    pc.on("track", lambda track: asyncio.ensure_future(watch(track)))

    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
    for track in stream.getTracks():
        pc.addTrack(track, stream)
    await pc.setLocalDescription(await pc.createAnswer())
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.005)
    return pc.localDescription.toJSON()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    server = await serve(answer, args.port)
    log(f"open http://127.0.0.1:{server.sockets[0].getsockname()[1]}/")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
