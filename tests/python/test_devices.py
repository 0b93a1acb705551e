"""Real devices without hardware, through rtckit's real audio path (cpal, then alsa-lib):
ALSA software devices that tests/devices/fake_alsa.py plays a 440 Hz tone into and records.
A microphone goes through a peer to AudioOutput on a speaker; bad devices get their errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rtckit
from conftest import LOOPBACK, connect, dominant_frequency, next_event, run

HARNESS = Path(__file__).resolve().parents[1] / "devices" / "fake_alsa.py"


@pytest.fixture()
def fake_alsa(tmp_path):
    process = subprocess.Popen(
        [sys.executable, str(HARNESS), str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    previous = os.environ.get("ALSA_CONFIG_PATH")
    os.environ["ALSA_CONFIG_PATH"] = str(tmp_path / "asound.conf")
    rtckit.mediaDevices.useFakeDevices(False)
    yield tmp_path
    if previous is None:
        del os.environ["ALSA_CONFIG_PATH"]
    else:
        os.environ["ALSA_CONFIG_PATH"] = previous
    process.stdin.close()  # type: ignore[union-attr]
    process.wait(10)


def first_channel(frame):
    return frame.to_ndarray().reshape(-1, frame.channels)[:, 0].astype(np.float64)


def test_a_microphone_through_a_peer_to_a_speaker(fake_alsa):
    async def main():
        devices = await rtckit.mediaDevices.enumerateDevices()
        ids = {(d.kind, d.deviceId) for d in devices}
        assert ("audioinput", "alsa:rtckit_mic") in ids and ("audiooutput", "alsa:rtckit_speaker") in ids
        assert all(isinstance(d, rtckit.MediaDeviceInfo) and d.label for d in devices)

        stream = await rtckit.mediaDevices.getUserMedia(audio={"deviceId": {"exact": "alsa:rtckit_mic"}})
        (microphone,) = stream.getAudioTracks()
        assert microphone.label == "rtckit test microphone"
        chunks, rate = [], 48000
        while sum(len(c) for c in chunks) < 24000:
            frame = await asyncio.wait_for(microphone.recv(), 5)
            rate = frame.sample_rate
            chunks.append(first_channel(frame))
        assert abs(dominant_frequency(np.concatenate(chunks)[2400:], rate) - 440) <= 10

        a = rtckit.RTCPeerConnection(LOOPBACK)
        b = rtckit.RTCPeerConnection(LOOPBACK)
        a.addTrack(microphone, stream)
        arrived = next_event(b, "track")
        await connect(a, b)
        remote = await asyncio.wait_for(arrived, 10)
        output = rtckit.AudioOutput(remote, "alsa:rtckit_speaker")
        assert output.playing
        speaker = fake_alsa / "speaker.raw"
        before = speaker.stat().st_size
        await asyncio.sleep(1.5)
        played = np.frombuffer(speaker.read_bytes()[max(before, speaker.stat().st_size - 48000) :], "<i2").astype(np.float64)
        assert np.abs(played).max() > 1000, "the speaker played silence"
        assert abs(dominant_frequency(played, 48000) - 440) <= 10
        output.stop()
        assert not output.playing

        with pytest.raises(rtckit.NotReadableError):
            await rtckit.mediaDevices.getUserMedia(audio={"deviceId": "alsa:rtckit_broken"})
        with pytest.raises(rtckit.NotReadableError):
            rtckit.AudioOutput(remote, "alsa:rtckit_broken")
        with pytest.raises(rtckit.OverconstrainedError, match="deviceId"):
            await rtckit.mediaDevices.getUserMedia(audio={"deviceId": {"exact": "alsa:nothing"}})
        with pytest.raises(rtckit.OverconstrainedError):
            rtckit.AudioOutput(remote, "alsa:nothing")
        with pytest.raises(TypeError):
            rtckit.AudioOutput("not a track")  # type: ignore[arg-type]
        microphone.stop()
        with pytest.raises(rtckit.InvalidStateError):
            rtckit.AudioOutput(microphone, "alsa:rtckit_speaker")
        await a.close()
        await b.close()

    run(main())
