"""The pool's sharing policies, checked by the C program tests/c/test_share_policy.c.

The program is built from every C file of the core, each with the flags setup.py
gives it (as ``python tools/c_sources.py`` prints them), with the system C
compiler; it checks that the deterministic policy's decisions depend only on a
task's size and the thread count, that the adaptive one stops sharing when the
helpers are slow and shares again when they are fast, and that training and
queries are bitwise the same on one and two threads under both.
"""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_PROGRAM = os.path.join(ROOT, "tests", "c", "test_share_policy.c")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def compiler():
    found = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if found is None:
        pytest.skip("no C compiler (cc, gcc or clang) found")
    if not os.path.exists(os.path.join(ROOT, "csrc", "pool", "share_policy.c")):
        pytest.skip("the C sources are not beside the tests")
    pytest.importorskip("Cython", reason="tools/c_sources.py reads setup.py, which needs Cython")
    return found


def core_sources() -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Every C file of the core with its compile flags, and the link flags."""
    listing = subprocess.run([sys.executable, os.path.join("tools", "c_sources.py")], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    sources, link = [], []
    for line in listing.splitlines():
        name, *flags = line.split()
        if name == "link":
            link = flags
        else:
            sources.append((name, flags))
    return sources, link


def test_share_policies(compiler, tmp_path):
    sources, link = core_sources()
    objects = []
    for source, flags in sources + [(TEST_PROGRAM, ["-O2", "-std=c99", "-Wall", "-Wextra", "-Icsrc"])]:
        obj = str(tmp_path / (os.path.basename(source)[:-2] + ".o"))
        build = subprocess.run([compiler, *flags, "-c", source, "-o", obj], cwd=ROOT, capture_output=True, text=True)
        assert build.returncode == 0, f"{source}:\n{build.stderr}"
        objects.append(obj)
    program = str(tmp_path / "test_share_policy")
    build = subprocess.run([compiler, *objects, "-o", program, *link, "-lm"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    result = subprocess.run([program], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(" 0 failures"), result.stdout
