#!/usr/bin/env python3
"""Applies rtckit's patches to the crates they name, before cargo builds (idempotent).

Each `patches/<crate>-<version>.patch` is a unified diff against that crate as published on
crates.io. The crate's published source is copied from cargo's registry when cargo already
fetched it, else downloaded from crates.io and checked against the sha256 in Cargo.lock's
history (`# sha256:` in the patch's header); the patched copy lands in `build/patched/`,
where the workspace's `[patch.crates-io]` points. The repo holds only our diffs.

Called by scripts/setup.sh, by `npm run build`, and by the Python build backend
(scripts/pep517/backend.py), so `pip install .` and `npm run build` work in a fresh clone.
"""

import hashlib
import io
import os
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATCHES = ROOT / "patches"
OUT = ROOT / "build" / "patched"
STAMP = ".rtckit-patch"


def registry_copy(name: str, version: str):
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    for src in sorted((home / "registry" / "src").glob(f"*/{name}-{version}")):
        if (src / "Cargo.toml").is_file():
            return src
    return None


def download(name: str, version: str, sha256: str, dest: Path) -> None:
    url = f"https://static.crates.io/crates/{name}/{name}-{version}.crate"
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        sys.exit(f"patch_crates: {url} has sha256 {digest}, expected {sha256}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        try:
            archive.extractall(dest.parent, filter="data")
        except TypeError:  # Python without extraction filters; crates.io archives are plain
            archive.extractall(dest.parent)
    (dest.parent / f"{name}-{version}").rename(dest)


def hunks(diff: str):
    """(path, [(old_start, old_lines, new_lines)]) per file of a unified diff."""
    files, lines, i = [], diff.splitlines(keepends=True), 0
    while i < len(lines):
        if lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            path = lines[i + 1][4:].split("\t")[0].strip()
            path = path.split("/", 1)[1]  # -p1
            files.append((path, []))
            i += 2
            continue
        m = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@", lines[i])
        if m:
            # The header's line counts end the hunk (a next file's "--- " line is not a removal).
            want_old, want_new = int(m.group(2) or 1), int(m.group(3) or 1)
            old, new, i = [], [], i + 1
            while i < len(lines) and (len(old) < want_old or len(new) < want_new):
                tag, text = lines[i][:1], lines[i][1:]
                if tag in (" ", "-"):
                    old.append(text)
                if tag in (" ", "+"):
                    new.append(text)
                i += 1
            files[-1][1].append((int(m.group(1)), old, new))
            continue
        i += 1
    return files


def apply(diff: str, root: Path, patch_name: str) -> None:
    """Applies each hunk where its context matches exactly (searching near the stated line)."""
    for path, file_hunks in hunks(diff):
        target = root / path
        text = target.read_text().splitlines(keepends=True)
        offset = 0
        for start, old, new in file_hunks:
            want = start - 1 + offset
            spots = [p for p in range(len(text) - len(old) + 1) if text[p : p + len(old)] == old]
            if not spots:
                sys.exit(f"patch_crates: {patch_name}: a hunk at {path}:{start} does not match")
            at = min(spots, key=lambda p: abs(p - want))
            text[at : at + len(old)] = new
            offset += len(new) - len(old)
        target.write_text("".join(text))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for patch in sorted(PATCHES.glob("*.patch")):
        name, version = re.fullmatch(r"(.+)-(\d+\.\d+\.\d+.*)\.patch", patch.name).groups()
        diff = patch.read_text()
        stamp = hashlib.sha256(diff.encode()).hexdigest()
        dest = OUT / f"{name}-{version}"
        if (dest / STAMP).is_file() and (dest / STAMP).read_text() == stamp:
            continue
        if dest.exists():
            shutil.rmtree(dest)
        source = registry_copy(name, version)
        if source:
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".cargo-ok"))
        else:
            sha = re.search(r"^# sha256: ([0-9a-f]{64})$", diff, re.M)
            if not sha:
                sys.exit(f"patch_crates: {patch.name} names no '# sha256:' of the published crate")
            print(f"patch_crates: downloading {name} {version} from crates.io", file=sys.stderr)
            download(name, version, sha.group(1), dest)
        apply(diff, dest, patch.name)
        (dest / STAMP).write_text(stamp)
        print(f"patch_crates: {name} {version} patched ({patch.name})", file=sys.stderr)


if __name__ == "__main__":
    main()
    import static_codecs  # the other preparation every build path needs (same folder)

    static_codecs.main()
