"""aiortc's own examples, from the sdist of the installed aiortc, run on rtckit with only
their import lines rewritten (``from aiortc... import`` -> ``from rtckit... import``).

- datachannel-cli: an offer and an answer process over tcp-socket signaling ping and pong.
- datachannel-filexfer: a generated file crosses the data channel byte for byte.
- videostream-cli: video from the flag track or a .y4m file is recorded by the other side.
- datachannel-vpn: two tap devices bridged by the data channel; a UDP datagram crosses it
  from a network namespace of the test's own to another.
- server and webcam: headless Chromium (chromium_page.mjs) opens the example's page.

Every process runs with RTCKIT_BIND_ADDRESSES=127.0.0.1 (the examples build
RTCPeerConnection() with no configuration) and is killed at the end. The signaling of the
two-process examples passes through a relay of the test's, which logs every message.
An example that needs what rtckit does not have yet is marked xfail (not strict) with the
reason.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import importlib
import tarfile
from pathlib import Path
from typing import Any, Optional, Union

import pytest

import aiortc  # noqa: F401  (the examples run against it: installed by scripts/setup.sh)

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
TIMEOUT = 30  # seconds for any one wait
TRACEBACK = "Traceback (most recent call last)"

# Why examples fail today: each is rtckit work in progress elsewhere.
H264_FROM_FILE = (
    "with --video-codec video/H264 Chromium receives the packets of the file's frames but "
    "decodes none (framesDecoded 0); rtckit-to-rtckit the same answer decodes, and Chromium "
    "decodes rtckit's H.264 camera (chromium_video.test.mjs): not found yet"
)


# -- the examples ------------------------------------------------------------------------

IMPORT_FROM = re.compile(r"^(\s*)from aiortc((?:\.\w+)*) import", re.M)
IMPORT = re.compile(r"^(\s*)import aiortc\s*$", re.M)
ANY_AIORTC_IMPORT = re.compile(r"^\s*(from|import)\s+aiortc\b", re.M)
OFFLINE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ConnectTimeout",
    "ProxyError",
    "Max retries exceeded",
)


def rewrite_imports(source: str) -> str:
    """The source with its aiortc imports made rtckit's, nothing else changed."""
    source = IMPORT_FROM.sub(lambda m: f"{m[1]}from rtckit{m[2]} import", source)
    source = IMPORT.sub(lambda m: f"{m[1]}import rtckit as aiortc", source)
    left = ANY_AIORTC_IMPORT.search(source)
    if left:
        raise AssertionError(f"an aiortc import this harness cannot rewrite: {left.group(0)!r}")
    return source


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    """The examples of the installed aiortc's sdist, imports rewritten."""
    version = importlib.metadata.version("aiortc")
    where = tmp_path_factory.mktemp("aiortc-sdist")
    got = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         "--timeout", "20", "--retries", "1", f"aiortc=={version}", "-d", str(where)],
        capture_output=True, text=True, timeout=300,
    )
    if got.returncode != 0:
        output = got.stdout + got.stderr
        if any(sign in output for sign in OFFLINE):
            pytest.skip(f"offline: cannot download aiortc {version}'s sdist")
        raise AssertionError(f"pip download aiortc=={version} failed:\n{output}")
    (sdist,) = where.glob("aiortc-*.tar.gz")
    prefix = f"aiortc-{version}/examples/"
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(prefix) and (m.isfile() or m.isdir())]
        if hasattr(tarfile, "data_filter"):
            archive.extractall(where, members=members, filter="data")
        else:
            archive.extractall(where, members=members)
    root = where / prefix
    for path in root.rglob("*.py"):
        original = path.read_text()
        rewritten = rewrite_imports(original)
        changed = [(a, b) for a, b in zip(original.splitlines(), rewritten.splitlines()) if a != b]
        assert all(b.lstrip().startswith(("from rtckit", "import rtckit")) for _, b in changed), changed
        path.write_text(rewritten)
    return root


def test_only_import_lines_are_rewritten():
    source = "import asyncio\nfrom aiortc import (\n    RTCPeerConnection,\n)\nfrom aiortc.contrib.media import MediaRelay\nimport aiortc\nx = 'from aiortc import y'\n"
    assert rewrite_imports(source) == (
        "import asyncio\nfrom rtckit import (\n    RTCPeerConnection,\n)\n"
        "from rtckit.contrib.media import MediaRelay\nimport rtckit as aiortc\nx = 'from aiortc import y'\n"
    )
    with pytest.raises(AssertionError, match="cannot rewrite"):
        rewrite_imports("import aiortc.sdp\n")


# -- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """The example processes of one test: output to log files, every one killed at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.relay: Optional["SignalingRelay"] = None

    async def start(self, name: str, argv: list[str], cwd: Path, netns: Optional[str] = None) -> None:
        env = dict(os.environ, RTCKIT_BIND_ADDRESSES="127.0.0.1", PYTHONUNBUFFERED="1")
        prefix = ["ip", "netns", "exec", netns] if netns else []
        with open(self.logs / f"{name}.log", "wb") as log:
            self.procs[name] = await asyncio.create_subprocess_exec(
                *prefix, sys.executable, *argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def check(self) -> None:
        """Fails at once (not at a timeout) when an example printed a traceback, or when
        neither description carried a candidate (the peers cannot connect)."""
        for name in self.procs:
            if TRACEBACK in self.output(name):
                raise AssertionError(f"{name} failed:\n{self.output(name)}")
        if self.relay is not None and len(self.relay.descriptions_without_candidates()) == 2:
            raise AssertionError("neither description had a candidate")

    async def wait_output(self, name: str, text: str, count: int = 1, timeout: float = TIMEOUT) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.output(name).count(text) < count:
            self.check()
            if self.procs[name].returncode is not None:
                raise AssertionError(f"{name} exited ({self.procs[name].returncode}) before printing {text!r}:\n{self.output(name)}")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{name} did not print {text!r} {count} times in {timeout} s:\n{self.output(name)}")
            await asyncio.sleep(0.1)

    async def exit_code(self, name: str, timeout: float = TIMEOUT, check: bool = False) -> int:
        """Waits for `name` to exit; with `check`, fails early as check() does."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.procs[name].returncode is None:
            if check:
                self.check()
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{name} did not exit in {timeout} s:\n{self.output(name)}")
            try:
                await asyncio.wait_for(self.procs[name].wait(), 0.2)
            except asyncio.TimeoutError:
                pass
        return self.procs[name].returncode

    def interrupt(self, name: str) -> None:
        """Ctrl-C, as a person stops an example."""
        if self.procs[name].returncode is None:
            self.procs[name].send_signal(signal.SIGINT)

    async def kill_all(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                await proc.wait()


Address = Union[int, str]  # a TCP port on 127.0.0.1, or a unix socket path


class SignalingRelay:
    """Sits between the two processes of an example: listens where the answering one
    connects, connects to where the offering one listens (retrying until it does: a refused
    connection never reaches its one-peer server), and relays and logs every message."""

    def __init__(self, listen: Address, upstream: Address) -> None:
        self.listen, self.upstream = listen, upstream
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.server: Optional[asyncio.AbstractServer] = None
        self.tasks: list[asyncio.Task] = []

    async def __aenter__(self) -> "SignalingRelay":
        if isinstance(self.listen, int):
            self.server = await asyncio.start_server(self._client, "127.0.0.1", self.listen)
        else:
            self.server = await asyncio.start_unix_server(self._client, self.listen)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for task in self.tasks:
            task.cancel()
        if self.server is not None:
            self.server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while True:
            try:
                if isinstance(self.upstream, int):
                    up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
                else:
                    up_reader, up_writer = await asyncio.open_unix_connection(self.upstream)
                break
            except (ConnectionRefusedError, FileNotFoundError):
                if asyncio.get_running_loop().time() > deadline:
                    writer.close()
                    return
                await asyncio.sleep(0.05)
        self.tasks.append(asyncio.ensure_future(self._pump(up_reader, writer, "offerer")))
        self.tasks.append(asyncio.ensure_future(self._pump(reader, up_writer, "answerer")))

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sender: str) -> None:
        while True:
            line = await reader.readline()
            if not line:
                writer.close()
                return
            try:
                self.messages.append((sender, json.loads(line)))
            except ValueError:
                self.messages.append((sender, {"type": "not JSON", "line": line.decode(errors="replace")}))
            writer.write(line)
            await writer.drain()

    def descriptions_without_candidates(self) -> list[str]:
        return [
            f"{sender}'s {m['type']}"
            for sender, m in self.messages
            if m.get("type") in ("offer", "answer") and "a=candidate:" not in m.get("sdp", "")
        ]


def run(coro: Any, relay_of: Optional[list] = None) -> Any:
    """Runs a test body, bounded; rtckit's setLocalDescription returns with every candidate,
    as aiortc's does, so a description without candidates is a failure too."""
    result = asyncio.run(asyncio.wait_for(coro, 120))
    missing = relay_of[0].descriptions_without_candidates() if relay_of else []
    assert not missing, f"descriptions sent without candidates: {missing}"
    return result


def signaling_args(address: Address) -> list[str]:
    if isinstance(address, int):
        return ["--signaling", "tcp-socket", "--signaling-port", str(address)]
    return ["--signaling", "unix-socket", "--signaling-path", address]


# -- data channels ---------------------------------------------------------------------------


def test_datachannel_cli_pings_and_pongs(examples, tmp_path):
    directory = examples / "datachannel-cli"
    offer_port, answer_port = free_port(), free_port()
    relays: list = []

    async def main():
        procs = Processes(tmp_path)
        try:
            async with SignalingRelay(answer_port, offer_port) as relay:
                relays.append(relay)
                procs.relay = relay
                await procs.start("offer", ["cli.py", "offer", *signaling_args(offer_port)], directory)
                await procs.start("answer", ["cli.py", "answer", *signaling_args(answer_port)], directory)
                # It pings once a second; two round trips show the channel works both ways.
                await procs.wait_output("offer", "channel(chat) < pong", count=2)
                await procs.wait_output("answer", "channel(chat) < ping", count=2)
                assert " RTT " in procs.output("offer")
                procs.interrupt("offer")  # it closes and says BYE; the answerer exits
                assert await procs.exit_code("offer") == 0, procs.output("offer")
                assert await procs.exit_code("answer") == 0, procs.output("answer")
                assert "Exiting" in procs.output("answer")
                assert [m["type"] for _, m in relay.messages] == ["offer", "answer", "bye"]
        finally:
            await procs.kill_all()

    run(main(), relays)


def test_datachannel_filexfer_sends_a_file_intact(examples, tmp_path):
    directory = examples / "datachannel-filexfer"
    sent, received = tmp_path / "sent.bin", tmp_path / "received.bin"
    sent.write_bytes(os.urandom(512 * 1024 + 123))  # 32 full chunks and a short one
    offer_port, answer_port = free_port(), free_port()
    relays: list = []

    async def main():
        procs = Processes(tmp_path)
        try:
            async with SignalingRelay(answer_port, offer_port) as relay:
                relays.append(relay)
                procs.relay = relay
                await procs.start("send", ["filexfer.py", "send", str(sent), *signaling_args(offer_port)], directory)
                await procs.start("receive", ["filexfer.py", "receive", str(received), *signaling_args(answer_port)], directory)
                # The receiver says BYE after the empty end message; both then exit.
                assert await procs.exit_code("receive", check=True) == 0, procs.output("receive")
                assert await procs.exit_code("send") == 0, procs.output("send")
        finally:
            await procs.kill_all()
        assert f"received {sent.stat().st_size} bytes" in procs.output("receive")

    run(main(), relays)
    assert received.read_bytes() == sent.read_bytes()


# -- video -----------------------------------------------------------------------------------


def write_y4m(path: Path, width: int, height: int, count: int) -> None:
    """A test clip: a white bar moving over a gray ramp, one brightness a frame."""
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n" % (width, height))
        chroma = bytes([128]) * (width * height // 2)
        for i in range(count):
            row = bytearray([(40 + i) % 200] * width)
            bar = (i * 2) % (width - 10)
            row[bar : bar + 10] = b"\xff" * 10
            f.write(b"FRAME\n" + bytes(row) * height + chroma)


def read_y4m(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, luma planes) of a .y4m file."""
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    fields = {f[:1]: f[1:] for f in header.split()[1:]}
    width, height = int(fields[b"W"]), int(fields[b"H"])
    size = width * height * 3 // 2
    frames = []
    while rest.startswith(b"FRAME"):
        start = rest.index(b"\n") + 1
        if len(rest) < start + size:
            break
        frames.append(rest[start : start + width * height])
        rest = rest[start + size :]
    return width, height, frames


def y4m_frames(path: Path) -> int:
    return path.read_bytes().count(b"FRAME") if path.exists() else 0


@pytest.mark.parametrize(
    "source",
    [
        "flag",
        "file",
    ],
)
def test_videostream_cli_records_the_other_side_s_video(examples, tmp_path, source):
    """The offerer sends its flag track (or plays a .y4m file); the answerer records what
    arrives to a .y4m file."""
    if source == "flag":
        importlib.import_module("cv2")  # the flag track draws with OpenCV
    directory = examples / "videostream-cli"
    recording = tmp_path / "received.y4m"
    play: list[str] = []
    size = (640, 480)
    if source == "file":
        clip = tmp_path / "clip.y4m"
        size = (160, 120)
        write_y4m(clip, *size, 150)
        play = ["--play-from", str(clip)]
    offer_port, answer_port = free_port(), free_port()
    relays: list = []

    async def main():
        procs = Processes(tmp_path)
        try:
            async with SignalingRelay(answer_port, offer_port) as relay:
                relays.append(relay)
                procs.relay = relay
                await procs.start("offer", ["cli.py", "offer", *play, *signaling_args(offer_port)], directory)
                await procs.start(
                    "answer", ["cli.py", "answer", *play, "--record-to", str(recording), *signaling_args(answer_port)], directory
                )
                await procs.wait_output("answer", "Receiving video")
                deadline = asyncio.get_running_loop().time() + TIMEOUT
                while y4m_frames(recording) < 30:
                    procs.check()
                    assert asyncio.get_running_loop().time() < deadline, (
                        f"{y4m_frames(recording)} frames recorded in {TIMEOUT} s:\n"
                        f"answer:\n{procs.output('answer')}\noffer:\n{procs.output('offer')}"
                    )
                    await asyncio.sleep(0.1)
                procs.interrupt("offer")  # BYE: the answerer stops its recorder and exits
                assert await procs.exit_code("answer") == 0, procs.output("answer")
                await procs.exit_code("offer")
        finally:
            await procs.kill_all()

    run(main(), relays)
    width, height, frames = read_y4m(recording)
    assert (width, height) == size and len(frames) >= 30
    assert len(set(frames)) > 1  # the picture moves


# -- datachannel-vpn -----------------------------------------------------------------------


def netns_usable() -> Optional[str]:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "needs root on Linux (tap devices, network namespaces)"
    if not os.path.exists("/dev/net/tun"):
        return "needs /dev/net/tun"
    if shutil.which("ip") is None:
        return "needs ip (iproute2)"
    return None


def ip(*args: str) -> str:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, f"ip {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.mark.skipif(netns_usable() is not None, reason=str(netns_usable()))
def test_datachannel_vpn_bridges_two_network_namespaces(examples, tmp_path):
    """Both processes run in a network namespace of this test's own (A, loopback only).
    Once their tap devices are up, the answerer's moves to a second namespace (B); a UDP
    datagram from B to A's tap address can only cross through the example's data channel."""
    directory = examples / "datachannel-vpn"
    ns_a, ns_b = f"rtckit-vpn-a-{os.getpid()}", f"rtckit-vpn-b-{os.getpid()}"
    offer_sock, answer_sock = str(tmp_path / "offer.sock"), str(tmp_path / "answer.sock")
    address_a, address_b = "10.213.0.1", "10.213.0.2"  # only inside those namespaces
    echo = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(20)\n"
        "s.bind((sys.argv[1], 5005)); data, peer = s.recvfrom(100); s.sendto(b'echo ' + data, peer)\n"
    )
    ask = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)\n"
        "for i in range(15):\n"
        "    s.sendto(b'hello', (sys.argv[1], 5005))\n"
        "    try:\n"
        "        print(s.recvfrom(100)[0].decode()); break\n"
        "    except socket.timeout:\n"
        "        pass\n"
    )
    relays: list = []

    async def tap_up(procs: Processes, ns: str, name: str) -> None:
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while True:
            shown = subprocess.run(["ip", "-n", ns, "-o", "link", "show", "dev", name], capture_output=True, text=True)
            if shown.returncode == 0 and re.search(r"[<,]UP[,>]", shown.stdout):
                return
            procs.check()
            assert asyncio.get_running_loop().time() < deadline, f"tap {name} never came up"
            await asyncio.sleep(0.1)

    async def main():
        procs = Processes(tmp_path)
        try:
            async with SignalingRelay(answer_sock, offer_sock) as relay:
                relays.append(relay)
                procs.relay = relay
                await procs.start("offer", ["vpn.py", "offer", *signaling_args(offer_sock)], directory, netns=ns_a)
                await procs.start("answer", ["vpn.py", "answer", *signaling_args(answer_sock)], directory, netns=ns_a)
                await tap_up(procs, ns_a, "revpn-offer")
                await tap_up(procs, ns_a, "revpn-answer")
                ip("-n", ns_a, "link", "set", "revpn-answer", "netns", ns_b)
                ip("-n", ns_b, "link", "set", "revpn-answer", "up")
                ip("-n", ns_b, "addr", "add", f"{address_b}/24", "dev", "revpn-answer")
                ip("-n", ns_a, "addr", "add", f"{address_a}/24", "dev", "revpn-offer")
                await procs.start("echo", ["-c", echo, address_a], tmp_path, netns=ns_a)
                await procs.start("ask", ["-c", ask, address_a], tmp_path, netns=ns_b)
                assert await procs.exit_code("ask", check=True) == 0, procs.output("ask")
                assert procs.output("ask").strip() == "echo hello", procs.output("ask") + procs.output("echo")
                # Home again, so the example's own close() finds its device.
                ip("-n", ns_b, "link", "set", "revpn-answer", "netns", ns_a)
                procs.interrupt("offer")
                assert await procs.exit_code("offer") == 0, procs.output("offer")
                assert await procs.exit_code("answer") == 0, procs.output("answer")
                assert "Exiting" in procs.output("answer")
        finally:
            await procs.kill_all()

    ip("netns", "add", ns_a)
    try:
        ip("netns", "add", ns_b)
        for ns in (ns_a, ns_b):
            ip("-n", ns, "link", "set", "lo", "up")
            # No IPv6 on the taps: its unasked-for packets (router solicitations...) would
            # reach the answerer's tap while it moves (down), and its write fail with EIO.
            for conf in ("all", "default"):
                ip("netns", "exec", ns, "sh", "-c", f"echo 1 > /proc/sys/net/ipv6/conf/{conf}/disable_ipv6")
        run(main(), relays)
    finally:
        for ns in (ns_a, ns_b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)


# -- server and webcam, with Chromium ----------------------------------------------------------


def chromium_usable() -> Optional[str]:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} does not exist (never downloaded)"
    if NODE is None:
        return "node is not on PATH"
    found = subprocess.run(
        [NODE, "-e", "require.resolve('playwright-core')"], cwd=HERE, capture_output=True, timeout=30
    )
    if found.returncode != 0:
        return "playwright-core is not installed (npm install)"
    return None


needs_chromium = pytest.mark.skipif(chromium_usable() is not None, reason=str(chromium_usable()))

STATS = """(async () => {
    const out = {video: null, audio: null};
    if (!window.pc) return out;
    const report = await pc.getStats();
    report.forEach((s) => {
        if (s.type === 'inbound-rtp') out[s.kind] = {packets: s.packetsReceived, framesDecoded: s.framesDecoded,
            width: s.frameWidth, samples: s.totalSamplesReceived, codec: (report.get(s.codecId) || {}).mimeType};
    });
    return out;
})()"""

REPORT = f"""{{
    stats: await {STATS},
    connection: window.pc ? pc.connectionState : null,
    videoWidth: document.getElementById('video').videoWidth,
    videoShown: !!document.getElementById('video').srcObject,
    audioShown: !!document.getElementById('audio').srcObject,
    channel: (document.getElementById('data-channel') || {{}}).textContent || '',
}}"""


async def serve_and_browse(procs: Processes, script: Path, args: list[str], setup: str, until: str) -> dict:
    """Starts an aiohttp example on 127.0.0.1 and lets Chromium use its page."""
    port = free_port()
    await procs.start("server", [script.name, "--host", "127.0.0.1", "--port", str(port), *args], script.parent)
    await procs.wait_output("server", f"Running on http://127.0.0.1:{port}")
    spec = {"url": f"http://127.0.0.1:{port}/", "setup": setup, "until": until, "report": REPORT, "timeoutMs": 20000}
    browser = await asyncio.create_subprocess_exec(
        NODE, str(HERE / "chromium_page.mjs"), json.dumps(spec), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    browsing = asyncio.ensure_future(browser.communicate())
    try:
        deadline = asyncio.get_running_loop().time() + 90
        while not browsing.done():
            procs.check()  # the example failed: no need to wait for the page
            assert asyncio.get_running_loop().time() < deadline, "chromium_page.mjs did not finish in 90 s"
            await asyncio.wait([browsing], timeout=0.2)
        out, err = browsing.result()
    finally:
        if browser.returncode is None:
            browser.kill()
            await browser.wait()
    assert browser.returncode == 0, err.decode()
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["server"] = procs.output("server")
    procs.interrupt("server")  # aiohttp closes its connections on Ctrl-C (on_shutdown)
    await procs.exit_code("server")
    return result


def needs_modules(*names: str) -> None:
    """The example imports these: scripts/setup.sh installs them, so one missing fails."""
    for name in names:
        importlib.import_module(name)


@needs_chromium
def test_server_data_channel_with_chromium(examples, tmp_path):
    """server: Chromium's data channel pings, the example pongs (no media)."""
    needs_modules("aiohttp", "cv2")

    async def main():
        procs = Processes(tmp_path)
        try:
            return await serve_and_browse(
                procs,
                examples / "server" / "server.py",
                [],
                "document.getElementById('use-audio').checked = false; start();",
                "(document.getElementById('data-channel').textContent.match(/< pong/g) || []).length >= 2",
            )
        finally:
            await procs.kill_all()

    result = run(main())
    assert result["done"] and not result["dialogs"] and not result["errors"], json.dumps(result, indent=1)
    assert result["report"]["connection"] == "connected"


@needs_chromium
@pytest.mark.parametrize(
    "transform",
    [
        "none",
        "edges",
    ],
)
def test_server_media_with_chromium(examples, tmp_path, transform):
    """server: Chromium sends its fake camera and microphone; the example answers with the
    camera transformed (through a MediaRelay) and its .wav file; data channel too."""
    needs_modules("aiohttp", "cv2")
    setup = (
        "document.getElementById('use-video').checked = true;"
        f"document.getElementById('video-transform').value = '{transform}'; start();"
    )
    until = f"""(async () => {{
        const s = await {STATS};
        return s.video && s.video.framesDecoded > 10 && s.audio && s.audio.packets > 20
            && document.getElementById('video').videoWidth > 0
            && document.getElementById('data-channel').textContent.includes('< pong');
    }})()"""

    async def main():
        procs = Processes(tmp_path)
        try:
            return await serve_and_browse(procs, examples / "server" / "server.py", [], setup, until)
        finally:
            await procs.kill_all()

    result = run(main())
    assert result["done"] and not result["dialogs"] and not result["errors"], json.dumps(result, indent=1)


@needs_chromium
@pytest.mark.parametrize(
    "codec",
    [
        pytest.param(None, id="default codec"),
        pytest.param(
            "video/H264",
            id="--video-codec video/H264",
            marks=pytest.mark.xfail(strict=False, reason=H264_FROM_FILE),
        ),
    ],
)
def test_webcam_plays_a_file_to_chromium(examples, tmp_path, codec):
    """webcam --play-from: Chromium receives the file's video (receive-only transceivers);
    --video-codec makes the example call setCodecPreferences."""
    needs_modules("aiohttp")
    clip = tmp_path / "clip.y4m"
    write_y4m(clip, 320, 240, 300)
    until = f"""(async () => {{
        const s = await {STATS};
        return s.video && s.video.framesDecoded > 10 && document.getElementById('video').videoWidth === 320;
    }})()"""

    async def main():
        procs = Processes(tmp_path)
        try:
            args = ["--play-from", str(clip)] + (["--video-codec", codec] if codec else [])
            return await serve_and_browse(procs, examples / "webcam" / "webcam.py", args, "start();", until)
        finally:
            await procs.kill_all()

    result = run(main())
    assert result["done"] and not result["dialogs"] and not result["errors"], json.dumps(result, indent=1)
    assert result["report"]["stats"]["video"]["codec"] == (codec or "video/VP8"), json.dumps(result, indent=1)
