"""The robotics/ML loop: a browser sends its camera, rtckit hands each frame to numpy, finds
its edges (a Sobel filter), and sends the result back, which the page shows.

Serves the same page as webcam_server.py. Usage: python transform.py [--port 8080]
"""

import asyncio

import numpy as np

import rtckit
from web_signaling import answer_after_gathering, run

connections: set = set()


def log(*args) -> None:
    print(*args, flush=True)


def edges(gray: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude of a (height, width) uint8 image, as uint8."""
    g = gray.astype(np.int32)
    gx = (g[:-2, 2:] + 2 * g[1:-1, 2:] + g[2:, 2:]) - (g[:-2, :-2] + 2 * g[1:-1, :-2] + g[2:, :-2])
    gy = (g[2:, :-2] + 2 * g[2:, 1:-1] + g[2:, 2:]) - (g[:-2, :-2] + 2 * g[:-2, 1:-1] + g[:-2, 2:])
    out = np.zeros_like(gray)
    out[1:-1, 1:-1] = np.clip((np.abs(gx) + np.abs(gy)) // 4, 0, 255)
    return out


async def transform(track: rtckit.MediaStreamTrack, source: rtckit.VideoSource) -> None:
    count = 0
    try:
        while True:
            frame = await track.recv()
            source.push(edges(frame.to_ndarray(format="gray")), format="gray")
            count += 1
            if count == 30:
                log(f"transformed 30 frames of {frame.width}x{frame.height}")
    except (rtckit.MediaStreamError, rtckit.InvalidStateError):
        log(f"stopped after {count} frames")


async def answer(offer: dict) -> dict:
    pc = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
    connections.add(pc)
    source = rtckit.VideoSource("edges")

    @pc.on("connectionstatechange")
    async def on_state():
        log("connection", pc.connectionState)
        if pc.connectionState in ("failed", "closed", "disconnected"):
            source.close()
            connections.discard(pc)
            await pc.close()

    @pc.on("datachannel")
    def on_datachannel(channel):
        channel.on("message", lambda message: channel.send(f"rtckit heard {message!r}"))

    pc.on("track", lambda track: asyncio.ensure_future(transform(track, source)))

    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
    pc.addTrack(source.track)
    return await answer_after_gathering(pc)


if __name__ == "__main__":
    run(answer)
