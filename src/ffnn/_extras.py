"""Optional packages, imported when needed, with an error that says what to install.

A package that is missing asks for the ffnn extra that brings it. A package
that is installed but fails to import (its own dependency missing, or built
against another NumPy than the one installed: "_ARRAY_API not found",
"numpy.core.multiarray failed to import") is named, with the command that
reinstalls it, rather than leaving its own traceback.
"""
from __future__ import annotations

import importlib
from types import ModuleType

# The name pip installs a module under, where it differs.
_DISTRIBUTIONS = {"PIL": "Pillow", "sklearn": "scikit-learn", "yaml": "PyYAML"}


def require(module: str, need: str, extra: str) -> ModuleType:
    """``module`` imported; ImportError ``"{need}: pip install 'ffnn[{extra}]'"`` (and why) otherwise."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is not None and (exc.name == top or module.startswith(exc.name + ".")):
            raise ImportError(f"{need}: pip install 'ffnn[{extra}]'") from None
        failure: Exception = exc
    except Exception as exc:  # noqa: BLE001  (any failure of a third party's import)
        failure = exc
    distribution = _DISTRIBUTIONS.get(module.split(".")[0], module.split(".")[0])
    raise ImportError(
        f"{need}: pip install 'ffnn[{extra}]'; {distribution} is installed but fails to import "
        f"({type(failure).__name__}: {failure}), so reinstall it: pip install --force-reinstall {distribution}"
    ) from failure
