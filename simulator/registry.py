"""One registry for every replaceable part (ASR backend, TTS engine, analyser): named factories.

Choosing a part is configuration: the settings name it, the registry builds it.  Building the
registry costs nothing; a factory imports its heavy library only when it is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

Part = TypeVar("Part")


class UnknownPart(LookupError):
    """A part named in the settings or on the command line that no factory builds (a user's typo)."""


class Registry(Generic[Part]):
    def __init__(self, part: str, default: str):
        """``part`` names what is chosen ("ASR backend") in the message for an unknown name."""
        self.part = part
        self.default = default
        self._factories: dict[str, Callable[..., Part]] = {}

    def register(self, name: str, factory: Callable[..., Part]) -> None:
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def factory(self, name: str | None = None) -> Callable[..., Part]:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a {self.part} is chosen by its name (a str), not {type(name).__name__}")
        chosen = name or self.default
        try:
            return self._factories[chosen]
        except KeyError:
            raise UnknownPart(f"unknown {self.part} {chosen!r}; choose one of: {', '.join(self.names())}") from None

    def create(self, name: str | None = None, /, *args: Any, **options: Any) -> Part:
        """The part called ``name`` (the default when None), built with ``args`` and ``options``."""
        return self.factory(name)(*args, **options)
