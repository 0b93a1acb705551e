"""The robotics/ML loop: a browser sends its camera, rtckit hands each frame to numpy, finds
its edges (a Sobel filter), and sends the result back, which the page shows.

Serves the same page as webcam_server.py. Usage: python transform.py [--port 8080]
"""

import argparse
import asyncio

import numpy as np

import rtckit
from web_signaling import serve

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
