"""A script that ends with rtckit still busy exits by itself, with status 0; Ctrl-C mid-call
ends it as Python's Ctrl-C does; a child forked after rtckit was used gets a clear error
instead of a deadlock. Each case is a real script in a subprocess, bounded: a hang fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

HANG = 30  # seconds: past this the script is hung, which is the failure looked for

# Everything a robot script leaves running: two connected peers with a data channel, the
# fake camera sent one way, a looping MediaPlayer's audio sent too, the received tracks
# being read, an extra live source track.
BUSY = textwrap.dedent(
    """
    import asyncio, math, os, struct, sys, time, wave
    sys.path.insert(0, os.environ["RTCKIT_TESTS"])
    import rtckit
    from conftest import LOOPBACK, connect, wait_until

    def tone(path):
        with wave.open(path, "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(48000)))

    async def main():
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        channel = a.createDataChannel("chat")
        got = []
        b.on("datachannel", lambda ch: ch.on("message", got.append))
        received = []
        b.on("track", received.append)
        rtckit.mediaDevices.useFakeDevices(True)
        camera = (await rtckit.mediaDevices.getUserMedia(video=True)).getVideoTracks()[0]
        a.addTrack(camera)
        path = os.path.join(os.environ["TMP_DIR"], "tone.wav")
        tone(path)
        player = rtckit.MediaPlayer(path, loop=True)
        a.addTrack(player.audio)
        source = rtckit.VideoStreamTrack()
        await connect(a, b)
        await wait_until(lambda: channel.readyState == "open" and len(received) == 2, what="open")
        channel.send("hello")
        await wait_until(lambda: got == ["hello"], what="message")
        for track in received:
            await asyncio.wait_for(track.recv(), 20)
        MODE
    asyncio.run(main())
    """
)


def script(tmp_path, mode: str) -> list[str]:
    path = tmp_path / "busy.py"
    path.write_text(BUSY.replace("MODE", mode))
    return [sys.executable, str(path)]


def env(tmp_path) -> dict:
    tests = os.path.dirname(os.path.abspath(__file__))
    return {**os.environ, "RTCKIT_TESTS": tests, "TMP_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}


def run_until_line(cmd, environ, line: str) -> tuple[subprocess.Popen, float]:
    """Starts the script and returns once it printed `line`, with the time it did."""
    proc = subprocess.Popen(cmd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:
        out = proc.stdout.readline()
        if out.strip() == line:
            return proc, time.monotonic()
        if out == "" and proc.poll() is not None:
            break
    proc.kill()
    _, err = proc.communicate()
    pytest.fail(f"the script never printed {line!r}:\n{err[-3000:]}")


def test_a_script_that_ends_with_everything_open_exits_by_itself(tmp_path):
    proc, ended = run_until_line(script(tmp_path, 'print("main done", flush=True)'), env(tmp_path), "main done")
    try:
        rc = proc.wait(HANG)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"still running {HANG} s after main returned:\n{proc.communicate()[1][-3000:]}")
    exit_seconds = time.monotonic() - ended
    err = proc.stderr.read()
    assert rc == 0, err[-3000:]
    assert "panicked" not in err and "Traceback" not in err, err[-3000:]
    print(f"exit after main returned: {exit_seconds * 1000:.0f} ms")


def test_ctrl_c_mid_call_ends_the_script_as_python_does(tmp_path):
    # Mid-call: awaiting a message that will not come, with media flowing.
    mode = textwrap.dedent(
        """
        print("waiting", flush=True)
        while True:
            await received[0].recv()
        """
    ).replace("\n", "\n    ")
    proc, _ = run_until_line(script(tmp_path, mode), env(tmp_path), "waiting")
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(HANG)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"Ctrl-C did not end the script:\n{proc.communicate()[1][-3000:]}")
    err = proc.stderr.read()
    # asyncio.run re-raises KeyboardInterrupt, and Python ends by SIGINT: no crash, no hang.
    assert rc in (-signal.SIGINT, 130), (rc, err[-3000:])
    assert "KeyboardInterrupt" in err, err[-3000:]
    assert "panicked" not in err and "Fatal Python error" not in err, err[-3000:]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_gets_a_clear_error_not_a_deadlock(tmp_path):
    mode = textwrap.dedent(
        """
        pid = os.fork()
        if pid == 0:
            try:
                rtckit.RTCPeerConnection(LOOPBACK)
                print("child: no error", flush=True)
            except rtckit.InvalidStateError as err:
                print("child:", type(err).__name__, err, flush=True)
            try:
                channel.send("from the child")
                print("child: sent", flush=True)
            except rtckit.InvalidStateError:
                print("child: send refused", flush=True)
            return  # the child ends normally: its interpreter tears down rtckit's objects
        _, status = os.waitpid(pid, 0)
        print("parent: child exit", os.waitstatus_to_exitcode(status), flush=True)
        channel.send("still works")
        await wait_until(lambda: got[-1:] == ["still works"], what="the parent's connection")
        print("parent: connection works", flush=True)
        """
    ).replace("\n", "\n    ")
    proc = subprocess.Popen(script(tmp_path, mode), env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"fork deadlocked:\n{out}\n{err[-3000:]}")
    assert proc.returncode == 0, err[-3000:]
    lines = out.splitlines()
    assert any(l.startswith("child: InvalidStateError") and "fork" in l for l in lines), out
    assert "child: send refused" in lines, out
    assert "parent: child exit 0" in lines, out
    assert "parent: connection works" in lines, out
