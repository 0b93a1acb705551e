"""An impaired link on 127.0.0.1: a UDP relay that drops, delays, reorders and duplicates.

`tc netem` would do this in a network namespace, but the kernels these tests run on (this
machine's and CI's) ship without sch_netem ("Specified qdisc kind is unknown"), so the link
is made in user space, the same for every peer and language. Run as a process:

    python3 tests/impaired_link.py --loss 0.05 --delay-ms 50 --reorder 0.1 --duplicate 0.02

It prints "ports A B" once listening: port A stands for peer A (peer B sends to it), port B
for peer B. Rewrite the port of A's host candidate to A and of B's to B in the descriptions
you hand over (no trickle). Whatever arrives at one port leaves from the other towards the
address last seen there, so both peers see each other at the relay's ports and every packet
crosses the impairment. On SIGTERM or stdin's end it prints "stats {json}" and exits.

`--drop-handshake 2 --drop-count 2` drops the first two datagrams carrying a DTLS ServerHello
(handshake type 2): a flight lost for certain, and its first retransmission too, which the
DTLS server must send again although the client repeats its own flight meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import socket
import sys
from typing import Optional

CANDIDATE = re.compile(r"(a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 )(\d+)( typ host)", re.I)


def rewrite_candidates(sdp: str, port: int) -> str:
    """The description with its 127.0.0.1 host candidates' port set to the relay's `port`."""
    return CANDIDATE.sub(lambda m: f"{m.group(1)}{port}{m.group(3)}", sdp)


def is_dtls_handshake(data: bytes, message_type: int) -> bool:
    """Whether the datagram's first record is a DTLS handshake message of this type (in
    plaintext: epoch 0). Record header: type, version (2), epoch (2), sequence (6), length (2)."""
    return len(data) > 13 and data[0] == 22 and data[3:5] == b"\0\0" and data[13] == message_type


class Side(asyncio.DatagramProtocol):
    def __init__(self, link: "Link", name: str):
        self.link, self.name = link, name
        self.transport: Optional[asyncio.DatagramTransport] = None
        self.peer: Optional[tuple] = None  # the address last seen sending here

    def connection_made(self, transport):  # type: ignore[override]
        self.transport = transport
        # A burst (SCTP sends cwnd at once) must not overflow the socket while this Python
        # loop catches up: those drops would be losses no flag asked for. Root may force a
        # buffer past net.core.rmem_max; otherwise take what the kernel allows.
        sock = transport.get_extra_info("socket")
        for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
            try:
                if option is not None:
                    sock.setsockopt(socket.SOL_SOCKET, option, 8 << 20)
                    break
            except OSError:
                continue

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.peer = addr
        self.link.forward(data, self.link.other(self))


class Link:
    def __init__(
        self,
        loss: float,
        delay_ms: float,
        reorder: float,
        duplicate: float,
        seed: int,
        drop_handshake: int = -1,
        drop_count: int = 1,
    ):
        self.loss, self.delay, self.reorder, self.duplicate = loss, delay_ms / 1000, reorder, duplicate
        self.drop_handshake, self.drops_left = drop_handshake, drop_count
        self.random = random.Random(seed)
        self.sides: list[Side] = []
        self.stats = {"packets": 0, "dropped": 0, "duplicated": 0, "reordered": 0, "no_peer_yet": 0}
        self.stats["handshakes_dropped"] = 0

    def other(self, side: Side) -> Side:
        return self.sides[1] if side is self.sides[0] else self.sides[0]

    def forward(self, data: bytes, out: Side) -> None:
        """`data` arrived at the other side; it leaves from `out` towards out's peer."""
        self.stats["packets"] += 1
        if out.peer is None:
            self.stats["no_peer_yet"] += 1  # ICE retransmits its checks
            return
        if self.drops_left > 0 and is_dtls_handshake(data, self.drop_handshake):
            self.drops_left -= 1
            self.stats["handshakes_dropped"] += 1
            return
        if self.random.random() < self.loss:
            self.stats["dropped"] += 1
            return
        copies = 1
        if self.random.random() < self.duplicate:
            copies = 2
            self.stats["duplicated"] += 1
        delay = self.delay
        if self.random.random() < self.reorder:
            delay += 0.010  # held back 10 ms: the packets behind it overtake it
            self.stats["reordered"] += 1
        loop = asyncio.get_running_loop()
        for _ in range(copies):
            if delay > 0:
                loop.call_later(delay, self.send, out, data)
            else:
                self.send(out, data)

    @staticmethod
    def send(out: Side, data: bytes) -> None:
        if out.transport is not None and out.peer is not None:
            out.transport.sendto(data, out.peer)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loss", type=float, default=0.0, help="share of packets dropped, each way")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="one-way delay")
    parser.add_argument("--reorder", type=float, default=0.0, help="share of packets held back 10 ms")
    parser.add_argument("--duplicate", type=float, default=0.0, help="share of packets sent twice")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drop-handshake", type=int, default=-1, help="drop DTLS handshakes of this type")
    parser.add_argument("--drop-count", type=int, default=1, help="how many of them to drop")
    args = parser.parse_args()
    link = Link(args.loss, args.delay_ms, args.reorder, args.duplicate, args.seed, args.drop_handshake, args.drop_count)
    loop = asyncio.get_running_loop()
    for name in ("a", "b"):
        _, side = await loop.create_datagram_endpoint(lambda n=name: Side(link, n), local_addr=("127.0.0.1", 0))
        link.sides.append(side)
    ports = [s.transport.get_extra_info("sockname")[1] for s in link.sides]  # type: ignore[union-attr]
    print(f"ports {ports[0]} {ports[1]}", flush=True)
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.buffer.read1(4096) or done.set())  # type: ignore[attr-defined]
    await done.wait()
    print(f"stats {json.dumps(link.stats)}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
