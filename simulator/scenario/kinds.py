"""The standard contact-centre QA taxonomy: 13 script-step kinds and 6 forbidden kinds.

A scenario step or forbidden entry may name one of these as its ``kind`` and then inherits the
behaviour model's recognition of it.  The descriptions are what the linter, ``callsim schema`` and
the scorecard show; the labelling conventions behind them are in ``corpus/README.md``.
"""

from __future__ import annotations

import difflib
import enum


class StepKind(enum.StrEnum):
    GREET = "greet"
    IDENTIFY_SELF = "identify_self"
    VERIFY_IDENTITY = "verify_identity"
    ACKNOWLEDGE_EMOTION = "acknowledge_emotion"
    APOLOGISE = "apologise"
    RESTATE_PROBLEM = "restate_problem"
    TAKE_OWNERSHIP = "take_ownership"
    EXPLAIN_NEXT_STEPS = "explain_next_steps"
    SET_TIMELINE = "set_timeline"
    OFFER_ALTERNATIVE = "offer_alternative"
    CONFIRM_RESOLUTION = "confirm_resolution"
    ANYTHING_ELSE = "anything_else"
    CLOSE = "close"

    @property
    def description(self) -> str:
        return STEP_DESCRIPTIONS[self]


class ForbiddenKind(enum.StrEnum):
    BLAME_CUSTOMER = "blame_customer"
    DISMISS_FEELINGS = "dismiss_feelings"
    NOT_MY_JOB = "not_my_job"
    FALSE_PROMISE = "false_promise"
    RUDE_OR_SARCASTIC = "rude_or_sarcastic"
    JARGON = "jargon"

    @property
    def description(self) -> str:
        return FORBIDDEN_DESCRIPTIONS[self]


STEP_DESCRIPTIONS: dict[StepKind, str] = {
    StepKind.GREET: "greets the caller",
    StepKind.IDENTIFY_SELF: "gives their own name and/or the company's",
    StepKind.VERIFY_IDENTITY: "asks for security details (account number, date of birth, postcode, card digits); "
                              "not a lookup such as a tracking or claim number",
    StepKind.ACKNOWLEDGE_EMOTION: "names or clearly acknowledges the customer's feeling (a bare 'I understand' "
                                  "does not count)",
    StepKind.APOLOGISE: "expresses regret for the problem or inconvenience (not 'sorry, but that's policy', "
                        "not 'sorry you feel that way')",
    StepKind.RESTATE_PROBLEM: "restates the customer's problem in their own words",
    StepKind.TAKE_OWNERSHIP: "takes personal responsibility for sorting it out",
    StepKind.EXPLAIN_NEXT_STEPS: "says what will happen next or what they are doing now",
    StepKind.SET_TIMELINE: "gives a concrete time ('by Friday', 'within 48 hours'; 'soon' does not count)",
    StepKind.OFFER_ALTERNATIVE: "offers an alternative, workaround, credit or goodwill gesture",
    StepKind.CONFIRM_RESOLUTION: "checks the customer accepts the fix ('does Thursday work for you?')",
    StepKind.ANYTHING_ELSE: "asks whether there is anything else",
    StepKind.CLOSE: "thanks the customer and closes the call",
}
FORBIDDEN_DESCRIPTIONS: dict[ForbiddenKind, str] = {
    ForbiddenKind.BLAME_CUSTOMER: "blames the customer, however politely",
    ForbiddenKind.DISMISS_FEELINGS: "dismisses the customer's feelings ('calm down', 'sorry you feel that way')",
    ForbiddenKind.NOT_MY_JOB: "refuses ownership ('not my department, ring them')",
    ForbiddenKind.FALSE_PROMISE: "promises what cannot be guaranteed",
    ForbiddenKind.RUDE_OR_SARCASTIC: "is rude or sarcastic",
    ForbiddenKind.JARGON: "uses internal jargon or acronyms without explaining them",
}

STEP_KIND_NAMES: tuple[str, ...] = tuple(kind.value for kind in StepKind)
FORBIDDEN_KIND_NAMES: tuple[str, ...] = tuple(kind.value for kind in ForbiddenKind)
# The order of the model's clause outputs: steps, then forbidden moves.
CLAUSE_LABELS: tuple[str, ...] = STEP_KIND_NAMES + FORBIDDEN_KIND_NAMES


def kind_from_name(name: str) -> StepKind | ForbiddenKind | None:
    """A step or forbidden id that is itself a kind name ('verify_identity', 'verify-identity')."""
    key = name.strip().lower().replace("-", "_")
    if key in STEP_KIND_NAMES:
        return StepKind(key)
    if key in FORBIDDEN_KIND_NAMES:
        return ForbiddenKind(key)
    return None


def suggest_kind(name: str, choices: tuple[str, ...]) -> str | None:
    """The closest kind name to a misspelt one, for the linter's "did you mean"."""
    close = difflib.get_close_matches(name.strip().lower().replace("-", "_"), choices, n=1, cutoff=0.6)
    return close[0] if close else None


def step_kinds_named(names: str | list[str] | tuple[str, ...]) -> tuple[StepKind, ...]:
    """Step kinds from a comma-separated list or a list of names, in the taxonomy's order.

    Raises ``ValueError`` naming an unknown name and the closest kind ("did you mean")."""
    parts = names.split(",") if isinstance(names, str) else list(names)
    wanted: set[StepKind] = set()
    for part in parts:
        if not isinstance(part, str) or not part.strip():
            continue
        kind = kind_from_name(part)
        if not isinstance(kind, StepKind):
            close = suggest_kind(part, STEP_KIND_NAMES)
            hint = f"did you mean {close!r}? " if close else ""
            raise ValueError(f"{part.strip()!r} is not a step kind: {hint}the kinds are {', '.join(STEP_KIND_NAMES)}")
        wanted.add(kind)
    return tuple(kind for kind in StepKind if kind in wanted)
