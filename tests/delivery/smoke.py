"""What the installed wheel must do, run by tests/delivery/wheel_install.sh with a fresh
venv's Python (no Rust on PATH): import rtckit from the venv, open a data channel, and move
one VP8, one H.264 and one Opus frame through a loopback pair. Fails if the module maps a
system libvpx or libopus (they are linked in). Prints the import time and installed size."""

import asyncio
import glob
import os
import sys
import time

started = time.perf_counter()
import rtckit  # noqa: E402

import_ms = (time.perf_counter() - started) * 1000
LOOPBACK = {"bindAddresses": ["127.0.0.1"]}


async def gathered(pc):
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.01)
    return pc.localDescription


async def call(stream, video: str) -> None:
    """A call a -> b with `video` (VP8, H.264) and Opus, and a data channel; one frame of each
    arrives. (One call per video codec: a second video m-section that offers other codecs is
    answered with the first one's, a webrtc-rs limit noted in issue 14's note.)"""
    a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
    codecs = rtckit.RTCRtpSender.getCapabilities("video").codecs
    transceiver = a.addTransceiver(stream.getVideoTracks()[0].clone(), direction="sendonly")
    transceiver.setCodecPreferences([c for c in codecs if c.mimeType in (video, "video/rtx")])
    a.addTransceiver(stream.getAudioTracks()[0].clone(), direction="sendonly")
    channel = a.createDataChannel("smoke")
    messages: asyncio.Queue = asyncio.Queue()
    b.on("datachannel", lambda ch: ch.on("message", messages.put_nowait))
    tracks: list = []
    b.on("track", tracks.append)
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(await gathered(a))
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(await gathered(b))
    while channel.readyState != "open":
        await asyncio.sleep(0.01)
    channel.send("hello")
    assert await asyncio.wait_for(messages.get(), 20) == "hello"
    sent = [t.sender.getParameters().codecs[0].mimeType for t in a.getTransceivers()]
    assert sent == [video, "audio/opus"], sent
    assert sorted(t.kind for t in tracks) == ["audio", "video"], [t.kind for t in tracks]
    for track in tracks:
        await asyncio.wait_for(track.recv(), 20)
    for t in a.getTransceivers():
        t.sender.track.stop()
    await a.close()
    await b.close()
    print(f"smoke: {video} and audio/opus frames and a message arrived")


async def main() -> None:
    package = os.path.dirname(rtckit.__file__)
    assert package.startswith(sys.prefix), f"rtckit imported from {package}, not the venv {sys.prefix}"
    assert "numpy" not in sys.modules, "importing rtckit imported numpy"
    rtckit.mediaDevices.useFakeDevices(True)
    stream = await rtckit.mediaDevices.getUserMedia(audio=True, video={"width": 320, "height": 240})
    await call(stream, "video/VP8")
    await call(stream, "video/H264")
    maps = open("/proc/self/maps").read()
    linked = [lib for lib in ("libvpx", "libopus") if lib in maps]
    assert not linked, f"the module loaded {linked} from the system"
    for t in stream.getTracks():
        t.stop()
    # What pip installed: the package (with the bytecode pip compiles) and its dist-info.
    site = os.path.dirname(package)
    folders = [package] + glob.glob(os.path.join(site, "rtckit-*.dist-info"))
    size = sum(os.path.getsize(os.path.join(d, f)) for top in folders for d, _, fs in os.walk(top) for f in fs)
    print(f"smoke: ok; import {import_ms:.0f} ms, installed {size / 1e6:.2f} MB")
    assert size <= 12e6, f"installed {size / 1e6:.2f} MB, over issue 14's 12 MB"


asyncio.run(asyncio.wait_for(main(), 120))
