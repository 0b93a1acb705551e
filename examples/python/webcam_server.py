"""Serves a page on 127.0.0.1: a browser that opens it sees rtckit's camera and gets a data
channel, and the server receives the browser's camera and says what it gets.

rtckit has no real camera support yet, so the camera it sends is its fake one: a moving
test pattern carrying its frame number. Usage: python webcam_server.py [--port 8080]
"""

import asyncio

import rtckit
from web_signaling import answer_after_gathering, run

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
    return await answer_after_gathering(pc)


if __name__ == "__main__":
    run(answer)
