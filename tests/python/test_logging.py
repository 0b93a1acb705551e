"""RTCKIT_LOG: webrtc-rs's and rtckit's logs on stderr, set per module (core/src/logging.rs)."""

from __future__ import annotations

import os
import subprocess
import sys

# One data channel between two peers on 127.0.0.1: enough for ICE and DTLS to log.
SCRIPT = """
import asyncio, rtckit
async def main():
    a = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
    b = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
    a.createDataChannel("x")
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    while a.connectionState != "connected":
        await asyncio.sleep(0.01)
    await a.close(); await b.close()
asyncio.run(asyncio.wait_for(main(), 30))
"""


def run(log: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RTCKIT_LOG"}
    if log is not None:
        env["RTCKIT_LOG"] = log
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)


def test_a_module_level_shows_that_module_only():
    done = run("rtc_ice=debug")
    assert done.returncode == 0, done.stderr
    lines = [l for l in done.stderr.splitlines() if l.startswith("[")]
    assert any(" rtc_ice::agent] " in l and "Setting new connection state: Connected" in l for l in lines), done.stderr
    assert all(" rtc_ice" in l for l in lines), [l for l in lines if " rtc_ice" not in l][:3]


def test_unset_logs_nothing_and_a_bad_level_is_reported_not_fatal():
    quiet = run(None)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    bad = run("rtc_ice=loud")
    assert bad.returncode == 0, bad.stderr
    assert 'rtckit: RTCKIT_LOG ignored: "loud" is not a log level' in bad.stderr, bad.stderr
