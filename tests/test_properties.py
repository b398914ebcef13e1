"""Property-based tests of the public API (tests/api_properties.py), each in
its own process: a crash in the C core fails that test, naming the signal,
instead of ending the test session."""
import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # each case runs Python in child processes

pytest.importorskip("hypothesis")

HERE = os.path.dirname(os.path.abspath(__file__))
PROPERTIES = ["train", "query", "backquery", "fit", "weights", "construct"]


@pytest.mark.parametrize("name", PROPERTIES)
def test_property_holds_without_crashing(name):
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", os.path.join(HERE, "api_properties.py"), name],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode < 0:
        pytest.fail(f"crashed with {signal.Signals(-result.returncode).name}:\n{result.stderr[-4000:]}")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert f"property {name} held" in result.stdout
