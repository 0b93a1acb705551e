"""aiortc.contrib.signaling on rtckit: the same command-line flags, signaling classes and wire
format (one JSON object a line: {"type": "offer"/"answer", "sdp"}, {"type": "candidate",
"candidate", "id": sdpMid, "label": sdpMLineIndex}, {"type": "bye"}), so an rtckit
program and an aiortc program signal each other."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from abc import ABC, abstractmethod
from typing import Callable, Optional, Union

from ..exceptions import RTCSyntaxError
from ..ice_candidate import RTCIceCandidate, candidate_from_sdp, candidate_to_sdp
from ..session_description import RTCSessionDescription

logger = logging.getLogger(__name__)

__all__ = [
    "BYE",
    "BaseSignaling",
    "CopyAndPasteSignaling",
    "SignalingBye",
    "TcpSocketSignaling",
    "UnixSocketSignaling",
    "add_signaling_arguments",
    "create_signaling",
    "object_from_string",
    "object_to_string",
]


class SignalingBye:
    pass


BYE = SignalingBye()

_SignalingObject = Union[RTCSessionDescription, RTCIceCandidate, SignalingBye]
_ClientConnected = Callable[[asyncio.StreamReader, asyncio.StreamWriter], None]


def object_from_string(message_str: str) -> _SignalingObject:
    """The description, candidate or BYE a signaling message carries. RTCSyntaxError for a
    message of another type (aiortc fails an assertion there)."""
    message = json.loads(message_str)
    if message["type"] in ["answer", "offer"]:
        return RTCSessionDescription(**message)
    elif message["type"] == "candidate" and message["candidate"]:
        candidate = candidate_from_sdp(message["candidate"].split(":", 1)[1])
        candidate.sdpMid = message["id"]
        candidate.sdpMLineIndex = message["label"]
        return candidate
    elif message["type"] == "bye":
        return BYE
    raise RTCSyntaxError(f"not a signaling message: {message_str!r}")


def object_to_string(obj: _SignalingObject) -> str:
    """The signaling message for a description, a candidate or BYE."""
    message: dict[str, Union[int, str, None]]
    if isinstance(obj, RTCSessionDescription):
        message = {"sdp": obj.sdp, "type": obj.type}
    elif isinstance(obj, RTCIceCandidate):
        message = {
            "candidate": "candidate:" + candidate_to_sdp(obj),
            "id": obj.sdpMid,
            "label": obj.sdpMLineIndex,
            "type": "candidate",
        }
    elif obj is BYE:
        message = {"type": "bye"}
    else:
        raise TypeError(f"object_to_string takes an RTCSessionDescription, an RTCIceCandidate or BYE, not {obj!r}")
    return json.dumps(message, sort_keys=True)


class BaseSignaling(ABC):
    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def send(self, descr: _SignalingObject) -> None: ...

    @abstractmethod
    async def receive(self) -> Optional[_SignalingObject]: ...


class CopyAndPasteSignaling(BaseSignaling):
    """Messages printed to stdout and read from stdin, for a person to carry across."""

    def __init__(self) -> None:
        self._read_pipe = sys.stdin
        self._read_transport: Optional[asyncio.ReadTransport] = None
        self._reader: Optional[asyncio.StreamReader] = None
        self._write_pipe = sys.stdout

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        reader = self._reader = asyncio.StreamReader()
        self._read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), self._read_pipe
        )

    async def close(self) -> None:
        if self._reader is not None:
            await self.send(BYE)
            if self._read_transport is not None:
                self._read_transport.close()
            self._reader = None

    async def receive(self) -> Optional[_SignalingObject]:
        assert self._reader is not None, "connect() first"
        print("-- Please enter a message from remote party --")
        data = await self._reader.readline()
        print()
        return object_from_string(data.decode(self._read_pipe.encoding))

    async def send(self, descr: _SignalingObject) -> None:
        print("-- Please send this message to the remote party --")
        self._write_pipe.write(object_to_string(descr) + "\n")
        self._write_pipe.flush()
        print()


class _StreamSignaling(BaseSignaling):
    """One newline-terminated message a line over a stream: the first to send listens, the
    first to receive connects (as aiortc's socket signalings do)."""

    def __init__(self) -> None:
        self._server: Optional[asyncio.AbstractServer] = None
        self._reader: Optional[asyncio.StreamReader] = None
        self._writer: Optional[asyncio.StreamWriter] = None

    async def connect(self) -> None:
        pass

    async def _listen(self, client_connected: _ClientConnected) -> asyncio.AbstractServer:
        raise NotImplementedError

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        raise NotImplementedError

    async def _connect(self, server: bool) -> None:
        if self._writer is not None:
            return

        if server:
            connected = asyncio.Event()

            def client_connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                self._reader = reader
                self._writer = writer
                connected.set()

            self._server = await self._listen(client_connected)
            await connected.wait()
        else:
            self._reader, self._writer = await self._open()

    async def close(self) -> None:
        if self._writer is not None:
            await self.send(BYE)
            self._writer.close()
            self._reader = None
            self._writer = None
        if self._server is not None:
            self._server.close()
            self._server = None

    async def receive(self) -> Optional[_SignalingObject]:
        await self._connect(False)
        assert self._reader is not None
        try:
            data = await self._reader.readuntil()
        except asyncio.IncompleteReadError:
            return None
        return object_from_string(data.decode("utf8"))

    async def send(self, descr: _SignalingObject) -> None:
        await self._connect(True)
        assert self._writer is not None
        data = object_to_string(descr).encode("utf8")
        self._writer.write(data + b"\n")


class TcpSocketSignaling(_StreamSignaling):
    def __init__(self, host: str, port: Union[int, str]) -> None:
        super().__init__()
        self._host = host
        self._port = port

    async def _listen(self, client_connected: _ClientConnected) -> asyncio.AbstractServer:
        return await asyncio.start_server(client_connected, host=self._host, port=self._port)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(host=self._host, port=self._port)


class UnixSocketSignaling(_StreamSignaling):
    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    async def _listen(self, client_connected: _ClientConnected) -> asyncio.AbstractServer:
        return await asyncio.start_unix_server(client_connected, path=self._path)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_unix_connection(self._path)

    async def close(self) -> None:
        listened = self._server is not None
        await super().close()
        # Python 3.13 removes a closed server's socket file; earlier versions leave it.
        if listened and sys.version_info < (3, 13):
            os.unlink(self._path)


def add_signaling_arguments(parser: argparse.ArgumentParser) -> None:
    """
    Add signaling method arguments to an argparse.ArgumentParser.
    """
    parser.add_argument(
        "--signaling",
        "-s",
        choices=["copy-and-paste", "tcp-socket", "unix-socket"],
    )
    parser.add_argument("--signaling-host", default="127.0.0.1", help="Signaling host (tcp-socket only)")
    parser.add_argument("--signaling-port", default=1234, help="Signaling port (tcp-socket only)")
    parser.add_argument(
        "--signaling-path",
        default="aiortc.socket",
        help="Signaling socket path (unix-socket only)",
    )


def create_signaling(args: argparse.Namespace) -> BaseSignaling:
    """
    Create a signaling method based on command-line arguments.
    """
    if args.signaling == "tcp-socket":
        return TcpSocketSignaling(args.signaling_host, args.signaling_port)
    elif args.signaling == "unix-socket":
        return UnixSocketSignaling(args.signaling_path)
    else:
        return CopyAndPasteSignaling()
