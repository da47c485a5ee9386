"""``callsim`` with no command: open the trainee's terminal app."""

from __future__ import annotations

import sys

from simulator.config import SettingsError, load_settings
from simulator.lazy import MissingPackage, require
from simulator.ui.i18n import UnknownLanguage
from simulator.ui.roster import RosterError


def run_app(language: str | None = None) -> int:
    """``language``: the app's own labels (``--lang``), else the ``ui_language`` setting."""
    try:
        require("textual", feature="the terminal app")
        settings = load_settings(ui_language=language)
        from simulator.ui.app import CallsimApp
        from simulator.ui.context import AppContext

        context = AppContext.from_settings(settings)
    except (SettingsError, MissingPackage, RosterError, UnknownLanguage) as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 2
    CallsimApp(context).run()
    return 0
