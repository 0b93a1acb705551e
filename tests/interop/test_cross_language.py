"""rtckit-Python (this process) <-> rtckit-Node (a child process running node_peer.mjs),
signaling over the child's stdin/stdout as JSON lines, trickle ICE, both offering
directions, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from pathlib import Path

import pytest

import rtckit
from interop_messages import MESSAGES, check_received

NODE = shutil.which("node")
PEER_SCRIPT = Path(__file__).with_name("node_peer.mjs")
TIMEOUT = 20

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH")


async def within(awaitable, what: str, timeout: float = 10):
    """Awaits with a bound, failing with what was being waited for."""
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


def encode(m) -> dict:
    return {"t": m} if isinstance(m, str) else {"b": base64.b64encode(m).decode()}


def decode(e: dict):
    return e["t"] if "t" in e else base64.b64decode(e["b"])


class NodePeer:
    """The child process: commands go to its stdin, its events are dispatched from stdout."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.description: asyncio.Future = asyncio.get_running_loop().create_future()
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.ready = asyncio.Event()
        self.messages: asyncio.Queue = asyncio.Queue()
        self.candidates: asyncio.Queue = asyncio.Queue()
        self.errors: list[str] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls) -> "NodePeer":
        proc = await asyncio.create_subprocess_exec(
            NODE,
            str(PEER_SCRIPT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 22,  # lines carry 60000-byte messages as base64
        )
        peer = cls(proc)
        await within(peer.ready.wait(), "node_peer.mjs to start")
        return peer

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                return
            try:
                event = json.loads(line)
                kind = event["type"]
                if kind == "ready":
                    self.ready.set()
                elif kind == "description":
                    self.description.set_result(event["description"])
                elif kind == "candidate":
                    self.candidates.put_nowait(event["candidate"])
                elif kind == "open":
                    self.opened.set_result(event)
                elif kind == "message":
                    self.messages.put_nowait(decode(event["data"]))
                elif kind == "error":
                    self.errors.append(event["message"])
                else:
                    self.errors.append(f"unknown event from node: {line[:200]!r}")
            except Exception as exc:  # keep reading; the test asserts errors == []
                self.errors.append(f"bad line from node ({exc!r}): {line[:200]!r}")

    async def send(self, **command) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        await self.proc.stdin.drain()

    async def stop(self) -> None:
        try:
            if self.proc.returncode is None:
                await self.send(cmd="close")
                await asyncio.wait_for(self.proc.wait(), 5)
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
            self.reader.cancel()


async def exchange_with_node(python_offers: bool) -> None:
    node = await NodePeer.start()
    pc = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
    forwarders: list[asyncio.Task] = []
    try:
        errors: list[str] = []
        # Python -> Node candidates; the Node peer queues them until it has a remote description.
        @pc.on("icecandidate")
        async def to_node(candidate):
            if candidate is not None:
                await node.send(cmd="candidate", candidate=candidate.toJSON())

        # Node -> Python candidates, queued here until pc has a remote description.
        have_remote = asyncio.Event()

        async def from_node():
            while True:
                c = await node.candidates.get()
                await have_remote.wait()
                try:
                    await pc.addIceCandidate(c)
                except rtckit.RTCError as exc:
                    errors.append(f"{c['candidate']}: {exc.name}: {exc}")

        forwarders.append(asyncio.ensure_future(from_node()))

        received: asyncio.Queue = asyncio.Queue()
        if python_offers:
            label = "from-python"
            channel = pc.createDataChannel(label, ordered=True)
            opened = asyncio.Event()
            channel.on("open", opened.set)
            channel.on("message", received.put_nowait)
            await pc.setLocalDescription(await pc.createOffer())
            await node.send(cmd="description", description=pc.localDescription.toJSON())
            await pc.setRemoteDescription(await within(node.description, "Node's answer"))
            have_remote.set()
            await within(opened.wait(), "the Python channel to open")
        else:
            label = "from-node"
            got_channel: asyncio.Future = asyncio.get_running_loop().create_future()

            @pc.on("datachannel")
            def on_datachannel(ch):
                ch.on("message", received.put_nowait)
                got_channel.set_result(ch)

            await node.send(cmd="offer", label=label)
            await pc.setRemoteDescription(await within(node.description, "Node's offer"))
            have_remote.set()
            await pc.setLocalDescription(await pc.createAnswer())
            await node.send(cmd="description", description=pc.localDescription.toJSON())
            channel = await within(got_channel, "Python's datachannel event")

            async def until_open():
                while channel.readyState != "open":
                    await asyncio.sleep(0.01)

            await within(until_open(), "the Python channel to open")

        info = await within(node.opened, "the Node channel to open")
        assert info["label"] == label and channel.label == label
        assert info["ordered"] is True

        # Python sends MESSAGES in order, Node sends them reversed.
        for m in MESSAGES:
            channel.send(m)
        reversed_messages = list(reversed(MESSAGES))
        await node.send(cmd="send", messages=[encode(m) for m in reversed_messages])

        async def take(queue: asyncio.Queue) -> list:
            return [await queue.get() for _ in MESSAGES]

        at_node, at_python = await within(
            asyncio.gather(take(node.messages), take(received)), "all messages both ways"
        )
        check_received(at_node, MESSAGES)
        check_received(at_python, reversed_messages)
        assert pc.connectionState == "connected"
        assert errors == [], errors
        assert node.errors == [], node.errors
    finally:
        for task in forwarders:
            task.cancel()
        await pc.close()
        await node.stop()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


def test_python_offers_node_answers():
    run(exchange_with_node(python_offers=True))


def test_node_offers_python_answers():
    run(exchange_with_node(python_offers=False))
