"""The scorer's words in the call's language: evidence details, tips, fail reasons and the text report.

A catalogue per language, ``<language>.json`` beside this file, maps a message id to a
``str.format`` template.  The language is the scenario's (``Scenario.language``): ``score_call`` picks
the catalogue once and hands it down, so an English call reads as it always has and a Mandarin call
reads in Chinese.  A message the catalogue lacks is an error (``KeyError``), never English by
accident; ``tests/scoring/test_wording.py`` checks every catalogue has the English ids with the
same fields.

Two sections only a language other than English needs:

* ``kinds``: the standard step kinds' descriptions (``simulator.scenario.kinds``, written in English),
* ``heard``: the analysers' own evidence (``empathy.apology``, ``tone.hostile``...), which they
  write in English into the call record; the scorer retells it by rule.  The test checks it covers
  every rule the shipped analysers write; a rule from elsewhere (a record made by another analyser)
  keeps its own words rather than fail the scoring of a stored call.

English has neither: there the kinds' descriptions and the analysers' words are used as written.
Quotes of what was said, scenario text (step descriptions, why a phrase is forbidden, card text)
and ids are never translated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from simulator.analysis.behaviour.judge import COLD_KINDS
from simulator.contracts import Evidence, ToneMeasures
from simulator.scenario.kinds import StepKind
from simulator.scenario.model import Language

# How the analysers end an evidence detail (simulator.analysis.behaviour.judge and .semantic): the
# model's confidence, or the scenario step whose example was said.  Retold, not dropped: a trainer
# reads the confidence to judge the finding.
MODEL_CONFIDENCE = re.compile(r" \(model (?P<confidence>\d+(?:\.\d+)?)\)$")
SCENARIO_EXAMPLE = re.compile(r" \(the scenario's step '(?P<step>[^']+)', [\w-]+\)$")


@dataclass(frozen=True, slots=True)
class Wording:
    language: str
    cased: bool  # the script has capital letters (a tip starts with one; a clause put mid-sentence loses it)
    messages: Mapping[str, str]
    kinds: Mapping[str, str] | None = None  # None: the kinds' own English descriptions
    heard_rules: Mapping[str, str] | None = None  # None: the analysers' evidence as they wrote it

    def __call__(self, message: str, /, **fields: Any) -> str:
        return self.messages[message].format(**fields)

    def turn(self, number: int | None) -> str:
        return self("turn", number=number)

    def turns(self, numbers: Iterable[int]) -> str:
        """``turn 3`` or ``turns 1, 2 and 5`` (``第 3 轮``, ``第 1、2、5 轮``), in order, once each."""
        ordered = sorted(set(numbers))
        if len(ordered) == 1:
            return self.turn(ordered[0])
        return self("turns", numbers=self.join(map(str, ordered[:-1])), last=ordered[-1])

    def join(self, items: Iterable[str]) -> str:
        return self("list.separator").join(items)

    def example(self, said: str) -> str:
        return self("example", example=said)

    def mid_sentence(self, text: str) -> str:
        """A scenario's sentence put after a colon: ``Don't say "x": it makes ...``."""
        return text[:1].lower() + text[1:] if self.cased and text else text

    def sentence(self, text: str) -> str:
        return text[:1].upper() + text[1:] if self.cased else text

    def kind(self, kind: StepKind) -> str:
        return kind.description if self.kinds is None else self.kinds[kind.value]

    def heard(self, evidence: Evidence, tone: ToneMeasures | None = None) -> str:
        """An analyser's evidence detail in this language (``tone``: the turn's measures, for a voice cue)."""
        if self.heard_rules is None:
            return evidence.detail
        rules = self.heard_rules
        rule, detail = evidence.rule, evidence.detail
        if rule == "tone.hostile":  # the cues' figures are the turn's own measures
            return rules[rule].format(cues=self._voice_cues(tone))
        if rule == "tone.raised_voice":
            rise = None if tone is None else tone.level_rise_db
            return rules[rule].format(db=rise) if rise is not None else rules["tone.raised_voice.unmeasured"]
        if rule == "empathy.dismissive":  # which cold move it was is only in the judge's words
            kind = next((kind for kind, said in COLD_KINDS.items() if detail.startswith(said)), None)
            rule = f"{rule}.{kind.value}" if kind is not None else rule
        said = rules.get(rule)
        if said is None:  # a rule no shipped analyser writes (a record from elsewhere): its own words
            return detail
        if found := MODEL_CONFIDENCE.search(detail):
            said += rules["model"].format(confidence=found["confidence"])
        elif found := SCENARIO_EXAMPLE.search(detail):
            said += rules["scenario_example"].format(step=found["step"])
        return said

    def _voice_cues(self, tone: ToneMeasures | None) -> str:
        rules = self.heard_rules or {}
        cues = []
        if tone is not None:
            if tone.level_rise_db is not None:
                cues.append(rules["cue.level"].format(db=tone.level_rise_db))
            if tone.pitch_rise_semitones is not None:
                cues.append(rules["cue.pitch"].format(semitones=tone.pitch_rise_semitones))
            if tone.tilt_rise_db is not None:
                cues.append(rules["cue.tension"].format(db=tone.tilt_rise_db))
        return rules["cues"].format(cues=self.join(cues)) if cues else ""


def _load(language: str) -> Wording:
    data = json.loads(resources.files(__name__).joinpath(f"{language}.json").read_text(encoding="utf-8"))
    kinds, heard = data.get("kinds"), data.get("heard")
    return Wording(language, data["cased"], MappingProxyType(data["messages"]),
                   None if kinds is None else MappingProxyType(kinds),
                   None if heard is None else MappingProxyType(heard))


CATALOGUES: Mapping[str, Wording] = MappingProxyType({language.value: _load(language.value) for language in Language})
ENGLISH = CATALOGUES[Language.EN.value]


def wording_for(language: Language | str) -> Wording:
    return CATALOGUES[str(language)]
