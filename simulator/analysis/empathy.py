"""Empathy of one trainee reply, judged by meaning against project-written examples.

Each sentence of the reply is compared (sentence embeddings, cosine) with an example bank
(``data/empathy_examples.yaml``: strong / weak / none / dismissive sentences across many
situations).  A sentence reads as empathic when it is closer to the empathic examples than to the
neutral and dismissive ones; transparent word cues (apology, acknowledgement, ownership, warmth;
the lexical analyser's lists) add a fixed bonus, so an obvious "I'm so sorry" never depends on the
embedding alone; apologies, acknowledgements, comfort, encouragement and reassurance ("don't give up",
"it'll work out", "all the best") and ownership make a sentence empathic outright.  A sentence about
the speaker alone ("I ...", never "you") needs a clearer margin: telling of one's own feelings reads
close to the warm examples without reacting to the listener's.  Empathy is *strong* when it is
also specific: the sentence refers to what the customer just said (similar to the customer's line,
or sharing its content words) or takes ownership of the problem.  Dismissive sentences ("calm
down", "not my department") count against.

Every judgement carries evidence: the sentence, and the rule or nearest example it met.
Thresholds were set by hand and checked on part of the EPITOME dev data
(``benchmarks/scoring_validity.py``; ``empathic`` and ``own_story`` on its calibration half); no
weights are trained on it and none of its text is in the examples or the phrase lists.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.analysis import lexical
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.text import content_words, normalise, split_sentences, text_after, words
from simulator.contracts import EmpathyJudgement, EmpathyLevel, Evidence

# Warm wording beyond the lexical analyser's acknowledgement and apology lists: a bonus, not decisive.
WARMTH = (
    "sorry to hear", "i hope", "hope you", "hang in there", "not alone", "here for you", "take care",
    "stay strong", "my heart", "good luck", "i'm glad", "so glad", "happy for you", "proud of you",
    "you deserve", "it's not your fault", "don't worry", "please don't worry", "i feel you",
    "i've been there", "that sucks", "oh no", "i'm listening", "you've got this", "congratulations",
)
# An apology or a plain acknowledgement of the feeling is empathy by definition, whatever the
# embedding says (single words such as "annoying" are not: they also describe other things).
APOLOGIES = lexical.APOLOGY + (
    "so sorry", "very sorry", "really sorry", "truly sorry", "sorry you", "sorry that", "sorry this", "sorry it",
)
# Comfort and warmth that is an emotional reaction on its own (EPITOME's "emotional reactions").
COMFORT = (
    "my heart goes out", "not alone", "aren't alone", "here for you", "hang in there", "stay strong",
    "proud of you", "happy for you", "hope you feel better", "hope you get better", "hope things get better",
    "take care of yourself", "sending hugs", "hugs", "you'll be okay", "you will be okay", "you'll be ok",
    "it's okay to", "it's ok to", "that's rough", "that sucks", "that's awful", "that's terrible",
    "that's horrible", "i'm glad", "so glad", "good to hear", "congratulations", "well done", "way to go",
    "you've got this", "you got this", "i feel for you", "i'm here if", "feel free to message", "feel free to pm",
    # an offer to listen
    "i'm listening", "i am listening", "here to listen", "happy to listen", "here to talk",
    "want to talk about it", "wanna talk about it",
)
# A smile or a heart in a typed reply is warmth towards the reader; a sad face more often tells the
# writer's own mood than a reaction to the reader's, so it decides nothing.
EMOTICONS = (":)", ":-)", "<3")
# Encouragement is an emotional reaction too: hope that things will get better, faith in the person,
# praise for what they did, a plea to stay safe, good wishes, concern for them.  Each phrase says
# so on its own; words that also introduce plain procedure ("you'll find the form...") are left out.
REASSURING = (
    "it will get better", "it'll get better", "things will get better", "it gets better", "things get better",
    "it will pass", "it'll pass", "this will pass", "won't last forever", "won't feel like this forever",
    "you'll get through", "you will get through", "we'll get through", "you'll be fine", "you will be fine",
    "it'll be fine", "it will be fine", "it'll be okay", "it will be okay", "it'll be alright",
    "everything will be okay", "everything will be fine", "it will work out", "it'll work out", "things will work out",
    "light at the end of the tunnel", "there is hope", "there's hope", "better days", "brighter days",
)
ENCOURAGING = (
    "you can do this", "you can do it", "keep going", "keep it up", "keep at it", "keep trying",
    "don't give up", "never give up", "don't lose hope", "believe in you", "proud of yourself",
    "should be proud", "great that you", "good that you", "good on you", "you did the right thing",
    "you've done the right thing", "you're doing great", "you're doing well", "you are doing great",
    "you're strong", "you are strong", "you're stronger than", "you're brave", "you are brave", "so brave",
    "takes courage", "took courage", "you matter", "you are important", "you're important", "your life matters",
    "you're worth", "you are worth",
)
PLEADING = (
    "please don't give up", "please don't hurt yourself", "please don't do it", "please don't do anything",
    "please stay safe", "stay safe", "please reach out", "please talk to someone", "please get help",
    "please look after yourself", "please be kind to yourself",
)
WISHING = (
    "god bless", "bless you", "best wishes", "all the best", "wishing you", "i wish you", "best of luck",
    "good luck", "sending love", "sending you love", "lots of love", "much love", "praying for you",
    "in my prayers", "thinking of you", "my thoughts are with you", "take care",
)
CONCERNED = (
    "are you okay", "are you ok", "are you alright", "worried about you", "i care about you",
    "look after yourself", "be kind to yourself", "be gentle with yourself",
)
SOLIDARITY = (
    "i can relate", "i relate", "same boat", "i'm with you", "i am with you", "i feel the same",
    "you're not the only one", "you are not the only one",
)
ENCOURAGEMENT = REASSURING + ENCOURAGING + PLEADING + WISHING + CONCERNED + SOLIDARITY
# Wording that also opens plain instructions: "you can do it online", "keep going down the menu",
# "take care to use the new sort code", "are you okay to hold?", "it will be fine to pay next week".
# It is encouragement only where it closes its clause: the sentence ends, punctuation follows, or a
# word that closes a clause ("and", "sir", "though"...).
CLAUSE_FINAL = frozenset({
    "it will pass", "it'll pass", "this will pass", "you'll be fine", "you will be fine", "it'll be fine",
    "it will be fine", "it'll be okay", "it will be okay", "it'll be alright", "everything will be okay",
    "everything will be fine", "there is hope", "there's hope", "you can do this", "you can do it", "keep going",
    "keep it up", "keep at it", "keep trying", "you matter", "stay safe", "please reach out",
    "please talk to someone", "please get help", "take care", "are you okay", "are you ok",
    "are you alright", "i'm with you", "i am with you",
})
CLAUSE_CLOSERS = frozenset({
    "and", "but", "so", "though", "too", "now", "then", "again", "ok", "okay", "please", "sir", "madam", "mate",
    "friend", "love", "buddy", "man", "dude", "everyone", "all",
})
# Wording that turns into its opposite before certain words: "I wish you had called us first" is a
# reproach, not a good wish.
NOT_BEFORE = {
    "i wish you": frozenset({"had", "hadn't", "would", "wouldn't", "could", "couldn't", "were", "did", "didn't",
                             "knew", "read", "told", "called", "listened", "understood"}),
}
# Taking the problem on ("I'll sort this out for you") is empathy too; bare "I'm going to" or
# "let me look" also introduce plain procedure, so they only count towards strong empathy.
OWNING = tuple(p for p in lexical.OWNERSHIP
               if p not in ("i'm going to", "i am going to", "i can help", "let me look", "let me help")) + (
    "going to make sure", "going to sort", "going to fix", "leave it with me", "leave this with me",
)
ACKNOWLEDGING = (
    "i understand", "i can understand", "i completely understand", "i can see why", "i hear you",
    "i can imagine", "that must be", "must have been", "i'd feel the same",
    # "i know how" alone also starts plain procedure ("I know how to reset it")
    "i know how you feel", "i know how that feels", "i know how it feels", "i know how hard",
    "i know how frustrating", "i know how difficult", "i know how upsetting", "i know how stressful",
    "i know how worrying", "i know how annoying", "i know how painful", "i know how tough", "i know how much",
    "i would feel the same", "you have every right", "you're right to", "sorry to hear", "i get it",
)
# The lexical list minus words that are harmless in context ("whatever you need", "you can relax").
DISMISSIVE = tuple(p for p in lexical.DISMISSIVE if p not in ("whatever", "relax")) + (
    "whatever you say", "just relax", "you need to relax", "get over it", "you're overreacting",
    "you are overreacting", "not our fault", "your own fault", "i already told you", "i've already told you",
)


class ExampleClass(enum.StrEnum):
    STRONG = "strong"
    WEAK = "weak"
    NONE = "none"
    DISMISSIVE = "dismissive"

    @property
    def empathic(self) -> bool:
        return self in (ExampleClass.STRONG, ExampleClass.WEAK)


class _Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1)
    cue: str = Field(min_length=1)


class _Bank(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    strong: tuple[_Example, ...] = Field(min_length=1)
    weak: tuple[_Example, ...] = Field(min_length=1)
    none: tuple[_Example, ...] = Field(min_length=1)
    dismissive: tuple[_Example, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class EmpathyExample:
    text: str
    kind: ExampleClass
    cue: str


class ExampleBankError(ValueError):
    pass


def load_examples(path: Path | None = None) -> tuple[EmpathyExample, ...]:
    """The example bank: the packaged one, or a trainer's own file in the same format."""
    if path is None:
        source = resources.files("simulator.analysis").joinpath("data/empathy_examples.yaml")
        text, name = source.read_text(encoding="utf-8"), "simulator/analysis/data/empathy_examples.yaml"
    else:
        try:
            text, name = Path(path).read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as err:
            raise ExampleBankError(f"{path}: cannot read the empathy examples: {err}") from None
    try:
        bank = _Bank.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as err:
        raise ExampleBankError(f"{name}: not valid YAML: {err}") from None
    except ValidationError as err:
        raise ExampleBankError(f"{name}: {err}") from None
    return tuple(EmpathyExample(e.text, kind, e.cue)
                 for kind in ExampleClass for e in getattr(bank, kind.value))


@lru_cache(maxsize=1)
def packaged_examples() -> tuple[EmpathyExample, ...]:
    return load_examples()


@dataclass(frozen=True, slots=True)
class EmpathyThresholds:
    """Decision points on the sentence score (similarity margin + cue bonus).

    ``empathic``, ``neighbours``, ``cue_bonus`` and ``own_story`` were chosen on the calibration half of
    the EPITOME dev pairs (``benchmarks/scoring_validity.py``); the rest are set by hand on project examples.
    """

    empathic: float = 0.12  # a sentence at or above reads as empathic
    neighbours: int = 3  # nearest examples averaged on each side (empathic vs neutral/dismissive)
    cue_bonus: float = 0.08  # per transparent word cue, at most ``max_cues``
    max_cues: int = 2
    specific_context: float = 0.40  # similarity to the customer's line that shows it was heard
    strong_similarity: float = 0.50  # to a strong example, for empathy to count as specific
    dismissive_similarity: float = 0.62  # to a dismissive example, when that is the nearest class
    dismissive_margin: float = 0.10  # ...and clearly nearer to it than to any neutral example
    score_slope: float = 2.5  # how fast the 0-1 score moves around the empathic threshold
    own_story: float = 0.08  # taken off a sentence about the speaker alone ("I ...", no "you")


@dataclass(frozen=True, slots=True)
class SentenceReading:
    """How one sentence of the reply reads, with the numbers behind it (for evidence and benchmarks)."""

    sentence: str
    score: float
    margin: float
    nearest: EmpathyExample
    nearest_similarity: float
    context_similarity: float
    cues: tuple[str, ...]
    apology: str | None  # an apology or an acknowledgement makes the sentence empathic whatever
    acknowledgement: str | None  # the margin; so does comfort ("hang in there", "I'm glad")
    comfort: str | None
    ownership: str | None
    dismissive: str | None  # the dismissive wording or example, if the sentence is dismissive
    encouragement: str | None = None  # reassurance, encouragement, good wishes: empathic too

    @property
    def decisive(self) -> str | None:
        return self.acknowledgement or self.apology or self.comfort or self.encouragement or self.ownership


@lru_cache(maxsize=4096)
def _normalised(phrase: str) -> str:
    return normalise(phrase)


def _find(haystack: str, phrase: str) -> str | None:
    """``text.find_phrase`` on a sentence normalised once (``f" {normalise(sentence)} "``)."""
    target = _normalised(phrase)
    return target if target and f" {target} " in haystack else None


def _cues(sentence: str) -> tuple[str, ...]:
    found = []
    haystack = f" {normalise(sentence)} "
    for phrase in (*lexical.ACKNOWLEDGE, *APOLOGIES, *lexical.OWNERSHIP, *WARMTH, *COMFORT):
        hit = _find(haystack, phrase)
        if hit and not any(hit in f or f in hit for f in found):
            found.append(hit)
    return tuple(found)


_FIRST_PERSON = frozenset({"i", "i'm", "im", "me", "my", "mine", "myself", "i've", "ive", "i'd", "i'll"})
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves", "you're", "youre", "you've",
                            "you'll", "you'd", "u", "ur", "ya", "y'all"})


def _own_story(sentence: str) -> bool:
    """A sentence about the speaker that never turns to the listener ("I felt the same when I...")."""
    said = set(words(sentence))
    return bool(said & _FIRST_PERSON) and not said & _SECOND_PERSON


def _topic_words(text: str) -> set[str]:
    """Content words that name a topic: contractions ("you've", "that's") name nothing."""
    return {w for w in content_words(text) if "'" not in w}


def _next_word(sentence: str, phrase: str) -> str | None:
    """The word right after ``phrase`` in ``sentence``; None where the sentence or the clause ends there."""
    rest = (text_after(sentence, phrase) or "").strip()
    if not rest or not (rest[0].isalnum() or rest[0] == "'"):
        return None
    return rest.split()[0].strip(".,!?;:")


def _encouragement(sentence: str) -> str | None:
    haystack = f" {normalise(sentence)} "
    for phrase in ENCOURAGEMENT:
        hit = _find(haystack, phrase)
        if hit is None:
            continue
        following = _next_word(sentence, phrase) if phrase in CLAUSE_FINAL or phrase in NOT_BEFORE else None
        if phrase in CLAUSE_FINAL and following is not None and following not in CLAUSE_CLOSERS:
            continue
        if following in NOT_BEFORE.get(phrase, ()):
            continue
        return hit
    return None


def _first(sentence: str, phrases: tuple[str, ...]) -> str | None:
    haystack = f" {normalise(sentence)} "
    return next((hit for p in phrases if (hit := _find(haystack, p))), None)


def _empathic_evidence(reading: SentenceReading) -> Evidence:
    words = f"; wording: {', '.join(reading.cues[:3])}" if reading.cues else ""
    if reading.nearest.kind.empathic:
        return Evidence(f"empathy.{reading.nearest.cue}", reading.sentence,
                        f"reads like the {reading.nearest.kind.value} example '{reading.nearest.text}' "
                        f"(similarity {reading.nearest_similarity:.2f}){words}", weight=1.0)
    if reading.acknowledgement:
        return Evidence("empathy.acknowledge", reading.sentence,
                        f"acknowledged the customer's feeling ('{reading.acknowledgement}')", weight=1.0)
    if reading.ownership and not reading.apology:
        return Evidence("empathy.ownership", reading.sentence, f"took ownership of the problem ('{reading.ownership}')",
                        weight=1.0)
    if reading.comfort:
        return Evidence("empathy.warmth", reading.sentence, f"warm, comforting words ('{reading.comfort}')",
                        weight=1.0)
    if reading.encouragement:
        return Evidence("empathy.encourage", reading.sentence,
                        f"reassured or encouraged ('{reading.encouragement}')", weight=1.0)
    if reading.apology:
        return Evidence("empathy.apology", reading.sentence, f"apologised ('{reading.apology}')", weight=1.0)
    return Evidence("empathy.warmth", reading.sentence,
                    f"closer in meaning to the empathic examples than to the neutral ones "
                    f"(margin {reading.margin:.2f}){words}", weight=1.0)


class EmpathyJudge:
    """Judges replies against an example bank.  Encodes the bank once; pure given the encoder."""

    def __init__(self, encoder: SentenceEncoder, examples: tuple[EmpathyExample, ...] | None = None,
                 thresholds: EmpathyThresholds = EmpathyThresholds()):
        self.encoder = encoder
        self.examples = examples if examples is not None else packaged_examples()
        self.thresholds = thresholds
        self._vectors = encoder.encode([e.text for e in self.examples])
        self._empathic = np.array([e.kind.empathic for e in self.examples])
        self._neutral = np.array([e.kind is ExampleClass.NONE for e in self.examples])

    def read_sentences(self, sentences: list[str], vectors: np.ndarray, customer_line: str
                       ) -> list[SentenceReading]:
        t = self.thresholds
        context = self.encoder.encode([customer_line])[0] if customer_line.strip() else None
        similarities = vectors @ self._vectors.T
        readings = []
        for sentence, vector, row in zip(sentences, vectors, similarities, strict=True):
            # Mean of the few nearest examples on each side: steadier than the single nearest.
            best_empathic = float(np.sort(row[self._empathic])[-t.neighbours:].mean())
            best_other = float(np.sort(row[~self._empathic])[-t.neighbours:].mean())
            nearest_index = int(row.argmax())
            nearest = self.examples[nearest_index]
            cues = _cues(sentence)
            dismissive = _first(sentence, DISMISSIVE)
            encouragement = _encouragement(sentence)
            acknowledgement = _first(sentence, ACKNOWLEDGING)
            # By meaning alone, a sentence is dismissive only when it reads clearly more like a
            # dismissive example than like plain information ("Your refund was issued on Monday" is
            # near "As I already said, the refund takes five days" and nearer still to neutral ones),
            # and never when it reassures or acknowledges in so many words ("You did the right thing
            # calling us").  An apology does not clear it: "sorry, but that's the policy" dismisses.
            best_neutral = float(row[self._neutral].max()) if self._neutral.any() else -1.0
            if dismissive is None and nearest.kind is ExampleClass.DISMISSIVE \
                    and row[nearest_index] >= t.dismissive_similarity \
                    and row[nearest_index] - best_neutral >= t.dismissive_margin \
                    and not (encouragement or acknowledgement):
                dismissive = nearest.text
            margin = best_empathic - best_other
            score = margin + t.cue_bonus * min(len(cues), t.max_cues)
            if _own_story(sentence):
                # Feelings the speaker tells of their own read close to the warm examples but are
                # not a reaction to the listener's: such a sentence needs a clearer margin.
                score -= t.own_story
            readings.append(SentenceReading(
                sentence=sentence,
                score=round(score, 4),
                margin=round(margin, 4),
                nearest=nearest,
                nearest_similarity=round(float(row[nearest_index]), 3),
                context_similarity=round(float(vector @ context), 3) if context is not None else 0.0,
                cues=cues,
                apology=_first(sentence, APOLOGIES),
                acknowledgement=acknowledgement,
                comfort=_first(sentence, COMFORT) or next((e for e in EMOTICONS if e in sentence), None),
                ownership=_first(sentence, OWNING),
                dismissive=dismissive,
                encouragement=encouragement,
            ))
        return readings

    def judge(self, reply: str, customer_line: str) -> EmpathyJudgement:
        sentences = split_sentences(reply) or ([reply] if reply.strip() else [])
        if not sentences:
            return EmpathyJudgement(EmpathyLevel.NONE, 0.0)
        return self.judge_readings(self.read_sentences(sentences, self.encoder.encode(sentences), customer_line),
                                   customer_line)

    def _specific(self, readings: list[SentenceReading], empathic: list[SentenceReading], customer_line: str
                  ) -> Evidence | None:
        """Evidence that the empathy is specific: the reply names what the customer said, and
        acknowledges it (or apologises and takes the problem on, or reads like a strong example)."""
        t = self.thresholds
        reply = " ".join(r.sentence for r in readings)
        shared = sorted(_topic_words(reply) & _topic_words(customer_line))
        closest = max(empathic, key=lambda r: (r.context_similarity, r.sentence))
        ownership = _first(reply, lexical.OWNERSHIP)
        acknowledged_owned = next((r for r in empathic if r.acknowledgement), None) if ownership else None
        if not shared and closest.context_similarity < t.specific_context:
            if acknowledged_owned is None:
                return None
            return Evidence("empathy.ownership", acknowledged_owned.sentence,
                            f"acknowledges the feeling ('{acknowledged_owned.acknowledgement}') and takes the problem "
                            f"on ('{ownership}')", weight=0.5)
        strong_like = [r for r in empathic if r.nearest.kind is ExampleClass.STRONG
                       and r.nearest_similarity >= t.strong_similarity]
        acknowledged = [r for r in empathic if r.acknowledgement]
        apologised = [r for r in empathic if r.apology]
        if not (strong_like or acknowledged or apologised and ownership):
            return None
        quote = (strong_like or acknowledged or apologised)[0].sentence
        what = (", ".join(shared[:4]) if shared
                else f"similarity {closest.context_similarity:.2f} to the customer's words")
        if not (strong_like or acknowledged):
            what += f"; and takes it on: '{ownership}'"
        return Evidence("empathy.specific", quote, f"names the customer's actual problem ({what})", weight=0.5)

    def judge_readings(self, readings: list[SentenceReading], customer_line: str) -> EmpathyJudgement:
        t = self.thresholds
        evidence: list[Evidence] = []
        dismissive = [r for r in readings if r.dismissive]
        for reading in dismissive:
            how = ("dismissive wording" if reading.dismissive != reading.nearest.text
                   else "close in meaning to the dismissive example")
            evidence.append(Evidence("empathy.dismissive", reading.sentence,
                                     f"{how} '{reading.dismissive}' counts against empathy", weight=-1.0))
        empathic = sorted((r for r in readings if not r.dismissive and (r.score >= t.empathic or r.decisive)),
                          key=lambda r: (-r.score, r.sentence))
        best_score = max((r.score for r in readings if not r.dismissive), default=-1.0)
        specific = self._specific(readings, empathic, customer_line) if empathic else None
        for reading in empathic[:2]:
            evidence.append(_empathic_evidence(reading))
        if specific is not None:
            evidence.append(specific)

        # Each level has its own band of the 0-1 score; within it, how clearly the best sentence reads
        # as empathic (a bare stock apology sits low in the weak band).
        clarity = float(1.0 / (1.0 + np.exp(-t.score_slope * 10 * (best_score - t.empathic))))
        if not empathic:
            level, score = EmpathyLevel.NONE, 0.3 * clarity
        elif specific is not None and not dismissive:
            level, score = EmpathyLevel.STRONG, 0.7 + 0.3 * clarity
        else:
            level, score = EmpathyLevel.WEAK, 0.3 + 0.35 * clarity
        if dismissive:
            score = max(0.0, score - 0.3)
            if level is EmpathyLevel.WEAK and score < 0.3:
                level = EmpathyLevel.NONE
        return EmpathyJudgement(level, round(float(score), 3), tuple(evidence))
