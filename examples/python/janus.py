"""Publish to and subscribe from a Janus VideoRoom (an SFU) over Janus's HTTP API: how an
rtckit app grows past peer-to-peer, one upload fanned out to many viewers by the server.

    session = await JanusSession.create("http://janus:8088/janus")
    feed = await publish(session, pc, room=1234)          # pc has its tracks added
    ...                                                   # elsewhere, one pc per viewer:
    await subscribe(session, viewer_pc, room=1234, feed=feed)
    await session.destroy()

Each PeerConnection has a plugin handle of its own. Janus answers requests that carry SDP
with an "ack" and sends the result later, as an event on the session's long poll (GET
/janus/<session>), which also keeps the session alive. Descriptions go across with every
candidate in them (no trickle). HTTP is a few lines over asyncio streams: no dependency.

As a command: python janus.py publish|subscribe URL [--room N] [--feed ID] [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import urllib.parse
from typing import Any, Optional

import rtckit

_transactions = itertools.count(1)


async def http(method: str, url: str, body: Optional[dict] = None) -> Any:
    """One HTTP request (a connection each), its JSON answer."""
    parts = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    try:
        payload = json.dumps(body).encode() if body is not None else b""
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # HTTP/1.0: the answer comes whole (never chunked) and ends with the connection.
        head = f"{method} {path} HTTP/1.0\r\nHost: {parts.netloc}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        writer.write(head.encode() + b"\r\n" + payload)
        status = (await reader.readline()).decode().split(" ", 2)
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # the headers
        text = (await reader.read()).decode()
        if status[1] != "200":
            raise RuntimeError(f"{method} {url} answered {' '.join(status[1:]).strip()}: {text.strip()}")
        return json.loads(text)
    finally:
        writer.close()


class JanusError(RuntimeError):
    pass


class JanusSession:
    """A Janus session, its long poll running until `destroy()`."""

    def __init__(self, url: str, session_id: int) -> None:
        self.url, self.id = url.rstrip("/"), session_id
        self._waiting: dict[str, asyncio.Future] = {}
        self.events: dict[int, asyncio.Queue] = {}  # per handle: what Janus sent it unasked
        self._poll = asyncio.ensure_future(self._long_poll())

    @classmethod
    async def create(cls, url: str) -> "JanusSession":
        reply = await http("POST", url, {"janus": "create", "transaction": str(next(_transactions))})
        return cls(url, reply["data"]["id"])

    async def attach(self, plugin: str = "janus.plugin.videoroom") -> int:
        reply = await self.send(None, {"janus": "attach", "plugin": plugin})
        self.events[reply["data"]["id"]] = asyncio.Queue()
        return reply["data"]["id"]

    async def send(self, handle: Optional[int], message: dict) -> dict:
        """A request; for an asynchronous one (acked), the event that answers it."""
        transaction = str(next(_transactions))
        url = f"{self.url}/{self.id}" + (f"/{handle}" if handle else "")
        answered = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = answered
        try:
            reply = await http("POST", url, {**message, "transaction": transaction})
            if reply["janus"] == "ack":
                reply = await asyncio.wait_for(answered, 30)
        finally:
            self._waiting.pop(transaction, None)
        if reply["janus"] == "error":
            raise JanusError(f"Janus: {reply['error']['reason']} ({reply['error']['code']})")
        data = reply.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(f"Janus {data.get('videoroom', 'plugin')}: {data['error']} ({data.get('error_code')})")
        return reply

    async def message(self, handle: int, body: dict, jsep: Optional[dict] = None) -> dict:
        return await self.send(handle, {"janus": "message", "body": body, **({"jsep": jsep} if jsep else {})})

    async def _long_poll(self) -> None:
        while True:
            try:
                events = await http("GET", f"{self.url}/{self.id}?maxev=10")
            except (OSError, RuntimeError, json.JSONDecodeError):
                await asyncio.sleep(0.5)  # Janus restarting, or the session gone: try again
                continue
            for event in events if isinstance(events, list) else [events]:
                waiting = self._waiting.get(event.get("transaction", ""))
                if waiting is not None and not waiting.done():
                    waiting.set_result(event)
                elif event.get("sender") in self.events:
                    self.events[event["sender"]].put_nowait(event)

    async def destroy(self) -> None:
        self._poll.cancel()
        try:
            await http("POST", f"{self.url}/{self.id}", {"janus": "destroy", "transaction": str(next(_transactions))})
        except (OSError, RuntimeError):
            pass


async def publish(session: JanusSession, pc: rtckit.RTCPeerConnection, room: int, display: str = "rtckit") -> int:
    """Sends `pc`'s tracks to the room; returns the feed id subscribers ask for."""
    handle = await session.attach()
    for transceiver in pc.getTransceivers():
        if transceiver.sender.track is not None:
            transceiver.direction = "sendonly"
    # setLocalDescription returns once gathering is complete: the offer carries every candidate.
    await pc.setLocalDescription(await pc.createOffer())
    offer = {"type": "offer", "sdp": pc.localDescription.sdp}
    body = {"request": "joinandconfigure", "ptype": "publisher", "room": room, "display": display}
    reply = await session.message(handle, body, offer)
    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=reply["jsep"]["sdp"], type=reply["jsep"]["type"]))
    return reply["plugindata"]["data"]["id"]


async def subscribe(session: JanusSession, pc: rtckit.RTCPeerConnection, room: int, feed: int) -> None:
    """Receives `feed` on `pc`: Janus offers, `pc` answers."""
    handle = await session.attach()
    reply = await session.message(handle, {"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]})
    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=reply["jsep"]["sdp"], type=reply["jsep"]["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    await session.message(handle, {"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})


async def main(args: argparse.Namespace) -> None:
    session = await JanusSession.create(args.url)
    pc = rtckit.RTCPeerConnection()
    pc.on("connectionstatechange", lambda: print("connection", pc.connectionState, flush=True))
    stream = None
    try:
        if args.command == "publish":
            rtckit.mediaDevices.useFakeDevices(True)
            stream = await rtckit.mediaDevices.getUserMedia({"video": {"width": 640, "height": 480}, "audio": True})
            for track in stream.getTracks():
                pc.addTrack(track, stream)
            print("published as feed", await publish(session, pc, args.room), flush=True)
            await asyncio.sleep(args.seconds)
        else:
            frames: list = []

            async def read(track: rtckit.MediaStreamTrack) -> None:
                while True:
                    frames.append(await track.recv())

            tasks = []
            pc.on("track", lambda track: track.kind == "video" and tasks.append(asyncio.ensure_future(read(track))))
            await subscribe(session, pc, args.room, args.feed)
            await asyncio.sleep(args.seconds)
            for task in tasks:
                task.cancel()
            size = f"{frames[-1].width}x{frames[-1].height}" if frames else "nothing"
            print(f"video: {len(frames)} frames of {size} in {args.seconds} s", flush=True)
    finally:
        await pc.close()
        for track in stream.getTracks() if stream else []:
            track.stop()
        await session.destroy()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["publish", "subscribe"])
    parser.add_argument("url", help="Janus's HTTP API, e.g. http://127.0.0.1:8088/janus")
    parser.add_argument("--room", type=int, default=1234)
    parser.add_argument("--feed", type=int, help="the feed to subscribe to")
    parser.add_argument("--seconds", type=float, default=10)
    arguments = parser.parse_args()
    if arguments.command == "subscribe" and arguments.feed is None:
        parser.error("subscribe needs --feed")
    asyncio.run(main(arguments))
