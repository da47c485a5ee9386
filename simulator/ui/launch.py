"""``callsim`` with no command: open the trainee's terminal app."""

from __future__ import annotations

import sys

from simulator.config import SettingsError, load_settings
from simulator.lazy import MissingPackage, require
from simulator.ui.roster import RosterError


def run_app() -> int:
    try:
        require("textual", feature="the terminal app")
        settings = load_settings()
        from simulator.ui.app import CallsimApp
        from simulator.ui.context import AppContext

        context = AppContext.from_settings(settings)
    except (SettingsError, MissingPackage, RosterError) as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 2
    CallsimApp(context).run()
    return 0
