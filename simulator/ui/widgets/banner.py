"""A one-line message across the screen: errors and states the trainee must not miss."""

from __future__ import annotations

from textual.widgets import Static

from simulator.ui.widgets._css import css_beside

SEVERITIES = ("information", "warning", "error")


class Banner(Static):
    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, message: str = "", severity: str = "warning", **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.message = ""
        if message:
            self.show(message, severity)

    def show(self, message: str, severity: str = "warning") -> None:
        self.message = message
        self.update(message)
        self.set_classes(f"-{severity if severity in SEVERITIES else 'warning'} -shown")
        self._repaint_screen()

    def clear(self) -> None:
        self.message = ""
        self.update("")
        self.set_classes("")
        self._repaint_screen()

    def _repaint_screen(self) -> None:
        # Showing or hiding the banner moves everything below it; a plain partial update was seen to
        # leave the previous screen's cells at the bottom of a real terminal (tmux), so repaint it all.
        if self.is_mounted:
            self.call_after_refresh(self.app.refresh, repaint=True, layout=True)
