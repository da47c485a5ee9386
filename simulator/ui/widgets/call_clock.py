"""Call time and, in drills, the time left for this turn.  Reads the app's injectable clock."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

from simulator.ui.i18n import ENGLISH_TEXT, Catalogue
from simulator.ui.widgets._css import css_beside


def mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class CallClock(Widget):
    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, clock: Callable[[], float], turn_limit_s: float | None = None, *,
                 say: Catalogue = ENGLISH_TEXT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.say = say
        self._clock = clock
        self.turn_limit_s = turn_limit_s
        self._call_started: float | None = None
        self._turn_started: float | None = None
        self._stopped_at: float | None = None

    def on_mount(self) -> None:
        self.set_interval(0.5, self.refresh)

    def start_call(self) -> None:
        self._call_started = self._clock()

    def start_turn(self) -> None:
        self._turn_started = self._clock()

    def stop_turn(self) -> None:
        self._turn_started = None
        self.refresh()

    def stop(self) -> None:
        self._stopped_at = self._clock()
        self._turn_started = None
        self.refresh()

    @property
    def turn_left_s(self) -> float | None:
        if self.turn_limit_s is None or self._turn_started is None:
            return None
        return self.turn_limit_s - (self._clock() - self._turn_started)

    def render(self) -> Text:
        now = self._stopped_at if self._stopped_at is not None else self._clock()
        elapsed = 0.0 if self._call_started is None else now - self._call_started
        text = Text(self.say("Call {time}", time=mmss(elapsed)))
        left = self.turn_left_s
        if self.turn_limit_s is not None:
            shown = self.turn_limit_s if left is None else left
            text.append("  " + self.say("Turn {time}", time=mmss(shown)),
                        style="bold red" if left is not None and left <= 5 else "")
        return text
