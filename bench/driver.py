"""Runs bench/'s scenarios interleaved: for each round, for each implementation, each
scenario; every figure is a JSON line appended to bench/last-run.jsonl (report.py makes the
table from it). See README.md.

    python3 driver.py [S1 S2 S3 S4 S5 S7] [python node rtckit rtckit-py aiortc wrtc ...]

Arguments (or BENCH_SCENARIOS / BENCH_IMPLS, comma-separated) pick a subset; BENCH_ROUNDS
(default 3) the rounds. RTCKIT_BASE_PY / RTCKIT_BASE_NODE add a second rtckit build as
rtckit-base-py / rtckit-base-node.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = os.environ.get("PYTHON", sys.executable)
NODE = os.environ.get("NODE", "node")
OUT = Path(os.environ.get("BENCH_OUT", HERE / "last-run.jsonl"))

# (key, language, the implementation's name inside its language's bench); the order is the
# order of a round: each peer before rtckit, whose S5 is capped at the peer's bitrate.
IMPLS = [
    ("aiortc", "python", "aiortc"),
    ("rtckit-py", "python", "rtckit"),
    ("rtckit-base-py", "python", "rtckit-base"),
    ("wrtc", "node", "wrtc"),
    ("rtckit-node", "node", "rtckit"),
    ("rtckit-base-node", "node", "rtckit-base"),
    ("node-datachannel", "node", "node-datachannel"),
    ("werift", "node", "werift"),
]
SCENARIOS = ["S1", "S2", "S3", "S4", "S5", "S7"]
S5_TAGS = {"python": ["VP8 paced", "H.264 paced", "VP8 unpaced"], "node": ["VP8 paced", "H.264 paced"]}
VIDEO_PEER = {"python": "aiortc", "node": "wrtc"}  # whose bitrate rtckit's S5 is capped at
NO_VIDEO = {"node-datachannel", "werift"}
ALIASES = {"ndc": "node-datachannel", "base": "rtckit-base", "rtckit-base": "rtckit-base"}  # no encoder: data-channel peers only


def rows_of(scenario: str, key: str, lang: str) -> list[str]:
    if scenario == "S1":
        return ["S1 connect median", "S1 connect p90"]
    if scenario == "S2":
        return ["S2 1MiB MB/s", "S2 1MiB CPU", "S2 4MiB MB/s", "S2 4MiB CPU"]
    if scenario == "S3":
        return ["S3 rtt median", "S3 rtt p99"]
    if scenario == "S4":
        return ["S4 50 pairs open", "S4 RSS per pair"]
    if scenario == "S5":
        if key in NO_VIDEO:
            return []
        return [f"S5 {tag} {m}" for tag in S5_TAGS[lang] for m in ("CPU/frame", "fps", "kbit/s")]
    if scenario == "S7":
        return ["S7 import", "S7 installed"]
    raise ValueError(scenario)


def selection(argv: list[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    words = [w for a in argv for w in a.split(",") if w]
    words += [w for w in os.environ.get("BENCH_SCENARIOS", "").split(",") if w]
    words += [w for w in os.environ.get("BENCH_IMPLS", "").split(",") if w]
    scenarios = [w.upper() for w in words if re.fullmatch(r"[sS][0-9]", w)]
    names = [ALIASES.get(w, w) for w in words if not re.fullmatch(r"[sS][0-9]", w)]
    for s in scenarios:
        if s not in SCENARIOS:
            sys.exit(f"unknown scenario {s} (there are {', '.join(SCENARIOS)})")
    known = {k for k, _, _ in IMPLS} | {"python", "node", "rtckit", "rtckit-base", "peers"}
    for n in names:
        if n not in known:
            sys.exit(f"unknown implementation {n} (there are {', '.join(sorted(known))})")
    has_base = {"python": bool(os.environ.get("RTCKIT_BASE_PY")), "node": bool(os.environ.get("RTCKIT_BASE_NODE"))}

    def wanted(key: str, lang: str) -> bool:
        if "base" in key and not has_base[lang]:
            return False
        if not names:
            return True
        return any(
            n == key
            or n == lang
            or (n == "rtckit" and key.startswith("rtckit"))
            or (n == "rtckit-base" and key.startswith("rtckit-base"))
            or (n == "peers" and not key.startswith("rtckit"))
            for n in names
        )

    return scenarios or SCENARIOS, [i for i in IMPLS if wanted(i[0], i[1])]


def record(line: dict, out) -> None:
    out.write(json.dumps(line) + "\n")
    out.flush()


def run_bench(cmd: list[str], timeout: float, env=None) -> tuple[list[dict], str]:
    """Runs one bench process in its own process group; its JSON lines, and what went wrong."""
    proc = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        problem = "" if proc.returncode == 0 else f"exit code {proc.returncode}: {stderr.strip()[-300:]}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        problem = f"the process was stopped after {timeout:.0f} s"
    lines = []
    for text in stdout.splitlines():
        if text.startswith("{"):
            try:
                lines.append(json.loads(text))
            except json.JSONDecodeError:
                pass
    return lines, problem


def bench_cmd(lang: str, impl: str, scenarios: list[str], rnd: int, caps: dict) -> list[str]:
    common = ["--impl", impl, "--scenarios", ",".join(scenarios), "--round", str(rnd), "--caps", json.dumps(caps)]
    if lang == "python":
        return [PY, str(HERE / "python_bench.py"), *common]
    return [NODE, str(HERE / "node_bench.mjs"), *common]


# -- S7: import time and installed size --------------------------------------------------------


def node_module(impl: str) -> str:
    """What node_bench.mjs requires for `impl` (node-datachannel: its W3C polyfill)."""
    paths = {
        "rtckit": str(ROOT),
        "wrtc": str(ROOT / "node_modules" / "@roamhq" / "wrtc"),
        "node-datachannel": str(HERE / "node_modules" / "node-datachannel" / "dist" / "cjs" / "polyfill" / "index.cjs"),
        "werift": str(HERE / "node_modules" / "werift"),
    }
    if impl == "rtckit-base":
        base = Path(os.environ["RTCKIT_BASE_NODE"])
        lib = base / "lib" / "index.js"
        return str(lib if lib.exists() else base)
    return paths[impl]


def import_ms(lang: str, impl: str) -> float:
    """`import` (Python) or `require()` (Node) of the implementation, timed inside a fresh
    process (the interpreter's own start is not in it)."""
    if lang == "python":
        module = "aiortc" if impl == "aiortc" else "rtckit"
        pre = f"import sys; sys.path.insert(0, {os.environ.get('RTCKIT_BASE_PY', '')!r}); " if impl == "rtckit-base" else ""
        code = f"{pre}import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
        cmd = [PY, "-c", code]
    else:
        code = f"const t = performance.now(); require({json.dumps(node_module(impl))}); console.log(performance.now() - t); process.exit(0)"
        cmd = [NODE, "-e", code]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=HERE)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-300:])
    return float(out.stdout.strip().splitlines()[-1])


def tree_bytes(path: Path, skip_node_modules: bool = False) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        if skip_node_modules and "node_modules" in dirnames:
            dirnames.remove("node_modules")
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def dist_closure(name: str) -> dict[str, metadata.Distribution]:
    """A distribution and what it requires (not its extras), as installed, by name."""
    seen: dict[str, metadata.Distribution] = {}
    stack = [name]
    while stack:
        n = re.sub(r"[-_.]+", "-", stack.pop()).lower()
        if n in seen:
            continue
        try:
            dist = metadata.distribution(n)
        except metadata.PackageNotFoundError:
            continue
        seen[n] = dist
        for req in dist.requires or []:
            if "extra" in req.partition(";")[2]:
                continue
            m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
            if m:
                stack.append(m.group(1))
    return seen


def dist_bytes(dist: metadata.Distribution) -> int:
    """The files pip installed for it (its RECORD: code, compiled .pyc, shared libraries,
    metadata)."""
    total = 0
    for f in dist.files or []:
        p = Path(dist.locate_file(f))
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total


def node_closure(pkg: Path, roots: list[Path]) -> list[Path]:
    """A package's folder and those of its installed dependencies (optional ones that are
    installed too: the prebuilt binaries), resolved as Node does from its node_modules up."""
    seen: dict[str, Path] = {}
    stack = [pkg]
    while stack:
        d = stack.pop()
        real = os.path.realpath(d)
        if real in seen:
            continue
        seen[real] = d
        manifest = json.loads((d / "package.json").read_text())
        for dep in {**manifest.get("dependencies", {}), **manifest.get("optionalDependencies", {})}:
            for base in [d / "node_modules", *roots]:
                if (base / dep / "package.json").exists():
                    stack.append(base / dep)
                    break
    return list(seen.values())


def installed_size(lang: str, impl: str) -> tuple[int, dict]:
    if lang == "python":
        if impl == "rtckit-base":
            base = Path(os.environ["RTCKIT_BASE_PY"]) / "rtckit"
            return tree_bytes(base), {str(base): tree_bytes(base)}
        name = "aiortc" if impl == "aiortc" else "rtckit"
        shared = set(dist_closure("rtckit" if name == "aiortc" else "aiortc")) if name == "aiortc" else set()
        parts = {n: dist_bytes(d) for n, d in dist_closure(name).items() if n == name or n not in shared}
        return sum(parts.values()), parts
    if impl == "rtckit":
        dirs = [ROOT / "bindings-node" / "lib", ROOT / "bindings-node" / "rtckit.node", ROOT / "package.json"]
        parts = {str(p.relative_to(ROOT)): (tree_bytes(p) if p.is_dir() else p.stat().st_size) for p in dirs}
        return sum(parts.values()), parts
    if impl == "rtckit-base":
        base = Path(os.environ["RTCKIT_BASE_NODE"])
        return tree_bytes(base), {str(base): tree_bytes(base)}
    roots = [ROOT / "node_modules"] if impl == "wrtc" else [HERE / "node_modules"]
    pkg = {"wrtc": ROOT / "node_modules" / "@roamhq" / "wrtc", "node-datachannel": HERE / "node_modules" / "node-datachannel", "werift": HERE / "node_modules" / "werift"}[impl]
    parts = {str(p.relative_to(p.parents[1] if p.parent.name.startswith("@") else p.parent)): tree_bytes(p, skip_node_modules=True) for p in node_closure(pkg, roots)}
    return sum(parts.values()), parts


def s7(lang: str, impl: str, key: str, rnd: int, out) -> None:
    base = {"lang": lang, "impl": impl, "round": rnd}
    try:
        times = [import_ms(lang, impl) for _ in range(5)]
        record({**base, "row": "S7 import", "value": round(statistics.median(times), 1), "runs_ms": [round(t, 1) for t in times]}, out)
    except Exception as err:  # noqa: BLE001
        record({**base, "row": "S7 import", "error": str(err) or type(err).__name__}, out)
    try:
        total, parts = installed_size(lang, impl)
        record({**base, "row": "S7 installed", "value": round(total / 1e6, 2), "parts_bytes": parts}, out)
    except Exception as err:  # noqa: BLE001
        record({**base, "row": "S7 installed", "error": f"{type(err).__name__}: {err}"}, out)


# -- main ------------------------------------------------------------------------------------


def previous_caps() -> dict:
    """The video peers' median received bitrate per S5 row in the previous run's file, for a
    run that benchmarks rtckit without its peer."""
    caps: dict = {}
    if not OUT.exists():
        return caps
    values: dict = {}
    for text in OUT.read_text().splitlines():
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            continue
        if line.get("impl") == VIDEO_PEER.get(line.get("lang")) and line.get("row", "").endswith(" kbit/s") and "value" in line:
            values.setdefault((line["lang"], line["row"]), []).append(line["value"])
    for (lang, row), vs in values.items():
        caps.setdefault(lang, {})[row[len("S5 ") : -len(" kbit/s")]] = statistics.median(vs) * 1000
    return caps


def main() -> None:
    scenarios, impls = selection(sys.argv[1:])
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    fallback_caps = previous_caps()
    started = time.monotonic()
    print(f"bench: {rounds} round(s) of {' '.join(scenarios)} for {', '.join(k for k, _, _ in impls)}", file=sys.stderr)
    with OUT.open("w") as out:
        record({"meta": True, "started": time.strftime("%Y-%m-%d %H:%M:%S"), "rounds": rounds, "scenarios": scenarios, "impls": [k for k, _, _ in impls],
                "base_py": os.environ.get("RTCKIT_BASE_PY"), "base_node": os.environ.get("RTCKIT_BASE_NODE")}, out)
        for rnd in range(1, rounds + 1):
            caps: dict = {}
            for key, lang, impl in impls:
                t0 = time.monotonic()
                in_process = [s for s in scenarios if s in ("S1", "S2", "S3", "S5") and rows_of(s, key, lang)]
                cap = {}
                if impl.startswith("rtckit") and "S5" in in_process:
                    cap = caps.get(lang) or fallback_caps.get(lang, {})
                jobs = []
                if in_process:
                    jobs.append((in_process, 900))
                if "S4" in scenarios:
                    jobs.append((["S4"], 150))  # a fresh process of its own: clean RSS
                for job, timeout in jobs:
                    lines, problem = run_bench(bench_cmd(lang, impl, job, rnd, cap), timeout)
                    got = set()
                    for line in lines:
                        line["lang"], line["impl"] = lang, impl
                        got.add(line["row"])
                        record(line, out)
                        if impl == VIDEO_PEER[lang] and line["row"].endswith(" kbit/s") and "value" in line:
                            caps.setdefault(lang, {})[line["row"][len("S5 ") : -len(" kbit/s")]] = line["value"] * 1000
                    for s in job:
                        for row in rows_of(s, key, lang):
                            if row not in got:
                                record({"lang": lang, "impl": impl, "round": rnd, "row": row, "error": problem or "the process gave no result"}, out)
                if "S7" in scenarios:
                    s7(lang, impl, key, rnd, out)
                print(f"bench: round {rnd}/{rounds} {key}: {time.monotonic() - t0:.0f} s (total {time.monotonic() - started:.0f} s)", file=sys.stderr)
    print(f"bench: done in {time.monotonic() - started:.0f} s; figures in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
