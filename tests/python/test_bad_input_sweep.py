"""The bad-input sweep: each kind of bad input gets its error of the right kind (or is a
documented no-op), none panics or hangs, and a connected pair goes on working after all of
them. Set SWEEP_TABLE=<path> to write the table (kind -> error) as markdown."""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import struct

import numpy as np

import rtckit
from conftest import LOOPBACK, exchange, open_pair, run

E = rtckit  # the error classes: rtckit.InvalidStateError, rtckit.RTCTypeError, ...


def cases(tmp, offer: str, pair: dict) -> list:
    """(area, kind of bad input, call, expected error class or None for a no-op)."""
    a, channel = pair["a"], pair["channel"]

    def fresh() -> rtckit.RTCPeerConnection:
        pc = rtckit.RTCPeerConnection(LOOPBACK)
        pair["fresh"].append(pc)
        return pc

    def remote(sdp: str, kind: str = "offer"):
        return lambda: fresh().setRemoteDescription(rtckit.RTCSessionDescription(sdp=sdp, type=kind))

    def local(sdp: str, kind: str):
        async def go():
            pc = fresh()
            pc.addTransceiver("video")
            await pc.setLocalDescription(rtckit.RTCSessionDescription(sdp=sdp, type=kind))
        return go

    def candidate(line: str, mid="0", index=None):
        async def go():
            pc = fresh()
            await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer, type="offer"))
            c = rtckit.RTCIceCandidate(candidate=line, sdpMid=mid, sdpMLineIndex=index) if line else None
            await pc.addIceCandidate(c)
        return go

    good_candidate = "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"
    sections = offer.split("\r\nm=")
    thousand = sections[0] + "".join(
        "\r\nm=" + re.sub(r"a=mid:\S+", f"a=mid:m{i}", sections[1]) for i in range(1000)
    )

    def after_close(call):
        async def go():
            pc = fresh()
            await pc.close()
            result = call(pc)
            if inspect.isawaitable(result):
                await result
        return go

    def file(name: str, data: bytes):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return lambda: rtckit.MediaPlayer(path).audio or True

    def played(name: str, data: bytes):
        opened = file(name, data)

        async def go():
            opened()
            player = rtckit.MediaPlayer(os.path.join(tmp, name))
            while True:  # frames, if any decode, then the end
                await (player.video or player.audio).recv()
        return go

    wav_4gib = b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 2, 48000, 192000, 4, 16)
    wav_4gib += b"data" + struct.pack("<I", 0xFFFFFFF0) + b"\x00" * 64

    def send(data):
        return lambda: channel.send(data)

    max_size = lambda: channel.maxMessageSize  # noqa: E731

    def other_pc_sender():
        async def go():
            other = fresh()
            sender = other.addTrack(rtckit.VideoStreamTrack())
            fresh().removeTrack(sender)
        return go

    def twice_added():
        pc = fresh()
        track = rtckit.VideoStreamTrack()
        pc.addTrack(track)
        return lambda: pc.addTrack(track)

    def stopped_transceiver(call):
        def go():
            pc = fresh()
            t = pc.addTransceiver("video")
            t.stop()
            return call(t)
        return go

    return [
        # SDP
        ("SDP", "empty description", remote(""), E.OperationError),
        ("SDP", "truncated offer", remote(offer[: len(offer) // 2]), E.OperationError),
        ("SDP", "garbage lines", remote("v=0\r\ngarbage\r\n\x00\x01"), E.OperationError),
        ("SDP", "1000 m-sections", remote(thousand), None),  # accepted, as browsers do
        ("SDP", "duplicate MIDs", remote(re.sub(r"a=mid:\S+", "a=mid:0", offer)), E.OperationError),
        ("SDP", "huge numbers (port, payload type)", remote(re.sub(r"m=video \d+", "m=video 99999999999999", offer)), E.OperationError),
        ("SDP", "no ICE credentials", remote(re.sub(r"a=ice-(ufrag|pwd):\S+\r\n", "", offer)), E.InvalidAccessError),
        ("SDP", "fingerprint of an unknown algorithm", remote(re.sub(r"a=fingerprint:\S+", "a=fingerprint:md7", offer)), E.OperationError),
        ("SDP", "an answer in stable", remote(offer, "answer"), E.InvalidStateError),
        ("SDP", "type that is not a type", lambda: rtckit.RTCSessionDescription(sdp=offer, type="bogus"), TypeError),
        ("SDP", "sdp that is not a string", lambda: fresh().setRemoteDescription(rtckit.RTCSessionDescription(sdp=5, type="offer")), TypeError),
        ("SDP", "setLocalDescription(answer) in stable", local(offer, "answer"), E.InvalidStateError),
        ("SDP", "rollback in stable", local("", "rollback"), E.InvalidStateError),
        ("SDP", "createAnswer in stable", lambda: fresh().createAnswer(), E.InvalidStateError),
        # candidates
        ("candidate", "before a remote description", lambda: fresh().addIceCandidate(rtckit.RTCIceCandidate(candidate=good_candidate, sdpMid="0")), E.InvalidStateError),
        ("candidate", "garbage", candidate("candidate:garbage"), E.OperationError),
        ("candidate", "unknown mid", candidate(good_candidate, mid="nope"), E.OperationError),
        ("candidate", "mline index out of range", candidate(good_candidate, mid=None, index=99), E.OperationError),
        ("candidate", "port out of range", candidate(good_candidate.replace("50000", "70000")), E.OperationError),
        ("candidate", "priority not a number", candidate(good_candidate.replace("2130706431", "high")), E.OperationError),
        ("candidate", "unknown transport", candidate(good_candidate.replace("udp", "sctp")), E.OperationError),
        ("candidate", "address not an address", candidate(good_candidate.replace("127.0.0.1", "999.1.1.1")), E.OperationError),
        ("candidate", "unknown type", candidate(good_candidate.replace("typ host", "typ bogus")), E.OperationError),
        ("candidate", "neither sdpMid nor sdpMLineIndex", candidate(good_candidate, mid=None), TypeError),
        ("candidate", "end of candidates (null)", candidate(""), None),
        # data channels
        ("data channel", "label over 65535 bytes", lambda: a.createDataChannel("x" * 65536), TypeError),
        ("data channel", "protocol over 65535 bytes", lambda: a.createDataChannel("p", protocol="x" * 65536), TypeError),
        ("data channel", "id out of range", lambda: a.createDataChannel("i", negotiated=True, id=65535), TypeError),
        ("data channel", "negotiated without an id", lambda: a.createDataChannel("n", negotiated=True), TypeError),
        ("data channel", "maxRetransmits with maxPacketLifeTime", lambda: a.createDataChannel("m", maxRetransmits=1, maxPacketLifeTime=1), TypeError),
        ("data channel", "a message at the size limit", lambda: channel.send(b"\x00" * max_size()), None),
        ("data channel", "a message over the size limit", lambda: channel.send(b"\x00" * (max_size() + 1)), TypeError),
        ("data channel", "a message of no known type", send(object()), TypeError),
        ("data channel", "send before open", lambda: fresh().createDataChannel("c").send("x"), E.InvalidStateError),
        ("data channel", "send on a closed channel", lambda: (lambda c: (c.close(), c.send("x")))(fresh().createDataChannel("c")), E.InvalidStateError),
        # frames
        ("frame", "data of the wrong size", lambda: rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 4), np.uint8), "rgb24"), TypeError),
        ("frame", "wrong dtype", lambda: rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.float32), "rgb24"), TypeError),
        ("frame", "strided view (every other column)", lambda: rtckit.VideoFrame.from_ndarray(np.zeros((4, 8, 3), np.uint8)[:, ::2], "rgb24"), None),
        ("frame", "odd dimensions", lambda: rtckit.VideoFrame.from_ndarray(np.zeros((3, 5, 3), np.uint8), "rgb24"), None),
        ("frame", "zero size", lambda: rtckit.VideoFrame(0, 4), ValueError),
        ("frame", "huge size", lambda: rtckit.VideoFrame(1 << 20, 1 << 20), ValueError),
        ("frame", "unknown pixel format", lambda: rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.uint8), "yuv444p"), E.NotSupportedError),
        ("frame", "audio layout and shape disagree", lambda: rtckit.AudioFrame.from_ndarray(np.zeros((1, 3), np.int16), layout="stereo"), TypeError),
        # files
        ("file", "truncated IVF", file("t.ivf", b"DKIF\x00\x00\x20\x00VP80"), E.NotReadableError),
        ("file", "corrupt Ogg", file("c.ogg", b"OggS" + b"\xff" * 60), E.NotReadableError),
        ("file", "WAV asking for 4 GiB", file("big.wav", wav_4gib), None),
        ("file", "Y4M with a bad header", file("b.y4m", b"YUV4MPEG2 W0 H-3 F30:1\nFRAME\n"), E.NotReadableError),
        ("file", "H.264 that is noise: its track ends", played("n.h264", b"\x00\x00\x00\x01" + bytes(range(256)) * 4), E.MediaStreamError),
        ("file", "missing file", lambda: rtckit.MediaPlayer(os.path.join(tmp, "missing.ivf")), E.NotFoundError),
        ("file", "unknown container", file("x.xyz", b"hello"), E.NotSupportedError),
        # after close()
        ("after close", "createOffer", after_close(lambda pc: pc.createOffer()), E.InvalidStateError),
        ("after close", "setRemoteDescription", after_close(lambda pc: pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer, type="offer"))), E.InvalidStateError),
        ("after close", "addIceCandidate", after_close(lambda pc: pc.addIceCandidate(rtckit.RTCIceCandidate(candidate=good_candidate, sdpMid="0"))), E.InvalidStateError),
        ("after close", "createDataChannel", after_close(lambda pc: pc.createDataChannel("x")), E.InvalidStateError),
        ("after close", "addTrack", after_close(lambda pc: pc.addTrack(rtckit.VideoStreamTrack())), E.InvalidStateError),
        ("after close", "addTransceiver", after_close(lambda pc: pc.addTransceiver("audio")), E.InvalidStateError),
        ("after close", "getStats (as Firefox; Chrome gives the last stats)", after_close(lambda pc: pc.getStats()), E.InvalidStateError),
        ("after close", "close again", after_close(lambda pc: pc.close()), None),
        # out of order
        ("state", "removeTrack of another connection's sender", other_pc_sender(), E.InvalidAccessError),
        ("state", "addTrack of a track already sent", twice_added(), E.InvalidAccessError),
        ("state", "a direction that is not one", stopped_transceiver(lambda t: setattr(t, "direction", "bogus")), TypeError),
        ("state", "setCodecPreferences with a codec never offered", lambda: fresh().addTransceiver("video").setCodecPreferences([rtckit.RTCRtpCodecCapability(mimeType="video/NOPE", clockRate=90000)]), E.InvalidModificationError),
        ("state", "a direction set on a stopped transceiver", stopped_transceiver(lambda t: setattr(t, "direction", "sendonly")), E.InvalidStateError),
    ]


def test_bad_input_sweep(tmp_path):
    async def main():
        a, b, channel, remote_channel = await open_pair()
        probe = rtckit.RTCPeerConnection(LOOPBACK)
        probe.addTransceiver("video")
        probe.createDataChannel("d")
        await probe.setLocalDescription(await probe.createOffer())
        offer = probe.localDescription.sdp
        await probe.close()
        pair = {"a": a, "channel": channel, "fresh": []}
        rows, wrong = [], []
        for area, what, call, expected in cases(str(tmp_path), offer, pair):
            try:
                result = call()
                if inspect.isawaitable(result):
                    await asyncio.wait_for(result, 20)
                got = None
            except asyncio.TimeoutError:
                got = "hung"
            except Exception as err:  # noqa: BLE001 - the kind is what is checked
                got = err
            name = "no-op" if got is None else got if isinstance(got, str) else type(got).__name__
            rows.append((area, what, name))
            ok = got is None if expected is None else isinstance(got, expected) if not isinstance(got, str) else False
            if not ok:
                wrong.append(f"{area}: {what}: expected {getattr(expected, '__name__', 'no-op')}, got {name}: {got}")
        for pc in pair["fresh"]:
            await pc.close()
        # The connection and its channel still work after all of that.
        assert await exchange(channel, remote_channel, ["still here"]) == ["still here"]
        assert a.connectionState == "connected"
        await a.close()
        await b.close()
        return rows, wrong

    rows, wrong = run(main(), timeout=300)
    if os.environ.get("SWEEP_TABLE"):
        with open(os.environ["SWEEP_TABLE"], "w") as f:
            f.write("| area | bad input | Python |\n|---|---|---|\n")
            f.writelines(f"| {a} | {w} | {n} |\n" for a, w, n in rows)
    assert len(rows) >= 50
    assert not wrong, "\n".join(wrong)
