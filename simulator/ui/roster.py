"""Who is at the headset: trainees, their teams, and the one who signed in last.

Kept in a small JSON file in the data dir (``ui/roster.json``) so the app remembers the last
trainee between runs.  Written atomically: a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulator.private_files import make_private_dir
from simulator.ui.i18n import Phrase, message_id

ROSTER_FILE = "roster.json"
MAX_NAME_CHARS = 60
_NAME = re.compile(r"^[\w][\w .'-]*$")


class RosterError(ValueError):
    """A name that cannot be used, or a roster file that cannot be read; ``phrase`` is the message
    for the app's catalogue."""

    def __init__(self, message: str | Phrase) -> None:
        self.phrase = message if isinstance(message, Phrase) else Phrase(message)
        super().__init__(str(self.phrase))


@dataclass(frozen=True, slots=True)
class Trainee:
    name: str
    team: str | None = None


NAME_RULES = {"name": (message_id("type a name"),
                       message_id("a name uses letters, digits, spaces, . ' - (at most {chars})")),
              "team name": (message_id("type a team name"),
                            message_id("a team name uses letters, digits, spaces, . ' - (at most {chars})"))}


def clean_name(raw: str, what: str = "name") -> str:
    """``raw`` with its spaces tidied; ``what`` is "name" or "team name" (for the message)."""
    blank, rules = NAME_RULES[what]
    name = " ".join(raw.split())
    if not name:
        raise RosterError(Phrase(blank))
    if len(name) > MAX_NAME_CHARS or not _NAME.match(name):
        raise RosterError(Phrase(rules, {"chars": MAX_NAME_CHARS}))
    return name


def _text(value: object, what: str) -> str:
    """Valid JSON of the wrong type (a number where a name goes) crashed sign-in on every start."""
    if not isinstance(value, str):
        raise TypeError(f"{what} is {value!r}, not text")
    return value


def _text_or_none(value: object, what: str) -> str | None:
    return None if value is None else _text(value, what)


class Roster:
    """Trainees and the last one signed in; one JSON file under ``folder``."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / ROSTER_FILE
        self._trainees: dict[str, Trainee] = {}
        self.last: str | None = None
        self.devices: dict[str, str] = {}
        self.problem: Phrase | None = None  # set when a damaged file was moved aside
        self._load()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            for item in data.get("trainees", []):
                trainee = Trainee(_text(item["name"], "a trainee's name"), _text_or_none(item.get("team"), "a team"))
                self._trainees[trainee.name.lower()] = trainee
            self.last = _text_or_none(data.get("last"), '"last"')
            self.devices = {_text(k, "a device role"): _text(v, "a device") for k, v in data.get("devices", {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            # Keep the damaged file for whoever wants to look at it, and start afresh.
            self._trainees, self.last, self.devices = {}, None, {}
            kept = self.path.with_name(f"{self.path.name}.damaged")
            try:
                os.replace(self.path, kept)
            except OSError:
                kept = self.path
            self.problem = Phrase("{file} was damaged ({error}); kept as {kept}, starting a new trainee list",
                                  {"file": self.path, "error": err, "kept": kept.name})

    @property
    def trainees(self) -> tuple[Trainee, ...]:
        return tuple(sorted(self._trainees.values(), key=lambda t: t.name.lower()))

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(sorted({t.team for t in self._trainees.values() if t.team}, key=str.lower))

    @property
    def last_trainee(self) -> Trainee | None:
        return self._trainees.get(self.last.lower()) if self.last else None

    def get(self, name: str) -> Trainee | None:
        return self._trainees.get(name.strip().lower())

    def sign_in(self, name: str, team: str | None = None) -> Trainee:
        """Sign in an existing trainee, or create one; a team given replaces the old one."""
        name = clean_name(name)
        team = clean_name(team, "team name") if team and team.strip() else None
        existing = self._trainees.get(name.lower())
        trainee = Trainee(existing.name if existing else name, team or (existing.team if existing else None))
        self._trainees[name.lower()] = trainee
        self.last = trainee.name
        self.save()
        return trainee

    def remember_devices(self, input_device: str | None, output_device: str | None) -> None:
        self.devices = {k: v for k, v in (("input", input_device), ("output", output_device)) if v}
        self.save()

    def save(self) -> None:
        make_private_dir(self.path.parent)  # mkstemp below already makes the file 0600
        data = {"trainees": [{"name": t.name, "team": t.team} for t in self.trainees],
                "last": self.last, "devices": self.devices}
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".roster-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=2, ensure_ascii=False)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
