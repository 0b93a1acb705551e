"""Reads benchmark JSON lines and prints a table with each peer's ratio to rtckit."""

import json
import sys

lines = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
rows = [r for r in lines if "video" not in r]
videos = [r for r in lines if "video" in r]
print(f"{'lang':6} {'impl':8} {'connect ms':>11} {'MB/s':>8} {'ping-pong us':>13}   vs rtckit (connect, MB/s, rtt)")
for row in rows:
    base = next(r for r in rows if r["lang"] == row["lang"] and r["impl"] == "rtckit")
    ratios = (
        row["connect_ms"] / base["connect_ms"],
        row["throughput_mb_s"] / base["throughput_mb_s"],
        row["pingpong_us"] / base["pingpong_us"],
    )
    print(
        f"{row['lang']:6} {row['impl']:8} {row['connect_ms']:11.2f} {row['throughput_mb_s']:8.1f} {row['pingpong_us']:13.1f}"
        f"   {ratios[0]:.2f}x, {ratios[1]:.2f}x, {ratios[2]:.2f}x"
    )

if videos:
    print()
    print(f"{'lang':6} {'impl':11} {'video loop':26} {'fps':>6} {'CPU ms/frame':>13}   vs rtckit (CPU)")
    for row in videos:
        base = next(r for r in videos if r["lang"] == row["lang"] and r["impl"] == "rtckit" and r["video"] == row["video"])
        print(
            f"{row['lang']:6} {row['impl']:11} {row['video']:26} {row['fps']:6.1f} {row['cpu_ms_per_frame']:13.2f}"
            f"   {row['cpu_ms_per_frame'] / base['cpu_ms_per_frame']:.2f}x"
        )
