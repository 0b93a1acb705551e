"""An rtckit peer behind a small HTTP signaling endpoint: POST /offer {type, sdp} -> answer.

It decodes the audio and video the other side sends (reading the fake camera's frame
numbers back from the pixels), answers each data-channel message with a reply, and answers
"bye" once it has seen the media. It exits after one session (or keeps serving with
--forever). Non-trickle: the answer carries every candidate.
"""

import argparse
import asyncio
import sys

import rtckit
from web_signaling import answer_after_gathering, serve


def log(*args):
    print("[python]", *args, file=sys.stderr, flush=True)


async def watch(track: rtckit.MediaStreamTrack, seen: asyncio.Event) -> None:
    """Decodes a second of what `track` brings and says what it was."""
    try:
        if track.kind == "video":
            numbers = []
            while len(numbers) < 30:
                frame = await track.recv()
                numbers.append(rtckit.read_frame_number(frame))
            log(f"video: 30 frames of {frame.width}x{frame.height} decoded, camera frames {numbers[0]}..{numbers[-1]}")
        else:
            seconds = 0.0
            while seconds < 1.0:
                frame = await track.recv()
                seconds += frame.samples / frame.sample_rate
            log(f"audio: {seconds:.1f} s decoded at {frame.sample_rate} Hz, {frame.channels} channel(s)")
    except rtckit.MediaStreamError:
        log(f"{track.kind} track ended early")
    seen.set()


async def answer(offer: dict, done: asyncio.Event) -> dict:
    pc = rtckit.RTCPeerConnection({"bindAddresses": ["127.0.0.1"]})
    media: list[asyncio.Event] = []
    # The track event comes with a track's first packet: know how many to wait for.
    expected = sum(offer["sdp"].count(f"\nm={kind}") for kind in ("audio", "video"))

    async def media_seen() -> None:
        while len(media) < expected:
            await asyncio.sleep(0.01)
        await asyncio.gather(*(seen.wait() for seen in media))

    @pc.on("track")
    def on_track(track):
        log(f"receiving {track.kind} from the other side")
        media.append(asyncio.Event())
        asyncio.ensure_future(watch(track, media[-1]))

    @pc.on("connectionstatechange")
    def on_state():
        log("connection", pc.connectionState)

    @pc.on("datachannel")
    def on_datachannel(channel):
        log(f"channel {channel.label!r} opened by the other side")

        @channel.on("message")
        async def on_message(message):
            log("got", repr(message))
            if message == "bye":
                # Say bye once the media that arrived has been seen (20 s at most).
                await asyncio.wait_for(media_seen(), 20)
                channel.send("bye")
                return
            channel.send(f"python heard {message!r}" if isinstance(message, str) else message[::-1])

        @channel.on("close")
        def on_close():
            log("channel closed")
            asyncio.ensure_future(pc.close()).add_done_callback(lambda _: done.set())

    await pc.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
    return await answer_after_gathering(pc)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--forever", action="store_true")
    args = parser.parse_args()
    done = asyncio.Event()
    server = await serve(lambda offer: answer(offer, done), args.port)
    log(f"signaling on http://127.0.0.1:{args.port}/offer")
    print("ready", flush=True)
    async with server:
        if args.forever:
            await server.serve_forever()
        else:
            await asyncio.wait_for(done.wait(), 60)
    log("done")


if __name__ == "__main__":
    asyncio.run(main())
