"""The shipped type information matches the module: stubtest on the native stubs, mypy on
the package (as a user's type checker would read it)."""

import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "bindings-python" / "python" / "rtckit"


def _mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=300)


def test_native_stub_matches_the_module():
    result = _mypy("mypy.stubtest", "rtckit._native")
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_type_checks():
    result = _mypy("mypy", "--no-incremental", str(PACKAGE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubs_and_marker_ship_with_the_package():
    import rtckit

    installed = pathlib.Path(rtckit.__file__).parent
    assert (installed / "py.typed").exists()
    assert (installed / "_native.pyi").exists()
