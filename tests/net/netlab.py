"""A test network of the test's own, in Linux network namespaces (issue 15).

    wan     10.99.0.1/24 on a bridge, with coturn (STUN and TURN) listening there
    nat-a   router: 10.99.0.11 on the wan, 192.168.1.1 to home-a, masquerading
    home-a  192.168.1.2, its default route through nat-a
    nat-b   router: 10.99.0.12 on the wan, 192.168.2.1 to home-b, masquerading
    home-b  192.168.2.2, its default route through nat-b

The homes cannot reach each other's private addresses: a peer in one meets a peer in the
other through its NAT's public address (a server-reflexive candidate) or through the relay.
A "cone" NAT keeps a home's source port for every destination (endpoint-independent mapping,
so hole punching works); a "symmetric" one picks a random port per destination (nft's
`masquerade random`), which only a relay gets through.

Nothing leaves the machine: the namespaces have no link to the host's own network.

As a module, `Lab` is a context manager; as a command, for the Node tests:
    python3 netlab.py up [--nat cone|symmetric] [--user U --password P]   prints the lab as JSON
    python3 netlab.py down ID                                             removes it
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

WAN = "10.99.0.1"
TURN_PORT = 3478
TURNS_PORT = 5349
REALM = "rtckit.test"
# Per-namespace files `ip netns exec` mounts over /etc (resolv.conf).
NETNS_ETC = "/etc/netns"


def missing_tools() -> list[str]:
    """What this lab needs and the machine lacks (Debian package names)."""
    need = {"ip": "iproute2", "nft": "nftables", "turnserver": "coturn", "openssl": "openssl"}
    return [pkg for tool, pkg in need.items() if shutil.which(tool) is None]


def can_make_namespaces() -> bool:
    return os.geteuid() == 0 and not missing_tools()


def sh(*args: str, ns: str | None = None) -> None:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")


def add_namespace(full: str, made: list[str]) -> str:
    """A new namespace with loopback up, added to `made` (what `remove_namespaces` removes)."""
    sh("ip", "netns", "add", full)
    made.append(full)
    sh("ip", "link", "set", "lo", "up", ns=full)
    # Name lookups stay in the lab: `ip netns exec` puts this file over /etc/resolv.conf,
    # and its server is the wan address, where no DNS server listens (refused at once).
    os.makedirs(os.path.join(NETNS_ETC, full), exist_ok=True)
    with open(os.path.join(NETNS_ETC, full, "resolv.conf"), "w") as f:
        f.write(f"nameserver {WAN}\noptions timeout:1 attempts:1\n")
    return full


def remove_namespaces(made: list[str]) -> None:
    for ns in reversed(made):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(os.path.join(NETNS_ETC, ns), ignore_errors=True)
    made.clear()


def read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def kill_group(pid: int | None) -> None:
    """Kills a server started with `start_new_session` (`ip netns exec` and what it ran)."""
    if pid is not None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_server(args: list[str], ns: str, listen: str, what: str, log: str, seconds: float = 15) -> int:
    """Starts a server (its own process group) and returns its pid once `ss` in `ns` shows it
    listening: `listen` is ss's filter, as "-uln src 10.99.0.1:3478"."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    flags, address = listen.split(" ", 1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {read_text(log)[-2000:]}")
        out = subprocess.run(["ip", "netns", "exec", ns, "ss", flags, address], capture_output=True, text=True).stdout
        if address.split()[-1] in out:
            return proc.pid
        time.sleep(0.05)
    kill_group(proc.pid)
    raise RuntimeError(f"{what} did not listen on {address} in {seconds:.0f} s: {read_text(log)[-2000:]}")


class Lab:
    """Namespaces, links, NAT rules and a coturn, all removed by `down()`."""

    def __init__(self, nat: str = "cone", user: str = "rtckit", password: str = "secret") -> None:
        if nat not in ("cone", "symmetric"):
            raise ValueError(f"nat must be cone or symmetric, not {nat!r}")
        self.nat = nat
        self.user, self.password = user, password
        # Short and unique: a namespace name per lab, so runs side by side never meet.
        self.id = f"rk{os.getpid() % 100000}{int(time.monotonic() * 1000) % 100000}"
        self.namespaces: list[str] = []
        self.turn_pid: int | None = None
        self.log = os.path.join(tempfile.gettempdir(), f"{self.id}-turnserver.log")
        self.cert = os.path.join(tempfile.gettempdir(), f"{self.id}-turn-cert.pem")
        self.key = os.path.join(tempfile.gettempdir(), f"{self.id}-turn-key.pem")
        self.ca = os.path.join(tempfile.gettempdir(), f"{self.id}-turn-ca.pem")

    def ns(self, name: str) -> str:
        return f"{self.id}-{name}"

    def up(self) -> "Lab":
        try:
            self._build()
            self._start_turn()
        except BaseException:
            self.down()
            raise
        return self

    def _add_ns(self, name: str) -> str:
        return add_namespace(self.ns(name), self.namespaces)

    def _build(self) -> None:
        wan = self._add_ns("wan")
        sh("ip", "link", "add", "br0", "type", "bridge", ns=wan)
        sh("ip", "addr", "add", f"{WAN}/24", "dev", "br0", ns=wan)
        sh("ip", "link", "set", "br0", "up", ns=wan)
        # The internet beyond: a default route into a link that leads nowhere (a veth whose
        # other end drops all), where packets for addresses nobody here has (a home's private
        # address, say) vanish as they would out there. Without it the kernel refuses them at
        # once (ENETUNREACH), which no real server sees, and coturn takes that error for a
        # broken relay. No ARP on it, so nothing waits for a neighbour that will never answer.
        sh("ip", "link", "add", "sink0", "type", "veth", "peer", "name", "sink1", ns=wan)
        sh("ip", "link", "set", "sink0", "arp", "off", "up", ns=wan)
        sh("ip", "link", "set", "sink1", "up", ns=wan)
        sh("ip", "route", "add", "default", "dev", "sink0", ns=wan)
        for i, side in enumerate(("a", "b"), start=1):
            nat, home = self._add_ns(f"nat-{side}"), self._add_ns(f"home-{side}")
            sh("ip", "link", "add", "wan0", "type", "veth", "peer", "name", f"p{side}", "netns", wan, ns=nat)
            sh("ip", "link", "set", f"p{side}", "master", "br0", "up", ns=wan)
            sh("ip", "addr", "add", f"10.99.0.{10 + i}/24", "dev", "wan0", ns=nat)
            sh("ip", "link", "set", "wan0", "up", ns=nat)
            sh("ip", "route", "add", "default", "via", WAN, ns=nat)
            sh("ip", "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", home, ns=nat)
            sh("ip", "addr", "add", f"192.168.{i}.1/24", "dev", "lan0", ns=nat)
            sh("ip", "link", "set", "lan0", "up", ns=nat)
            sh("ip", "addr", "add", f"192.168.{i}.2/24", "dev", "eth0", ns=home)
            sh("ip", "link", "set", "eth0", "up", ns=home)
            sh("ip", "route", "add", "default", "via", f"192.168.{i}.1", ns=home)
            sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", ns=nat)
            masquerade = "masquerade random" if self.nat == "symmetric" else "masquerade"
            # Unsolicited packets from the wan are dropped, as a home router's firewall does.
            # It matters: an unsolicited packet that the router accepted for itself would
            # leave a conntrack entry on the port the NAT is about to map a home's socket to,
            # and Linux would then map that socket to another port (a clash), which no real
            # cone NAT does.
            rules = (
                "table ip nat {\n"
                "  chain post { type nat hook postrouting priority 100; "
                f'oifname "wan0" {masquerade}; }}\n'
                "}\n"
                "table ip filter {\n"
                '  chain input { type filter hook input priority 0; iifname "wan0" ct state new drop; }\n'
                "}\n"
            )
            subprocess.run(["ip", "netns", "exec", nat, "nft", "-f", "-"], input=rules, text=True, check=True)

    def _make_certificate(self) -> None:
        """A CA of the lab's own, which the peers are told to trust (SSL_CERT_FILE), and the
        server's certificate for the wan address, signed by it."""
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ca_key, csr = self.ca.replace(".pem", ".key"), self.cert.replace(".pem", ".csr")
        for args in (
            ["req", "-x509", *ec, "-keyout", ca_key, "-out", self.ca, "-days", "1", "-subj", "/CN=rtckit lab CA"],
            ["req", *ec, "-keyout", self.key, "-out", csr, "-subj", f"/CN={WAN}", "-addext", f"subjectAltName=IP:{WAN}"],
            ["x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "1",
             "-copy_extensions", "copyall", "-out", self.cert],
        ):  # fmt: skip
            subprocess.run(["openssl", *args], check=True, capture_output=True)
        for path in (ca_key, csr, self.ca.replace(".pem", ".srl")):
            if os.path.exists(path):
                os.unlink(path)

    def _start_turn(self) -> None:
        self._make_certificate()
        args = [
            "ip", "netns", "exec", self.ns("wan"), "turnserver", "-n",
            "--listening-ip", WAN, "--listening-port", str(TURN_PORT), "--relay-ip", WAN,
            "--min-port", "49152", "--max-port", "49999",
            "--realm", REALM, "--lt-cred-mech", "--user", f"{self.user}:{self.password}",
            "--fingerprint", "--no-dtls", "--no-cli", "--no-rfc5780",
            # TURN over TCP on the same port, over TLS on its own, with the lab's certificate.
            "--tls-listening-port", str(TURNS_PORT), "--cert", self.cert, "--pkey", self.key,
            "--log-file", self.log, "--simple-log", os.environ.get("NETLAB_TURN_VERBOSITY", "--verbose"),
            "--pidfile", os.path.join(tempfile.gettempdir(), f"{self.id}-turnserver.pid"),
        ]  # fmt: skip
        # Ready when it listens on the wan.
        self.turn_pid = start_server(args, self.ns("wan"), f"-uln src {WAN}:{TURN_PORT}", "turnserver", self.log, 10)

    def turn_log(self) -> str:
        return read_text(self.log)

    def down(self) -> None:
        kill_group(self.turn_pid)
        self.turn_pid = None
        remove_namespaces(self.namespaces)
        pidfile = os.path.join(tempfile.gettempdir(), f"{self.id}-turnserver.pid")
        for path in (self.cert, self.key, self.ca, self.log, pidfile):
            if os.path.exists(path):
                os.unlink(path)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "nat": self.nat,
            "namespaces": {name: self.ns(name) for name in ("wan", "nat-a", "home-a", "nat-b", "home-b")},
            "turn": {
                "host": WAN, "port": TURN_PORT, "tlsPort": TURNS_PORT, "ca": self.ca, "cert": self.cert,
                "user": self.user, "password": self.password, "pid": self.turn_pid,
            },
            "turnLog": self.log,
        }

    def __enter__(self) -> "Lab":
        return self.up()

    def __exit__(self, *exc: Any) -> None:
        self.down()


class Lan:
    """Two hosts on one link, as a browser and a robot on a home LAN (mDNS candidates):

        browser  10.78.0.1/24, multicast on the link (its default route is the link)
        host     10.78.0.2/24, multicast too unless `multicast=False`: then the link's own
                 subnet is its only route, and no multicast group can be joined

    Removed by `down()`, or by `down_by_id` from another process."""

    BROWSER, HOST = "10.78.0.1", "10.78.0.2"

    def __init__(self, multicast: bool = True) -> None:
        self.multicast = multicast
        self.id = f"rl{os.getpid() % 100000}{int(time.monotonic() * 1000) % 100000}"
        self.namespaces: list[str] = []

    def ns(self, name: str) -> str:
        return f"{self.id}-{name}"

    def up(self) -> "Lan":
        try:
            browser, host = (add_namespace(self.ns(name), self.namespaces) for name in ("browser", "host"))
            sh("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", host, ns=browser)
            for ns, address in ((browser, self.BROWSER), (host, self.HOST)):
                sh("ip", "addr", "add", f"{address}/24", "dev", "eth0", ns=ns)
                sh("ip", "link", "set", "eth0", "up", ns=ns)
            # Chromium gathers nothing without a default route; a route is what multicast needs.
            sh("ip", "route", "add", "default", "dev", "eth0", ns=browser)
            if self.multicast:
                sh("ip", "route", "add", "default", "dev", "eth0", ns=host)
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        remove_namespaces(self.namespaces)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "multicast": self.multicast,
            "namespaces": {name: self.ns(name) for name in ("browser", "host")},
            "addresses": {"browser": self.BROWSER, "host": self.HOST},
        }

    def __enter__(self) -> "Lan":
        return self.up()

    def __exit__(self, *exc: Any) -> None:
        self.down()


class Sfu:
    """Janus (Debian's janus: its VideoRoom plugin and HTTP API only) in a namespace of its
    own, and the clients' namespace on the same link, as a server and its users:

        sfu      10.97.0.1/24, Janus's HTTP API on port 8088 and its media on 20000-20999
        clients  10.97.0.2/24

    Janus never offers a loopback candidate, so its clients cannot share its namespace's lo.
    The room (1234) takes 16 publishers, VP8 or H.264 and Opus, with no bitrate cap."""

    SERVER, CLIENTS = "10.97.0.1", "10.97.0.2"
    HTTP_PORT = 8088
    ROOM = 1234

    def __init__(self) -> None:
        self.id = f"rs{os.getpid() % 100000}{int(time.monotonic() * 1000) % 100000}"
        self.namespaces: list[str] = []
        self.dir = os.path.join(tempfile.gettempdir(), f"{self.id}-janus")
        self.janus_pid: int | None = None

    @staticmethod
    def missing() -> list[str]:
        return missing_tools() + ([] if shutil.which("janus") else ["janus"])

    def ns(self, name: str) -> str:
        return f"{self.id}-{name}"

    @property
    def url(self) -> str:
        return f"http://{self.SERVER}:{self.HTTP_PORT}/janus"

    def up(self) -> "Sfu":
        try:
            sfu, clients = (add_namespace(self.ns(name), self.namespaces) for name in ("sfu", "clients"))
            sh("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", clients, ns=sfu)
            for ns, address in ((sfu, self.SERVER), (clients, self.CLIENTS)):
                sh("ip", "addr", "add", f"{address}/24", "dev", "eth0", ns=ns)
                sh("ip", "link", "set", "eth0", "up", ns=ns)
            self._start_janus()
        except BaseException:
            self.down()
            raise
        return self

    def _write_config(self) -> str:
        """Only the two modules it needs, linked into folders of this lab's own."""
        janus_lib = subprocess.run(["dpkg", "-L", "janus"], capture_output=True, text=True).stdout
        videoroom = next(line for line in janus_lib.splitlines() if line.endswith("/plugins/libjanus_videoroom.so"))
        modules = os.path.dirname(os.path.dirname(videoroom))
        conf = os.path.join(self.dir, "conf")
        for folder in ("conf", "plugins", "transports", "empty"):
            os.makedirs(os.path.join(self.dir, folder), exist_ok=True)
        os.symlink(videoroom, os.path.join(self.dir, "plugins", "libjanus_videoroom.so"))
        os.symlink(os.path.join(modules, "transports", "libjanus_http.so"), os.path.join(self.dir, "transports", "libjanus_http.so"))
        files = {
            "janus.jcfg": f"""general: {{
    configs_folder = "{conf}"
    plugins_folder = "{self.dir}/plugins"
    transports_folder = "{self.dir}/transports"
    events_folder = "{self.dir}/empty"
    loggers_folder = "{self.dir}/empty"
    interface = "{self.SERVER}"
    debug_level = 4
    session_timeout = 60
}}
media: {{
    rtp_port_range = "20000-20999"
}}
nat: {{
    ice_enforce_list = "{self.SERVER}"
}}
""",
            "janus.transport.http.jcfg": f"""general: {{
    json = "plain"
    base_path = "/janus"
    http = true
    port = {self.HTTP_PORT}
    ip = "{self.SERVER}"
    https = false
}}
admin: {{
    admin_http = false
}}
""",
            "janus.plugin.videoroom.jcfg": f"""general: {{
}}
room-{self.ROOM}: {{
    description = "rtckit test room"
    publishers = 16
    bitrate = 0
    fir_freq = 10
    audiocodec = "opus"
    videocodec = "vp8,h264"
}}
""",
        }
        for name, text in files.items():
            with open(os.path.join(conf, name), "w") as f:
                f.write(text)
        return conf

    def _start_janus(self) -> None:
        conf = self._write_config()
        args = ["ip", "netns", "exec", self.ns("sfu"), "janus", "-F", conf, "--disable-colors", "--log-file", self.log, "--disable-stdout"]
        listen = f"-tln src {self.SERVER}:{self.HTTP_PORT}"
        self.janus_pid = start_server(args, self.ns("sfu"), listen, "janus", self.log)

    @property
    def log(self) -> str:
        return os.path.join(self.dir, "janus.log")

    def janus_log(self) -> str:
        return read_text(self.log)

    def down(self) -> None:
        kill_group(self.janus_pid)
        self.janus_pid = None
        remove_namespaces(self.namespaces)
        shutil.rmtree(self.dir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "namespaces": {name: self.ns(name) for name in ("sfu", "clients")},
            "janus": {"url": self.url, "room": self.ROOM, "log": self.log, "pid": self.janus_pid},
        }

    def __enter__(self) -> "Sfu":
        return self.up()

    def __exit__(self, *exc: Any) -> None:
        self.down()


def down_by_id(lab_id: str) -> None:
    """Removes a lab that `up` made in another process (the Node tests)."""
    pidfile = os.path.join(tempfile.gettempdir(), f"{lab_id}-turnserver.pid")
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(f"{lab_id}-"):
            # coturn first: it runs in the wan namespace, found by its namespace's pids.
            pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    for line in out.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(f"{lab_id}-"):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            shutil.rmtree(os.path.join(NETNS_ETC, name), ignore_errors=True)
    tmp = tempfile.gettempdir()
    shutil.rmtree(os.path.join(tempfile.gettempdir(), f"{lab_id}-janus"), ignore_errors=True)
    made = [f"{lab_id}-turn-{k}.pem" for k in ("cert", "key", "ca")] + [f"{lab_id}-turnserver.log"]
    for path in (pidfile, *(os.path.join(tmp, name) for name in made)):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up")
    up.add_argument("--nat", default="cone", choices=["cone", "symmetric"])
    up.add_argument("--user", default="rtckit")
    up.add_argument("--password", default="secret")
    lan = sub.add_parser("lan-up")
    lan.add_argument("--no-multicast", action="store_true")
    sub.add_parser("sfu-up")
    down = sub.add_parser("down")
    down.add_argument("id")
    args = parser.parse_args()
    if args.command == "up":
        lab = Lab(args.nat, args.user, args.password).up()
        json.dump(lab.describe(), sys.stdout)
        sys.stdout.write("\n")
    elif args.command == "lan-up":
        json.dump(Lan(multicast=not args.no_multicast).up().describe(), sys.stdout)
        sys.stdout.write("\n")
    elif args.command == "sfu-up":
        json.dump(Sfu().up().describe(), sys.stdout)
        sys.stdout.write("\n")
    else:
        down_by_id(args.id)


if __name__ == "__main__":
    main()
