"""Command palette entries (Ctrl+P): every screen and app action by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, message_id

# (name, help, action): the names and help are message ids, shown in the trainee's language.
ENTRIES = (
    (message_id("Scenarios"), message_id("pick a scenario to call"), "open_picker"),
    (message_id("History"), message_id("your scores over time and star level"), "open_history"),
    (message_id("Coaching"), message_id("your mentor's assignments, cases to study, feedback"), "open_coaching"),
    (message_id("Mentor view"), message_id("your apprentices' assignments and calls; leave feedback"), "open_mentor"),
    (message_id("Device check"), message_id("pick microphone and speaker, test them"), "open_devices"),
    (message_id("Switch trainee"), message_id("sign in as someone else"), "open_sign_in"),
    (message_id("Reload scenarios"), message_id("read the scenario files again"), "reload_scenarios"),
    (message_id("Toggle light/dark"), message_id("switch between the light and dark theme"), "toggle_dark"),
)


class CallsimCommands(Provider):
    async def _run(self, action: str) -> None:
        await self.app.run_action(action)

    def _entries(self) -> list[tuple[str, str, str]]:
        context = getattr(self.app, "context", None)
        say: Catalogue = context.text if context is not None else ENGLISH_TEXT
        return [(say(name), say(help_text), action) for name, help_text, action in ENTRIES]

    async def discover(self) -> Hits:
        for name, help_text, action in self._entries():
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=help_text)
