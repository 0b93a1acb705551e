"""rtckit.contrib.signaling against aiortc.contrib.signaling: an rtckit process and an aiortc
process (signaling_peer.py, the same aiortc-API code on either stack) signal each other
over tcp-socket signaling on 127.0.0.1, candidates as signaling messages, in both
offering directions, and exchange a data-channel message each way; the wire format
matches aiortc's byte for byte."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rtckit
import rtckit.sdp
from rtckit.contrib import signaling

import aiortc
import aiortc.contrib.signaling as aiortc_signaling
import aiortc.sdp as aiortc_sdp

PEER = Path(__file__).with_name("signaling_peer.py")
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    """Whether a TCP socket listens on `port` (read from /proc: connecting to find out would
    be taken by the signaling server as its one peer)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def start(stack: str, role: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, RTCKIT_BIND_ADDRESSES="127.0.0.1")
    return subprocess.Popen(
        [sys.executable, str(PEER), stack, role, "--signaling", "tcp-socket", "--signaling-port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen, what: str) -> str:
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"{what} did not finish in {TIMEOUT} s:\n{out}") from None
    assert proc.returncode == 0, f"{what} exited with {proc.returncode}:\n{out}"
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads listening sockets from /proc")
@pytest.mark.parametrize("offerer,answerer", [("rtckit", "aiortc"), ("aiortc", "rtckit")])
def test_rtckit_and_aiortc_processes_signal_each_other(offerer, answerer):
    port = free_port()
    procs = [start(offerer, "offer", port)]
    try:
        deadline = time.monotonic() + TIMEOUT
        while not listening(port):  # the offerer listens when it sends its offer
            assert procs[0].poll() is None, f"the offerer exited early:\n{procs[0].communicate()[0]}"
            assert time.monotonic() < deadline, "the offerer never listened"
            time.sleep(0.05)
        procs.append(start(answerer, "answer", port))
        answer_out = finish(procs[1], f"the {answerer} answerer")
        offer_out = finish(procs[0], f"the {offerer} offerer")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "description: answer" in offer_out and "candidate: 127.0.0.1" in offer_out, offer_out
    assert f"received: pong from {answerer}" in offer_out, offer_out
    assert "description: offer" in answer_out and "candidate: 127.0.0.1" in answer_out, answer_out
    assert f"received: ping from {offerer}" in answer_out and "bye" in answer_out, answer_out


SDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
CANDIDATES = [
    "842163049 1 udp 1677729535 127.0.0.1 47362 typ srflx raddr 0.0.0.0 rport 0 generation 0",
    "1 1 UDP 2130706431 127.0.0.1 50000 typ host",
    "3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active",
    "4 2 udp 41885439 127.0.0.1 61000 typ relay raddr 127.0.0.1 rport 3478",
]


@pytest.mark.parametrize("kind", ["offer", "answer"])
def test_descriptions_round_trip_through_aiortc(kind):
    ours = rtckit.RTCSessionDescription(sdp=SDP, type=kind)
    theirs = aiortc.RTCSessionDescription(sdp=SDP, type=kind)
    assert signaling.object_to_string(ours) == aiortc_signaling.object_to_string(theirs)
    back = signaling.object_from_string(aiortc_signaling.object_to_string(theirs))
    assert isinstance(back, rtckit.RTCSessionDescription) and (back.type, back.sdp) == (kind, SDP)
    assert aiortc_signaling.object_from_string(signaling.object_to_string(ours)) == theirs


@pytest.mark.parametrize("line", CANDIDATES)
def test_candidates_round_trip_through_aiortc(line):
    theirs = aiortc_sdp.candidate_from_sdp(line)
    theirs.sdpMid, theirs.sdpMLineIndex = "0", 0
    ours = rtckit.sdp.candidate_from_sdp(line)
    ours.sdpMid, ours.sdpMLineIndex = "0", 0
    fields = ["component", "foundation", "ip", "port", "priority", "protocol", "type", "relatedAddress", "relatedPort", "tcpType"]
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert rtckit.sdp.candidate_to_sdp(ours) == aiortc_sdp.candidate_to_sdp(theirs)

    message = signaling.object_to_string(ours)
    assert message == aiortc_signaling.object_to_string(theirs)
    assert json.loads(message)["type"] == "candidate"
    assert aiortc_signaling.object_from_string(message) == theirs
    back = signaling.object_from_string(aiortc_signaling.object_to_string(theirs))
    assert isinstance(back, rtckit.RTCIceCandidate)
    assert (back.sdpMid, back.sdpMLineIndex) == ("0", 0)
    assert [getattr(back, f) for f in fields] == [getattr(theirs, f) for f in fields]


def test_bye_round_trips_through_aiortc():
    assert signaling.object_to_string(signaling.BYE) == aiortc_signaling.object_to_string(aiortc_signaling.BYE)
    assert signaling.object_from_string(aiortc_signaling.object_to_string(aiortc_signaling.BYE)) is signaling.BYE
    assert aiortc_signaling.object_from_string(signaling.object_to_string(signaling.BYE)) is aiortc_signaling.BYE


def test_signaling_arguments_are_aiortc_s():
    import argparse

    for args in ([], ["-s", "tcp-socket", "--signaling-host", "127.0.0.2", "--signaling-port", "4321"], ["--signaling", "unix-socket", "--signaling-path", "x.sock"]):
        ours, theirs = argparse.ArgumentParser(), argparse.ArgumentParser()
        signaling.add_signaling_arguments(ours)
        aiortc_signaling.add_signaling_arguments(theirs)
        assert vars(ours.parse_args(args)) == vars(theirs.parse_args(args))
    made = [signaling.create_signaling(ours.parse_args(a)) for a in ([], ["-s", "tcp-socket"], ["-s", "unix-socket"])]
    assert [type(s).__name__ for s in made] == ["CopyAndPasteSignaling", "TcpSocketSignaling", "UnixSocketSignaling"]


def test_bad_signaling_input_is_a_clear_error():
    with pytest.raises(rtckit.RTCSyntaxError):
        signaling.object_from_string('{"type": "candidate", "candidate": "candidate:1 1 udp", "id": "0", "label": 0}')
    with pytest.raises(rtckit.RTCSyntaxError):
        signaling.object_from_string('{"type": "hello"}')
    with pytest.raises(rtckit.RTCSyntaxError):
        rtckit.sdp.candidate_from_sdp("1 one udp 2 127.0.0.1 5 typ host")
    with pytest.raises(TypeError):
        signaling.object_to_string("bye")  # type: ignore[arg-type]


@pytest.mark.parametrize("sender", ["rtckit", "aiortc"])
def test_unix_socket_signaling_talks_to_aiortc_s(sender, tmp_path):
    import asyncio

    path = str(tmp_path / "signaling.sock")
    ours, theirs = signaling.UnixSocketSignaling(path), aiortc_signaling.UnixSocketSignaling(path)
    server, client = (ours, theirs) if sender == "rtckit" else (theirs, ours)
    description = {"rtckit": rtckit, "aiortc": aiortc}[sender].RTCSessionDescription(sdp=SDP, type="offer")

    async def main():
        sending = asyncio.ensure_future(server.send(description))  # the first to send listens
        for _ in range(500):
            if os.path.exists(path):
                break
            await asyncio.sleep(0.01)
        received = await asyncio.wait_for(client.receive(), 10)
        await asyncio.wait_for(sending, 10)
        await server.close()  # sends BYE
        bye = await asyncio.wait_for(client.receive(), 10)
        await client.close()
        return received, bye

    received, bye = asyncio.run(asyncio.wait_for(main(), 20))
    assert (received.type, received.sdp) == ("offer", SDP)
    assert bye is (signaling.BYE if sender == "aiortc" else aiortc_signaling.BYE)
    assert not os.path.exists(path)  # the listening side removed its socket


COPY_AND_PASTE = """
import asyncio
from rtckit.contrib.signaling import BYE, create_signaling, add_signaling_arguments
import argparse

async def main():
    parser = argparse.ArgumentParser()
    add_signaling_arguments(parser)
    signaling = create_signaling(parser.parse_args([]))  # copy-and-paste, aiortc's default
    await signaling.connect()
    received = await signaling.receive()
    print("got", received.type, repr(received.sdp))
    await signaling.close()  # says BYE

asyncio.run(main())
"""


def test_copy_and_paste_signaling_reads_stdin_and_writes_stdout():
    message = aiortc_signaling.object_to_string(aiortc.RTCSessionDescription(sdp=SDP, type="offer"))
    done = subprocess.run(
        [sys.executable, "-c", COPY_AND_PASTE], input=message + "\n", capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "-- Please enter a message from remote party --" in lines
    assert f"got offer {SDP!r}" in lines
    assert "-- Please send this message to the remote party --" in lines
    assert aiortc_signaling.object_from_string(lines[lines.index("-- Please send this message to the remote party --") + 1]) is aiortc_signaling.BYE
