"""maturin, after rtckit's crate patches are in place (scripts/patch_crates.py).

The workspace's `[patch.crates-io]` names the patched copies, so cargo cannot even read the
workspace before they exist; every build hook imports this module first.
"""

import subprocess
import sys
from pathlib import Path

subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "patch_crates.py")], check=True)

from maturin import *  # noqa: E402,F401,F403  (the PEP 517 hooks themselves)
