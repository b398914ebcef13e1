"""FFNN_SIMD, read once at import: each available level is taken; anything else
warns and leaves the best level in use. Each case imports ffnn in a fresh
interpreter, since the variable only counts at import."""
import os
import subprocess
import sys

import pytest

import ffnn

pytestmark = pytest.mark.slow  # each case runs Python in child processes

SHOW_LEVEL = "import ffnn; print(ffnn.simd_level())"


def import_with(value: str, *warning_options: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, FFNN_SIMD=value)
    return subprocess.run(
        [sys.executable, *warning_options, "-c", SHOW_LEVEL],
        env=env, capture_output=True, text=True,
    )


def best_level() -> str:
    out = subprocess.run(
        [sys.executable, "-c", SHOW_LEVEL],
        env={k: v for k, v in os.environ.items() if k != "FFNN_SIMD"},
        capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


@pytest.mark.parametrize("level", ffnn.simd_levels())
def test_an_available_level_is_used_without_a_warning(level):
    out = import_with(level, "-W", "error")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == level
    assert out.stderr == ""


# A level this build or CPU never has (an x86-64 CPU has no NEON, an arm64 one
# no AVX), an unknown name, and a near miss in letter case.
MISSING = "avx2" if "neon" in ffnn.simd_levels() else "neon"


@pytest.mark.parametrize("value", [MISSING, "sse9", "AVX2"])
def test_a_level_not_available_warns_and_falls_back_to_the_best(value):
    out = import_with(value)
    assert out.returncode == 0, out.stderr
    best = best_level()
    assert out.stdout.strip() == best
    assert "RuntimeWarning" in out.stderr
    assert f"FFNN_SIMD={value!r}" in out.stderr
    assert f"using {best!r}" in out.stderr


def test_the_fallback_warning_can_be_made_an_error():
    out = import_with("sse9", "-W", "error::RuntimeWarning")
    assert out.returncode != 0
    assert "RuntimeWarning" in out.stderr and "FFNN_SIMD='sse9'" in out.stderr
