"""The microphone's input level in dBFS, or why there is none (typing, muted)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, message_id
from simulator.ui.widgets._css import css_beside

FLOOR_DB = -60.0
BAR_CELLS = 16
STATE_WORDS = {"typing": message_id("typing mode"), "muted": message_id("muted"), "off": message_id("off")}


class LevelMeter(Widget):
    DEFAULT_CSS = css_beside(__file__)

    level_db: reactive[float] = reactive(FLOOR_DB)
    state: reactive[str] = reactive("typing")  # "live", "muted", "typing", "off"

    def __init__(self, say: Catalogue = ENGLISH_TEXT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.say = say

    def render(self) -> Text:
        text = Text(self.say("Mic  "))
        if self.state != "live":
            text.append(self.say(STATE_WORDS.get(self.state, self.state)),
                        style="dim italic" if self.state != "muted" else "bold yellow")
            return text
        level = max(FLOOR_DB, min(0.0, self.level_db))
        filled = round((level - FLOOR_DB) / -FLOOR_DB * BAR_CELLS)
        style = "red" if level > -6 else "green"
        text.append("▮" * filled, style=style)
        text.append("▯" * (BAR_CELLS - filled), style="dim")
        text.append(f" {level:5.1f} dB")
        return text
