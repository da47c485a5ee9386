"""Command palette entries (Ctrl+P): every screen and app action by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ENTRIES = (
    ("Scenarios", "pick a scenario to call", "open_picker"),
    ("History", "your scores over time and star level", "open_history"),
    ("Coaching", "your mentor's assignments, cases to study, feedback", "open_coaching"),
    ("Mentor view", "your apprentices' assignments and calls; leave feedback", "open_mentor"),
    ("Device check", "pick microphone and speaker, test them", "open_devices"),
    ("Switch trainee", "sign in as someone else", "open_sign_in"),
    ("Reload scenarios", "read the scenario files again", "reload_scenarios"),
    ("Toggle light/dark", "switch between the light and dark theme", "toggle_dark"),
)


class CallsimCommands(Provider):
    async def _run(self, action: str) -> None:
        await self.app.run_action(action)

    async def discover(self) -> Hits:
        for name, help_text, action in ENTRIES:
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in ENTRIES:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=help_text)
