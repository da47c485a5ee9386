"""Chinese script for transcripts: Whisper writes Mandarin in traditional characters about as often as in
simplified ones (the two are one spoken language); callsim's scenarios, say_like examples and
trainees use simplified characters, so transcripts are converted (OpenCC's t2s tables, through the
``opencc-python-reimplemented`` package).
"""

from __future__ import annotations

from typing import Any

from simulator.lazy import require


class SimplifiedChinese:
    """Converts traditional characters to simplified; loads its tables on first use."""

    def __init__(self) -> None:
        self._converter: Any = None

    def __call__(self, text: str) -> str:
        if not text or text.isascii():
            return text
        if self._converter is None:
            opencc = require("opencc", "opencc-python-reimplemented", feature="simplified Chinese transcripts")
            self._converter = opencc.OpenCC("t2s")
        return str(self._converter.convert(text))
