"""RTCDataChannel: message integrity and order, channel options, flow control, close."""

import asyncio
import hashlib
import random

import rtckit
from conftest import LOOPBACK, TIMEOUT, connect, exchange, next_event, open_pair, run, wait_until


def test_text_and_binary_from_empty_to_max_size_echo_intact_in_order():
    async def main():
        a, b, ch, remote = await open_pair()
        remote.on("message", remote.send)  # echo
        maximum = ch.maxMessageSize
        assert maximum == remote.maxMessageSize == 262144
        rng = random.Random(7)
        sizes = [0, 1, 2, 100, 1200, 16384, 65535, 65536, 100000, maximum - 1, maximum]
        messages = []
        for size in sizes:
            messages.append(rng.randbytes(size))
            messages.append("".join(rng.choice("aé€𝄞z") for _ in range(size // 4)))
        received = await exchange(ch, ch, messages)  # sent by ch, echoed back to ch
        assert len(received) == len(messages)
        for sent, back in zip(messages, received):
            assert type(back) is type(sent)
            assert back == sent
        await a.close()
        await b.close()

    run(main())


def test_channels_opened_by_either_side():
    async def main():
        a, b, ch, remote = await open_pair()
        opened_on_a = next_event(a, "datachannel")
        from_b = b.createDataChannel("from-b", protocol="chat-v1")
        await wait_until(lambda: from_b.readyState == "open", what="from-b open")
        on_a = await asyncio.wait_for(opened_on_a, TIMEOUT)
        assert (on_a.label, on_a.protocol, on_a.ordered) == ("from-b", "chat-v1", True)
        assert on_a.id == from_b.id and on_a.id != ch.id
        assert await exchange(from_b, on_a, ["b to a", b"\x01"]) == ["b to a", b"\x01"]
        assert await exchange(on_a, from_b, ["a to b"]) == ["a to b"]
        await a.close()
        await b.close()

    run(main())


def test_unordered_partial_reliability_options_reach_the_remote():
    async def main():
        a, b, ch, remote = await open_pair(ordered=False, maxRetransmits=0)
        assert (ch.ordered, ch.maxRetransmits, ch.maxPacketLifeTime) == (False, 0, None)
        # webrtc-rs 0.21 drops the DCEP reliability parameter of remote channels, so only
        # `ordered` is checked on the remote end.
        assert remote.ordered is False
        messages = [f"u{i}" for i in range(200)]
        got = await exchange(ch, remote, messages)
        assert sorted(got) == sorted(messages)  # loopback loses nothing; order is not promised
        lifetime = a.createDataChannel("lifetime", ordered=False, maxPacketLifeTime=500)
        await wait_until(lambda: lifetime.readyState == "open")
        assert lifetime.maxPacketLifeTime == 500 and lifetime.maxRetransmits is None
        await a.close()
        await b.close()

    run(main())


def test_negotiated_channels_with_fixed_ids():
    async def main():
        a, b, ch, remote = await open_pair()
        announced = []
        a.on("datachannel", announced.append)
        b.on("datachannel", announced.append)
        left = a.createDataChannel("neg", negotiated=True, id=42)
        right = b.createDataChannel("neg", negotiated=True, id=42)
        assert left.id == right.id == 42 and left.negotiated
        await wait_until(lambda: left.readyState == "open" and right.readyState == "open")
        assert await exchange(left, right, ["over 42", b"bin"]) == ["over 42", b"bin"]
        assert await exchange(right, left, ["back"]) == ["back"]
        assert announced == []  # negotiated channels are not announced
        await a.close()
        await b.close()

    run(main())


def test_bufferedamountlow_drives_a_64_mib_transfer_checked_byte_for_byte():
    async def main():
        a, b, ch, remote = await open_pair()
        total, chunk = 64 * 1024 * 1024, 16 * 1024
        payload = random.Random(1).randbytes(total)
        received = bytearray()
        done = asyncio.get_running_loop().create_future()

        def on_message(m):
            received.extend(m)
            if len(received) >= total and not done.done():
                done.set_result(None)

        remote.on("message", on_message)
        ch.bufferedAmountLowThreshold = 1024 * 1024
        assert ch.bufferedAmountLowThreshold == 1024 * 1024
        low = asyncio.Event()
        ch.on("bufferedamountlow", low.set)
        lows = 0
        offset = 0
        while offset < total:
            if ch.bufferedAmount > 4 * 1024 * 1024:
                low.clear()
                await asyncio.wait_for(low.wait(), TIMEOUT)
                lows += 1
                continue
            ch.send(payload[offset:offset + chunk])
            offset += chunk
        await asyncio.wait_for(done, 60)
        assert lows > 0
        assert len(received) == total
        assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()
        await wait_until(lambda: ch.bufferedAmount == 0, what="bufferedAmount back to 0")
        await a.close()
        await b.close()

    run(main(), timeout=120)


def test_channel_close_from_either_side_reaches_the_other():
    async def main():
        a, b, ch, remote = await open_pair()
        second = a.createDataChannel("second")
        remote_second = await asyncio.wait_for(next_event(b, "datachannel"), TIMEOUT)
        await wait_until(lambda: second.readyState == "open")
        # Closed by the side that opened it.
        closed_remote = next_event(remote, "close")
        closed_local = next_event(ch, "close")
        ch.close()
        assert ch.readyState in ("closing", "closed")
        await asyncio.wait_for(closed_remote, TIMEOUT)
        await asyncio.wait_for(closed_local, TIMEOUT)
        assert remote.readyState == ch.readyState == "closed"
        # Closed by the side that received it.
        closed_second = next_event(second, "close")
        remote_second.close()
        await asyncio.wait_for(closed_second, TIMEOUT)
        assert second.readyState == "closed"
        # The connection itself is unaffected.
        third = b.createDataChannel("third")
        got_third = await asyncio.wait_for(next_event(a, "datachannel"), TIMEOUT)
        await wait_until(lambda: third.readyState == "open")
        assert await exchange(third, got_third, ["alive"]) == ["alive"]
        await a.close()
        await b.close()

    run(main())


def test_connection_close_reaches_the_other_side():
    async def main():
        for closer_is_offerer in (True, False):
            a, b, ch, remote = await open_pair()
            closer, other = (a, b) if closer_is_offerer else (b, a)
            other_channel = remote if closer_is_offerer else ch
            closer_channel = ch if closer_is_offerer else remote
            channel_closed = next_event(other_channel, "close")
            local_closed = next_event(closer_channel, "close")
            await closer.close()
            assert closer.connectionState == "closed" and closer_channel.readyState == "closed"
            await asyncio.wait_for(local_closed, TIMEOUT)
            await asyncio.wait_for(channel_closed, TIMEOUT)
            assert other_channel.readyState == "closed"
            # ICE consent stops: the other side leaves "connected" (W3C: disconnected, then failed).
            await wait_until(lambda: other.connectionState != "connected", timeout=15, what="other side leaving connected")
            assert other.connectionState in ("disconnected", "failed", "closed")
            await other.close()

    run(main(), timeout=90)


def test_the_other_sides_channel_fires_open_right_after_datachannel():
    """W3C "announce the data channel as open" (and aiortc): open follows datachannel, every
    time, before any message."""

    async def main():
        for _ in range(10):
            a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
            order: list = []
            opened = asyncio.get_running_loop().create_future()

            @b.on("datachannel")
            def on_datachannel(channel):
                order.append(("datachannel", channel.readyState))
                channel.on("open", lambda: (order.append("open"), opened.done() or opened.set_result(None)))
                channel.on("message", lambda m: order.append("message"))

            channel = a.createDataChannel("x")
            channel.on("open", lambda: channel.send("first"))
            await connect(a, b)
            await asyncio.wait_for(opened, 10)
            assert order[:2] == [("datachannel", "open"), "open"], order
            await a.close()
            await b.close()

    run(main())
