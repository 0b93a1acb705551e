"""Two peers (tests/net/peer.py or peer.mjs) in two namespaces of a lab, their descriptions
passed across, and what each reported. Used by the Python network tests; the Node tests have
the same in helpers.mjs."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))


async def _start(ns: str, options: dict, command: list[str] | None = None, env: dict | None = None) -> asyncio.subprocess.Process:
    """peer.py in `ns`, or `command` (given the options as its last argument)."""
    # NET_PEER_STDERR=folder keeps each peer's stderr in a file there (for debugging a run).
    keep = os.environ.get("NET_PEER_STDERR")
    stderr = open(os.path.join(keep, f"{options['role']}.err"), "wb") if keep else asyncio.subprocess.PIPE
    command = command or [sys.executable, os.path.join(HERE, "peer.py")]
    return await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", ns, *command, json.dumps(options),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


async def _next(proc: asyncio.subprocess.Process, log: list, name: str) -> dict:
    assert proc.stdout is not None
    line = await proc.stdout.readline()
    if not line:
        err = (await proc.stderr.read()).decode(errors="replace") if proc.stderr else ""
        raise AssertionError(f"{name} ended early (after {log}): {err[-3000:]}")
    message = json.loads(line)
    log.append(message)
    return message


def _send(proc: asyncio.subprocess.Process, message: dict) -> None:
    assert proc.stdin is not None
    proc.stdin.write((json.dumps(message) + "\n").encode())


async def run_pair(offer_ns: str, offer: dict, answer_ns: str, answer: dict, timeout: float = 60) -> tuple[list, list]:
    """Runs the call to its end; returns (offerer's messages, answerer's messages)."""
    got_a, got_b, _ = await _call(offer_ns, offer, answer_ns, answer, timeout)
    return got_a, got_b


async def _call(
    offer_ns: str,
    offer: dict,
    answer_ns: str,
    answer: dict,
    timeout: float,
    offer_command: list[str] | None = None,
    answer_env: dict | None = None,
    strip_answer_candidates: bool = False,
    until: str | None = None,
) -> tuple[list, list, str]:
    """A call between an offerer (peer.py, or `offer_command`) and an answerer (peer.py):
    to its end, or until the answerer's stderr has a line containing `until`. Returns both
    sides' messages and what the answerer's stderr said up to `until`."""
    a = await _start(offer_ns, {**offer, "role": "offer"}, command=offer_command)
    b = await _start(answer_ns, {**answer, "role": "answer"}, env=answer_env)
    got_a: list = []
    got_b: list = []
    stderr: list[str] = []

    async def call() -> None:
        _send(b, await _next(a, got_a, "the offerer"))
        reply = await _next(b, got_b, "the answerer")
        if strip_answer_candidates:
            lines = reply["description"]["sdp"].split("\r\n")
            sdp = "\r\n".join(line for line in lines if not line.startswith("a=candidate:"))
            reply = {**reply, "description": {**reply["description"], "sdp": sdp}}
        _send(a, reply)
        if until is not None:
            assert b.stderr is not None
            while until not in (line := (await b.stderr.readline()).decode(errors="replace")):
                assert line, f"the answerer ended without saying {until!r}"
                stderr.append(line)
            stderr.append(line)
            return

        async def until_end(proc: Any, log: list, name: str, last: set) -> None:
            while (await _next(proc, log, name))["type"] not in last:
                pass

        await asyncio.gather(
            until_end(a, got_a, "the offerer", {"sent", "failed"}),
            until_end(b, got_b, "the answerer", {"result", "failed"}),
        )
        _send(a, {"type": "bye"})
        _send(b, {"type": "bye"})
        await asyncio.gather(a.wait(), b.wait())

    try:
        await asyncio.wait_for(call(), timeout)
    finally:
        for proc in (a, b):
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    return got_a, got_b, "".join(stderr)


def report(messages: list, kind: str) -> dict:
    found = [m for m in messages if m["type"] == kind]
    assert found, f"no {kind!r} report in {messages}"
    return found[0]


class Peer:
    """A peer process of a held call (peer.py with "hold"): its messages, and commands to it."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc, self.name, self.log = proc, name, []

    async def next(self, kind: str | None = None, timeout: float = 60) -> dict:
        """The next message (of `kind`, skipping others), within `timeout` seconds."""

        async def wanted() -> dict:
            while True:
                message = await _next(self.proc, self.log, self.name)
                if kind is None or message["type"] == kind:
                    return message

        return await asyncio.wait_for(wanted(), timeout)

    async def until_state(self, connection_state: str, timeout: float = 60) -> dict:
        while True:
            message = await self.next("state", timeout)
            if message["connectionState"] == connection_state:
                return message

    def send(self, message: dict) -> None:
        _send(self.proc, message)

    async def end(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()


async def held_call(offer_ns: str, answer_ns: str, options: dict) -> tuple[Peer, Peer]:
    """Starts two held peers and connects them; both have reported their pair."""
    a = Peer(await _start(offer_ns, {**options, "role": "offer", "hold": True}), "the offerer")
    b = Peer(await _start(answer_ns, {**options, "role": "answer", "hold": True}), "the answerer")
    try:
        b.send(await a.next("description"))
        a.send(await b.next("description"))
        await asyncio.gather(a.next("pair"), b.next("pair"))
    except BaseException:
        await asyncio.gather(a.end(), b.end())
        raise
    return a, b


async def chromium_call(lan: Any, options: dict, until: str | None = None, timeout: float = 60) -> tuple[list, list, str]:
    """Chromium (chromium_peer.mjs, its addresses hidden behind mDNS names) offers from the
    LAN's browser, rtckit (peer.py, RTCKIT_LOG=warn) answers from the host. rtckit's answer
    reaches Chromium without its candidates, so the two meet only if rtckit resolved
    Chromium's names. Returns (Chromium's messages, rtckit's messages, rtckit's stderr) once
    both ended their call, or once rtckit's stderr has a line containing `until`."""
    return await _call(
        lan.ns("browser"), options, lan.ns("host"), options, timeout,
        offer_command=["node", os.path.join(HERE, "chromium_peer.mjs")],
        answer_env={"RTCKIT_LOG": "warn"}, strip_answer_candidates=True, until=until,
    )  # fmt: skip
