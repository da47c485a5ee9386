"""The terminal app's own words in the trainee's language: a message catalogue, not ``if`` statements.

A message id is the English text itself (with ``{name}`` placeholders); ``locale/<language>.json``
maps it to the translation.  English needs no file: the code is its source, and
``tests/ui/test_locale.py`` checks that every catalogue has exactly the ids the code uses.  A message
missing from a catalogue shows in English rather than not at all.  An id chosen at run time (a mood
word, a dimension) is written ``message_id("...")`` where it is defined, so the check finds it too;
one made off the screen (a worker thread's notice) travels as a ``Phrase``.  Scenario text (titles,
lines, steps) is the scenario's own and is never translated; the scorer's evidence details, tips and
fail reasons come in the scenario's language (``simulator.scoring.wording``), and error text from
other layers as it is written.  Chosen with ``callsim --lang zh`` or ``ui_language = "zh"`` in the config.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

ENGLISH = "en"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")  # Chinese text and punctuation


class UnknownLanguage(ValueError):
    """No catalogue for the language asked for; the message lists the ones there are."""


def available_languages() -> tuple[str, ...]:
    files = resources.files("simulator.ui.locale")
    return (ENGLISH, *sorted(item.name.removesuffix(".json") for item in files.iterdir()
                             if item.name.endswith(".json")))


@dataclass(frozen=True)
class Catalogue:
    language: str = ENGLISH
    messages: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, message: str, /, **values: Any) -> str:
        """``message`` in this language, with ``values`` put into its placeholders."""
        text = self.messages.get(message, message)
        return text.format(**values) if values else text

    def message(self, message: Phrase | str) -> str:
        """A ``Phrase`` (or a plain id) in this language."""
        if isinstance(message, Phrase):
            values = {name: self.message(value) if isinstance(value, Phrase) else value
                      for name, value in message.values.items()}
            return self(message.text, **values)
        return self(message)


def message_id(text: str) -> str:
    """Mark an English message id that is looked up later (``say(word)``); returns it unchanged."""
    return text


@dataclass(frozen=True)
class Phrase:
    """A message id with its values, made where there is no catalogue (a worker thread, plain code)
    and put into words where it is shown."""

    text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text.format(**self.values) if self.values else self.text


ENGLISH_TEXT = Catalogue()  # immutable: the default for widgets built without an app


def load_catalogue(language: str) -> Catalogue:
    if language == ENGLISH:
        return Catalogue()
    resource = resources.files("simulator.ui.locale").joinpath(f"{language}.json")
    if not resource.is_file():
        raise UnknownLanguage(f"no interface language {language!r}; choose one of {', '.join(available_languages())} "
                              "(ui_language setting or --lang)")
    try:
        messages = json.loads(resource.read_text(encoding="utf-8"))
    except ValueError as err:
        raise UnknownLanguage(f"simulator/ui/locale/{language}.json is not valid JSON ({err})") from None
    return Catalogue(language, messages)


def bullet(text: str, indent: str = "") -> str:
    """``• text``; before Chinese, ``•text``: Rich wraps only at spaces and takes a run of Chinese
    characters as one word, so after ``• `` a long Chinese line would leave the bullet alone on its row."""
    joiner = "" if text[:1] and CJK.match(text[:1]) else " "
    return f"{indent}•{joiner}{text}"


def localise_screen(screen: Any, catalogue: Catalogue) -> None:
    """A screen's title (its ``TITLE``) and footer key descriptions in the catalogue's language."""
    screen.title = catalogue(screen.TITLE)
    translate_bindings(screen, catalogue)


def translate_bindings(node: Any, catalogue: Catalogue) -> None:
    """The footer's key descriptions of ``node`` (a screen or the app) in the catalogue's language.

    Textual keeps each node's bindings in its own copy of the class's map, so only this node changes."""
    if catalogue.language == ENGLISH:
        return
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [replace(binding, description=catalogue(binding.description))
                                               for binding in bindings]
