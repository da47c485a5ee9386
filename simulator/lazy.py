"""Lazy imports of heavy libraries, with an error that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingPackage(RuntimeError):
    """A library callsim needs for this feature is not installed."""


def require(module: str, package: str | None = None, *, feature: str = "") -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        what = f" for {feature}" if feature else ""
        raise MissingPackage(
            f"the Python package '{package or module}' is needed{what} but could not be imported ({err}); "
            f"install it with: pip install {package or module}  (see README, Install)") from None
