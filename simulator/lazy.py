"""Lazy imports of heavy libraries, with an error that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingPackage(RuntimeError):
    """A library callsim needs for this feature is not installed."""


# A bare "pip install torch" pulls a CUDA build of several GB; this pin resolves to the CPU build.
TORCH_CPU = "torch==2.13.0"


def require(module: str, package: str | None = None, *, feature: str = "") -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        what = f" for {feature}" if feature else ""
        name = package or module
        install, order = ((TORCH_CPU, "the CPU build") if name == "torch"
                          else (name, f"after pip install {TORCH_CPU}, the CPU build"))
        raise MissingPackage(
            f"the Python package '{name}' is needed{what} but could not be imported ({err}); "
            f"install it with: pip install {install}  ({order}; see docs/development.md, \"Install\")") from None
