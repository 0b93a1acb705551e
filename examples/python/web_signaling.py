"""The examples' signaling: a small HTTP server on 127.0.0.1. GET / serves
examples/web/index.html (the browser side); POST /offer takes {type, sdp} and replies with
the answer `answer(offer)` returns. Not part of rtckit: any signaling will do."""

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any, Awaitable, Callable

PAGE = Path(__file__).resolve().parent.parent / "web" / "index.html"


async def serve(answer: Callable[[dict], Awaitable[dict]], port: int) -> asyncio.Server:
    """Starts serving; `port` 0 picks a free one (see server.sockets[0].getsockname())."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, path = head.split(b"\r\n", 1)[0].decode().split()[:2]
            length = next(
                (int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")), 0
            )
            body = await reader.readexactly(length)
            if method == "POST" and path == "/offer":
                status, kind, reply = "200 OK", "application/json", json.dumps(await answer(json.loads(body))).encode()
            elif method == "GET" and path in ("/", "/index.html"):
                status, kind, reply = "200 OK", "text/html; charset=utf-8", PAGE.read_bytes()
            else:
                status, kind, reply = "404 Not Found", "text/plain", b"not found"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(reply)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + reply
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port)


async def answer_after_gathering(pc: Any) -> dict:
    """Answers the offer `pc` has, whole: these examples do not trickle candidates."""
    await pc.setLocalDescription(await pc.createAnswer())
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.005)
    return pc.localDescription.toJSON()


def run(answer: Callable[[dict], Awaitable[dict]], default_port: int = 8080) -> None:
    """Serves the page and answers offers until interrupted (--port picks the port)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args()

    async def main() -> None:
        server = await serve(answer, args.port)
        print(f"open http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
