"""The live transcript of both sides; the trainee's words appear while they speak (partials)."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from simulator.contracts import EmpathyLevel, TurnAnalysis
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, message_id
from simulator.ui.widgets._css import css_beside

EMPATHY_LEVELS = {EmpathyLevel.NONE: message_id("none"), EmpathyLevel.WEAK: message_id("weak"),
                  EmpathyLevel.STRONG: message_id("strong")}


def analysis_notes(analysis: TurnAnalysis, say: Catalogue = ENGLISH_TEXT) -> str:
    """What the analyser found in a reply; step and phrase ids are the scenario's own."""
    notes = [say("empathy {level}", level=say(EMPATHY_LEVELS[analysis.empathy.level]))]
    if analysis.steps_hit:
        notes.append(say("steps: {ids}", ids=", ".join(analysis.step_ids)))
    if analysis.forbidden:
        notes.append(say("forbidden: {ids}", ids=", ".join(analysis.forbidden_ids)))
    return say("; ").join(notes)


class TranscriptView(VerticalScroll):
    DEFAULT_CSS = css_beside(__file__)
    can_focus = True

    def __init__(self, customer_name: str = "Customer", say: Catalogue = ENGLISH_TEXT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.customer_name = customer_name
        self.you = say("You: ")
        self.say = say
        self.lines: list[str] = []  # plain text of every finished line, for tests and copy
        self._partial: Static | None = None
        self.partial_updates = 0  # how often the in-progress line changed (live words while speaking)

    def add_customer(self, text: str, mood_change: int = 0, note: str = "") -> None:
        line = Text()
        speaker = self.say("{name}: ", name=self.customer_name)
        line.append(speaker, style="bold magenta")
        line.append(text)
        if mood_change:
            line.append(f"  ({self.say('angrier' if mood_change > 0 else 'calmer')} {mood_change:+d})", style="dim")
        if note:
            line.append(f"\n  {note}", style="bold")
        self._add(line, "customer", f"{speaker}{text}")

    def add_trainee(self, text: str, notes: str = "", silence: bool = False) -> None:
        self.clear_partial()
        line = Text()
        said = self.say("(silence)") if silence else text
        line.append(self.you, style="bold cyan")
        line.append(said, style="italic dim" if silence else "")
        if notes:
            line.append(f"\n  {notes}", style="dim")
        self._add(line, "trainee", f"{self.you}{said}")

    def add_system(self, text: str) -> None:
        self._add(Text(text, style="dim italic"), "system", text)

    def set_partial(self, text: str) -> None:
        """What the trainee is saying right now (replaced by the final transcript)."""
        self.partial_updates += 1
        rendered = Text.assemble((self.you, "bold cyan"), (text + " …", "italic"))
        if self._partial is None:
            self._partial = Static(rendered, classes="line partial")
            self.mount(self._partial)
        else:
            self._partial.update(rendered)
        self._follow()

    def clear_partial(self) -> None:
        if self._partial is not None:
            self._partial.remove()
            self._partial = None

    def _add(self, rendered: Text, kind: str, plain: str) -> None:
        self.lines.append(plain)
        widget = Static(rendered, classes=f"line {kind}")
        if self._partial is not None:
            self.mount(widget, before=self._partial)
        else:
            self.mount(widget)
        self._follow()

    def _follow(self) -> None:
        # Scroll once the new line is laid out, so the end is the real end.
        self.call_after_refresh(self.scroll_end, animate=False)
