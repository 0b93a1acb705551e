"""The README's Python quick start runs as written."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def _run(block: str) -> str:
    result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_python_quick_starts_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 3, "the README has a data-channel, a video and a user-track quick start"
    assert _run(blocks[0]) == "echo: forward 0.5"
    assert _run(blocks[1]) == "(240, 320, 3)"
    assert _run(blocks[2]) == "320 240"
