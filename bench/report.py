"""Prints bench/'s table from the JSON lines of a run (default bench/last-run.jsonl): per row,
the median over the rounds of each implementation's figure, and per language the ratio
rtckit ÷ best peer. `python3 report.py [file]`; the file may be regenerated into a table at
any time."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

# row id, label, unit, which way is better ("low", "high", None: a figure to compare, not a score)
ROWS = [
    ("S1 connect median", "S1 connect, median of 20", "ms", "low"),
    ("S1 connect p90", "S1 connect, p90", "ms", "low"),
    ("S2 1MiB MB/s", "S2 64 MiB, window 1 MiB/256 KiB", "MB/s", "high"),
    ("S2 1MiB CPU", "S2   CPU of the transfer", "s", "low"),
    ("S2 4MiB MB/s", "S2 64 MiB, window 4 MiB/1 MiB", "MB/s", "high"),
    ("S2 4MiB CPU", "S2   CPU of the transfer", "s", "low"),
    ("S3 rtt median", "S3 ping-pong 32 B, median", "us", "low"),
    ("S3 rtt p99", "S3 ping-pong 32 B, p99", "us", "low"),
    ("S4 50 pairs open", "S4 50 pairs, until all open", "ms", "low"),
    ("S4 RSS per pair", "S4 RSS per open pair", "MiB", "low"),
    ("S5 VP8 paced CPU/frame", "S5 VP8 640x480 60fps, CPU/frame", "ms", "low"),
    ("S5 VP8 paced fps", "S5   received fps", "fps", "high"),
    ("S5 VP8 paced kbit/s", "S5   received bitrate", "kbit/s", None),
    ("S5 H.264 paced CPU/frame", "S5 H.264 640x480 60fps, CPU/frame", "ms", "low"),
    ("S5 H.264 paced fps", "S5   received fps", "fps", "high"),
    ("S5 H.264 paced kbit/s", "S5   received bitrate", "kbit/s", None),
    ("S5 VP8 unpaced CPU/frame", "S5 VP8 640x480 unpaced, CPU/frame", "ms", "low"),
    ("S5 VP8 unpaced fps", "S5   received fps", "fps", "high"),
    ("S5 VP8 unpaced kbit/s", "S5   received bitrate", "kbit/s", None),
    ("S7 import", "S7 import / require()", "ms", "low"),
    ("S7 installed", "S7 installed size", "MB", "low"),
]
PEERS = {"python": ["aiortc"], "node": ["wrtc", "node-datachannel", "werift"]}
SHORT = {"node-datachannel": "ndc"}


def load(path: Path):
    values, errors, extras, meta = {}, {}, {}, {}
    for text in path.read_text().splitlines():
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            continue
        if line.get("meta"):
            meta = line
            continue
        key = (line["row"], line["lang"], line["impl"])
        if "value" in line and line["value"] is not None:
            values.setdefault(key, []).append(line["value"])
            extras.setdefault(key, []).append(line)
        elif "error" in line:
            errors.setdefault(key, []).append(line["error"])
    return values, errors, extras, meta


def fmt(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "last-run.jsonl"
    values, errors, extras, meta = load(path)
    rounds = meta.get("rounds", 3)
    present = {(lang, impl) for (_, lang, impl) in list(values) + list(errors)}
    base = {lang: (lang, "rtckit-base") in present for lang in ("python", "node")}

    def cell(row, lang, impl):
        """(text, median or None)"""
        vs = values.get((row, lang, impl))
        if vs:
            m = statistics.median(vs)
            return fmt(m) + ("*" if len(vs) < rounds else ""), m
        if (row, lang, impl) in errors:
            return "n/r", None
        return "-", None

    columns = [("rtckit Py", "python", "rtckit")]
    if base["python"]:
        columns.append(("base Py", "python", "rtckit-base"))
    columns.append(("aiortc", "python", "aiortc"))
    columns.append(("Py ratio", "python", None))
    columns.append(("rtckit Node", "node", "rtckit"))
    if base["node"]:
        columns.append(("base Node", "node", "rtckit-base"))
    columns += [("wrtc", "node", "wrtc"), ("ndc", "node", "node-datachannel"), ("werift", "node", "werift")]
    columns.append(("best Node peer", "node", "best"))
    columns.append(("Node ratio", "node", None))
    if base["python"]:
        columns.append(("Py new/base", "python", "vsbase"))
    if base["node"]:
        columns.append(("Node new/base", "node", "vsbase"))

    table = []
    for row, label, unit, better in ROWS:
        if not any(k[0] == row for k in list(values) + list(errors)):
            continue
        arrow = {"low": " (lower)", "high": " (higher)", None: ""}[better]
        cells = [label, unit + arrow]
        for title, lang, impl in columns:
            if impl is None or impl == "best":
                peers = [(p, cell(row, lang, p)[1]) for p in PEERS[lang]]
                peers = [(p, v) for p, v in peers if v is not None]
                best = None
                if peers:
                    pick = min if better == "low" else max
                    best = pick(peers, key=lambda pv: pv[1]) if better else peers[0]
                if impl == "best":
                    cells.append(f"{SHORT.get(best[0], best[0])} {fmt(best[1])}" if best else "-")
                else:
                    mine = cell(row, lang, "rtckit")[1]
                    cells.append(f"{mine / best[1]:.2f}x" if best and mine is not None and best[1] else "-")
            elif impl == "vsbase":
                mine, old = cell(row, lang, "rtckit")[1], cell(row, lang, "rtckit-base")[1]
                cells.append(f"{mine / old:.2f}x" if mine is not None and old else "-")
            else:
                cells.append(cell(row, lang, impl)[0])
        table.append(cells)

    headers = ["scenario", "unit"] + [c[0] for c in columns]
    widths = [max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(headers)]
    line = lambda cells: " | ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(headers))
    print("-+-".join("-" * w for w in widths))
    for cells in table:
        print(line(cells))

    print()
    print(f"Median of {rounds} interleaved round(s) per cell ({meta.get('started', '?')}); * fewer rounds gave a figure; "
          "n/r no result (below); - not run / not applicable.")
    print("ratio = rtckit's figure / the best peer's in the same language (aiortc for Python; "
          "the best of wrtc, node-datachannel (ndc), werift for Node): below 1 is better for 'lower' rows, above 1 for 'higher' rows.")
    if base["python"] or base["node"]:
        print(f"base = the rtckit build in RTCKIT_BASE_PY={meta.get('base_py')} / RTCKIT_BASE_NODE={meta.get('base_node')}; new/base = rtckit / base.")

    # S5: what rtckit was capped at.
    notes = []
    for row, lang, impl in sorted(extras):
        if row.startswith("S5") and row.endswith("kbit/s") and impl.startswith("rtckit"):
            caps = [(e.get("target_bps"), e.get("cap_bps")) for e in extras[(row, lang, impl)]]
            if any(t for t, _ in caps):
                notes.append(f"  {lang} {impl} {row[3:-7]}: received bitrate matched to the peer's "
                             + ", ".join(f"{t / 1000:.0f}" for t, _ in caps if t)
                             + " kbit/s with maxBitrate " + ", ".join(f"{c / 1000:.0f}" for _, c in caps if c) + " kbit/s")
            else:
                notes.append(f"  {lang} {impl} {row[3:-7]}: uncapped (no peer bitrate to match)")
    if notes:
        print("S5 caps (per round):")
        print("\n".join(notes))

    # S2: where bufferedamountlow found the buffer (how late it came).
    wake = []
    for row, lang, impl in sorted(extras):
        if row.startswith("S2") and row.endswith("MB/s"):
            at = [e.get("buffered_at_wake_median") for e in extras[(row, lang, impl)] if e.get("buffered_at_wake_median") is not None]
            waited = [e.get("wait_ms") for e in extras[(row, lang, impl)] if e.get("wait_ms") is not None]
            if at:
                wake.append(f"  {row[3:8]} {lang:6} {impl:16} bufferedAmount at wake-up {statistics.median(at) / 1024:7.1f} KiB, "
                            f"time waiting for it {statistics.median(waited):6.0f} ms")
    if wake:
        print("S2 back-pressure (median over rounds; threshold 256 KiB / 1 MiB; wrtc polls, it never fires bufferedamountlow):")
        print("\n".join(wake))

    if errors:
        print("No result:")
        seen = set()
        for (row, lang, impl), errs in sorted(errors.items()):
            for err in errs:
                key = (lang, impl, row.split()[0], err)
                if key in seen:
                    continue
                seen.add(key)
                print(f"  {lang} {impl} {row}: {err}")


if __name__ == "__main__":
    main()
