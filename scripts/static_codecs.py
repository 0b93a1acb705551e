#!/usr/bin/env python3
"""Links libvpx statically, so the built module and addon need no codec library at run time:
the wheel and the npm binary install on machines without it (issue 14). (libopus is built
from the source audiopus_sys bundles, also static: Debian's libopus.a is not all
position-independent. See .cargo/config.toml.)

env-libvpx-sys finds libvpx with pkg-config, and pkg-config-rs links a library statically
only when it lies outside the system's /usr. So this writes `build/static-codecs/`: a copy of
vpx.pc whose libdir is a folder holding a link to the system's libvpx.a (position-independent
in Debian's libvpx-dev). `.cargo/config.toml` puts that folder first on PKG_CONFIG_PATH and
asks for static linking. Where the .pc or the archive is missing (another distribution, another
OS), nothing is written and libvpx links dynamically as before. Run by
scripts/patch_crates.py, which every build path runs first.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "static-codecs"
LIBRARIES = ("vpx",)


def system_archive(name: str):
    """The static archive the C compiler would link for -l<name>, if there is one."""
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        return None
    found = subprocess.run([compiler, f"-print-file-name=lib{name}.a"], capture_output=True, text=True)
    path = Path(found.stdout.strip())
    return path.resolve() if found.returncode == 0 and path.is_absolute() and path.is_file() else None


def system_pc(name: str):
    if not shutil.which("pkg-config"):
        return None
    found = subprocess.run(["pkg-config", "--variable=pcfiledir", name], capture_output=True, text=True)
    pc = Path(found.stdout.strip()) / f"{name}.pc"
    return pc if found.returncode == 0 and pc.is_file() else None


def main() -> None:
    (OUT / "lib").mkdir(parents=True, exist_ok=True)
    for name in LIBRARIES:
        pc, archive = system_pc(name), system_archive(name)
        written = OUT / f"{name}.pc"
        if not (pc and archive):
            written.unlink(missing_ok=True)  # links dynamically
            continue
        link = OUT / "lib" / f"lib{name}.a"
        if not (link.is_symlink() and link.resolve() == archive):
            link.unlink(missing_ok=True)
            link.symlink_to(archive)
        text = re.sub(r"(?m)^libdir=.*$", f"libdir={OUT / 'lib'}", pc.read_text())
        if not written.is_file() or written.read_text() != text:
            written.write_text(text)


if __name__ == "__main__":
    main()
