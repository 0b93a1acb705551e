"""WHIP (RFC 9725) and WHEP clients: publish to, or play from, a media server with one HTTP
POST. The offer goes out with every candidate in it (no trickle), the answer comes back in
the 201 response, and DELETE on the resource it names ends the session.

    from whip import publish, play
    session = await publish(pc, "https://server/whip/room", token=token)
    ...
    await session.stop()          # DELETE, then pc.close()

As a command, with rtckit's fake camera and microphone:
    python whip.py publish http://127.0.0.1:8080/whip [seconds]
    python whip.py play http://127.0.0.1:8080/whep [seconds]

HTTP goes through the standard library (urllib, in a thread), so nothing else is needed.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

import rtckit


class Session:
    """A published or played stream: `resource` is its URL on the server."""

    def __init__(self, pc: rtckit.RTCPeerConnection, resource: str, token: Optional[str]) -> None:
        self.pc, self.resource, self._token = pc, resource, token

    async def stop(self) -> None:
        """Ends the session on the server (DELETE), then closes the connection."""
        try:
            await asyncio.to_thread(_request, "DELETE", self.resource, None, self._token)
        finally:
            await self.pc.close()


async def publish(pc: rtckit.RTCPeerConnection, url: str, token: Optional[str] = None) -> Session:
    """Sends `pc`'s tracks (each transceiver with a track is made sendonly) to a WHIP endpoint."""
    for transceiver in pc.getTransceivers():
        if transceiver.sender.track is not None:
            transceiver.direction = "sendonly"
    return await _exchange(pc, url, token)


async def play(pc: rtckit.RTCPeerConnection, url: str, token: Optional[str] = None) -> Session:
    """Receives a WHEP endpoint's media on `pc` (a recvonly audio and video unless it has some)."""
    if not pc.getTransceivers():
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
    return await _exchange(pc, url, token)


async def _exchange(pc: rtckit.RTCPeerConnection, url: str, token: Optional[str]) -> Session:
    # setLocalDescription returns once gathering is complete: the offer carries every candidate.
    await pc.setLocalDescription(await pc.createOffer())
    status, headers, body = await asyncio.to_thread(_request, "POST", url, pc.localDescription.sdp, token)
    if status != 201:
        raise RuntimeError(f"{url} answered {status}: {body.strip()}")
    location = headers.get("Location")
    if not location:
        raise RuntimeError(f"{url} answered 201 without a Location")
    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=body, type="answer"))
    return Session(pc, urllib.parse.urljoin(url, location), token)


def _request(method: str, url: str, sdp: Optional[str], token: Optional[str]) -> tuple[int, Any, str]:
    """Status, headers (case-insensitive) and body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if sdp is not None:
        headers.update({"Content-Type": "application/sdp", "Accept": "application/sdp"})
    request = urllib.request.Request(url, data=sdp.encode() if sdp is not None else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        if method == "DELETE":
            raise RuntimeError(f"DELETE {url} answered {error.code} {error.reason}") from None
        return error.code, error.headers, error.read().decode()


async def main(command: str, url: str, seconds: float) -> None:
    pc = rtckit.RTCPeerConnection()  # RTCKIT_BIND_ADDRESSES=127.0.0.1 keeps it on loopback
    tag = f"[whip {command}]"
    pc.on("connectionstatechange", lambda: print(tag, "connection", pc.connectionState, flush=True))
    stream = None
    frames = {"count": 0, "size": ""}
    reading: list[asyncio.Task] = []
    if command == "publish":
        rtckit.mediaDevices.useFakeDevices(True)
        stream = await rtckit.mediaDevices.getUserMedia({"video": {"width": 640, "height": 480}, "audio": True})
        for track in stream.getTracks():
            pc.addTrack(track, stream)
    else:

        async def read(track: rtckit.MediaStreamTrack) -> None:
            while True:
                frame = await track.recv()
                frames["count"] += 1
                frames["size"] = f"{frame.width}x{frame.height}"

        @pc.on("track")
        def on_track(track: rtckit.MediaStreamTrack) -> None:
            if track.kind == "video":
                reading.append(asyncio.ensure_future(read(track)))

    session = await (publish if command == "publish" else play)(pc, url)
    print(tag, "session", session.resource, flush=True)
    await asyncio.sleep(seconds)
    for task in reading:
        task.cancel()
    if command == "play":
        print(tag, f"video: {frames['count']} frames of {frames['size']} decoded", flush=True)
    await session.stop()
    for track in stream.getTracks() if stream else []:
        track.stop()
    print(tag, "stopped", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("publish", "play"):
        print("usage: python whip.py publish|play URL [seconds]", file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 5.0))
