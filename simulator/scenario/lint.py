"""Checks beyond the schema: references, the dialogue graph, script steps and voices."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.scenario.cards_lint import check_cards
from simulator.scenario.diagnostics import Diagnostic, FileProblems, Level
from simulator.scenario.kinds import ForbiddenKind, StepKind
from simulator.scenario.loader import LoadedScenario, effective_rubric, load_scenario, scenario_files
from simulator.scenario.model import Condition, Language, Scenario
from simulator.scenario.voices import VoiceProfile, is_espeak_mandarin, load_voice, voice_path
from simulator.scenario.yamlsource import PathKey


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: PathKey  # where the goto is written


def edges(scenario: Scenario) -> list[Edge]:
    found = []
    for node_id, node in scenario.nodes.items():
        for index, transition in enumerate(node.transitions):
            target = transition.goto or node_id
            found.append(Edge(node_id, target, ("nodes", node_id, "transitions", index, "goto")))
    return found


def reachable_nodes(scenario: Scenario) -> set[str]:
    """Nodes the engine can visit: from ``start``, plus the endings it jumps to by itself."""
    graph = _adjacency(scenario)
    seen: set[str] = set()
    todo = [n for n in (scenario.start, scenario.on_patience_lost, scenario.on_max_turns) if n in graph]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node] - seen)
    return seen


def _adjacency(scenario: Scenario) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {node_id: set() for node_id in scenario.nodes}
    for edge in edges(scenario):
        if edge.target in graph and not scenario.nodes[edge.source].end:
            graph[edge.source].add(edge.target)
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative so a large scenario cannot exhaust the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def always_matches_first(first: Condition, later: Condition) -> bool:
    """True when every turn that satisfies ``later`` also satisfies ``first`` (so ``later`` is dead).

    Conservative: it answers True only for implications it can prove field by field.
    """
    if later.silence is True and first.silence is not True:
        return False  # a silent turn skips transitions not written for silence
    checks = []
    if first.empathy_at_least is not None:
        checks.append(later.empathy_at_least is not None
                      and later.empathy_at_least >= first.empathy_at_least)
    if first.empathy_below is not None:
        checks.append(later.empathy_below is not None and later.empathy_below <= first.empathy_below)
    checks.append(set(first.steps_hit) <= set(later.steps_hit))
    checks.append(set(first.steps_done) <= set(later.steps_done) | set(later.steps_hit))
    checks.append(set(first.steps_missing) <= set(later.steps_missing))
    if first.forbidden is True:
        checks.append(later.forbidden is True or (isinstance(later.forbidden, tuple) and bool(later.forbidden)))
    elif first.forbidden is False:
        checks.append(later.forbidden is False)
    elif isinstance(first.forbidden, tuple):
        checks.append(isinstance(later.forbidden, tuple) and bool(later.forbidden)
                      and set(later.forbidden) <= set(first.forbidden))
    for flag in ("silence", "interrupted", "raised_voice"):
        if getattr(first, flag) is not None:
            checks.append(getattr(later, flag) == getattr(first, flag))
    if first.said_any:
        checks.append(bool(later.said_any) and set(later.said_any) <= set(first.said_any))
    if first.intent is not None:
        checks.append(later.intent == first.intent)
    if first.mood_at_least is not None:
        checks.append(later.mood_at_least is not None and later.mood_at_least >= first.mood_at_least)
    if first.mood_below is not None:
        checks.append(later.mood_below is not None and later.mood_below <= first.mood_below)
    if first.turn_at_least is not None:
        checks.append(later.turn_at_least is not None and later.turn_at_least >= first.turn_at_least)
    return all(checks)


class _Linter:
    def __init__(self, loaded: LoadedScenario, voices_dir: Path | None):
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.voices_dir = voices_dir
        self.found: list[Diagnostic] = []

    def report(self, level: Level, code: str, path: PathKey, message: str, hint: str | None = None,
               *, key: bool = False) -> None:
        position = self.loaded.document.position(path, key=key)
        self.found.append(Diagnostic(str(self.loaded.path), position, level, code, message, hint))

    def run(self) -> list[Diagnostic]:
        self.check_duplicate_ids()
        self.check_entry_nodes()
        self.check_transitions()
        self.check_steps()
        self.check_graph()
        self.check_voice()
        self.check_rubric()
        check_cards(self.scenario, self.report)
        return self.found

    def check_duplicate_ids(self) -> None:
        for section in ("script", "forbidden", "intents", "knowledge"):
            seen: dict[str, int] = {}
            for index, item in enumerate(getattr(self.scenario, section)):
                if item.id in seen:
                    self.report(Level.ERROR, "ids.duplicate", (section, index, "id"),
                                f"duplicate {section} id {item.id!r} (also item {seen[item.id] + 1})")
                seen.setdefault(item.id, index)

    def _unknown(self, kind: str, name: str, known: Iterable[str], path: PathKey) -> None:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else None
        self.report(Level.ERROR, f"ref.unknown-{kind}", path, f"unknown {kind} {name!r}", hint)

    def check_entry_nodes(self) -> None:
        nodes = self.scenario.nodes
        if self.scenario.start not in nodes:
            self._unknown("node", self.scenario.start, nodes, ("start",))
        for field in ("on_patience_lost", "on_max_turns"):
            target = getattr(self.scenario, field)
            if target not in nodes:
                self._unknown("node", target, nodes, (field,))
            elif nodes[target].end is None:
                self.report(Level.ERROR, "graph.not-an-ending", (field,),
                            f"{field} must name an ending node (one with 'end:'), {target!r} is not")

    def check_transitions(self) -> None:
        nodes = self.scenario.nodes
        for node_id, node in nodes.items():
            base: PathKey = ("nodes", node_id)
            for index, step_id in enumerate(node.excuse_steps):
                if step_id not in {s.id for s in self.scenario.script}:
                    self._unknown("step", step_id, [s.id for s in self.scenario.script],
                                  (*base, "excuse_steps", index))
            if node.end is None and (node.excuse_steps or node.handled is not None):
                self.report(Level.ERROR, "graph.ending-only", base,
                            f"'handled' and 'excuse_steps' only apply to ending nodes; {node_id!r} has no 'end:'")
            if node.end is not None:
                if node.transitions:
                    self.report(Level.WARNING, "graph.ending-transitions", (*base, "transitions"),
                                f"ending node {node_id!r} has transitions; they are never taken")
                continue
            if not node.transitions:
                self.report(Level.ERROR, "graph.dead-end", base,
                            f"node {node_id!r} has no transitions and no 'end:'",
                            "add transitions, or 'end: resolved|escalated|hung_up|unresolved'")
                continue
            fallback_at = None
            for index, transition in enumerate(node.transitions):
                path = (*base, "transitions", index)
                earlier = next((i for i, t in enumerate(node.transitions[:index])
                                if always_matches_first(t.when, transition.when)), None)
                if earlier is not None:
                    self.report(Level.WARNING, "graph.shadowed-transition", path,
                                f"never taken: transition {earlier + 1} of {node_id!r} matches every reply "
                                "this one matches, and comes first", "reorder them or make this one narrower")
                if transition.goto and transition.goto not in nodes:
                    self._unknown("node", transition.goto, nodes, (*path, "goto"))
                if transition.goto is None and transition.say is None:
                    self.report(Level.ERROR, "graph.silent-stay", path,
                                "a transition without 'goto' stays on this node, so it needs a 'say' line")
                self.check_condition(transition.when, (*path, "when"))
                if transition.when == Condition() and fallback_at is None:
                    fallback_at = index
            if fallback_at is None:
                self.report(Level.WARNING, "graph.no-fallback", (*base, "transitions"),
                            f"node {node_id!r} has no fallback transition (one with no 'when')",
                            "without one, an unmatched reply makes the customer repeat the node's line")

    def check_condition(self, condition: Condition, path: PathKey) -> None:
        step_ids = [s.id for s in self.scenario.script]
        for field in ("steps_hit", "steps_done", "steps_missing"):
            for index, step_id in enumerate(getattr(condition, field)):
                if step_id not in step_ids:
                    self._unknown("step", step_id, step_ids, (*path, field, index))
        if isinstance(condition.forbidden, tuple):
            forbidden_ids = [f.id for f in self.scenario.forbidden]
            for index, phrase_id in enumerate(condition.forbidden):
                if phrase_id not in forbidden_ids:
                    self._unknown("forbidden phrase", phrase_id, forbidden_ids, (*path, "forbidden", index))
        if condition.intent is not None:
            intent_ids = [i.id for i in self.scenario.intents]
            if condition.intent not in intent_ids:
                self._unknown("intent", condition.intent, intent_ids, (*path, "intent"))
        if (condition.empathy_at_least and condition.empathy_below
                and condition.empathy_at_least >= condition.empathy_below):
            self.report(Level.ERROR, "condition.impossible", path,
                        "empathy_at_least and empathy_below can never both hold")
        if (condition.mood_at_least is not None and condition.mood_below is not None
                and condition.mood_at_least >= condition.mood_below):
            self.report(Level.ERROR, "condition.impossible", path,
                        "mood_at_least and mood_below can never both hold")

    def check_steps(self) -> None:
        step_ids = [s.id for s in self.scenario.script]
        for index, step in enumerate(self.scenario.script):
            path: PathKey = ("script", index)
            if not step.say_like and not step.keywords and step.standard_kind is None:
                self.report(Level.ERROR, "step.undetectable", path,
                            f"step {step.id!r} can never be checked: it has no 'kind', no 'say_like' and no "
                            "'keywords'", "give it a standard kind (callsim schema lists them) or example phrasings")
            for field in ("before", "after"):
                for ref_index, ref in enumerate(getattr(step, field)):
                    if ref not in step_ids:
                        self._unknown("step", ref, step_ids, (*path, field, ref_index))
                    elif ref == step.id:
                        self.report(Level.ERROR, "step.self-order", (*path, field, ref_index),
                                    f"step {step.id!r} cannot come {field} itself")
            if step.critical and not step.required:
                self.report(Level.ERROR, "step.critical-optional", (*path, "critical"),
                            f"step {step.id!r} is critical but not required: a step whose miss fails the call "
                            "must be required")
            if step.within_turns and step.within_turns > self.scenario.max_turns:
                self.report(Level.WARNING, "step.within-after-end", (*path, "within_turns"),
                            f"within_turns {step.within_turns} is beyond max_turns {self.scenario.max_turns}")
        self._check_shared_kinds("script", [s.standard_kind for s in self.scenario.script])
        self._check_shared_kinds("forbidden", [f.standard_kind for f in self.scenario.forbidden])
        for cycle in self._order_cycles():
            index = step_ids.index(cycle[0])
            self.report(Level.ERROR, "step.order-cycle", ("script", index),
                        "order constraints form a cycle: " + " -> ".join([*cycle, cycle[0]]))
        used_intents = {t.when.intent for n in self.scenario.nodes.values() for t in n.transitions}
        for index, intent in enumerate(self.scenario.intents):
            if intent.id not in used_intents:
                self.report(Level.WARNING, "intent.unused", ("intents", index),
                            f"intent {intent.id!r} is not used by any transition")
            if not intent.say_like and not intent.keywords:
                self.report(Level.ERROR, "intent.undetectable", ("intents", index),
                            f"intent {intent.id!r} has no 'say_like' and no 'keywords'")

    def _check_shared_kinds(self, section: str, kinds: Sequence[StepKind | ForbiddenKind | None]) -> None:
        """Two entries of one kind are both found by the same words: one of them is redundant."""
        first: dict[str, int] = {}
        for index, kind in enumerate(kinds):
            if kind is None:
                continue
            if kind in first:
                ids = [e.id for e in getattr(self.scenario, section)]
                self.report(Level.WARNING, f"{section}.shared-kind", (section, index),
                            f"{ids[index]!r} has the same kind ({kind}) as {ids[first[kind]]!r}: the behaviour model "
                            "finds both in the same words", "keep one, or make one a custom entry without a kind")
            else:
                first[kind] = index

    def _order_cycles(self) -> list[list[str]]:
        ids = {s.id for s in self.scenario.script}
        must_precede: dict[str, set[str]] = {s: set() for s in ids}
        for step in self.scenario.script:
            must_precede[step.id].update(b for b in step.before if b in ids)
            for earlier in step.after:
                if earlier in ids:
                    must_precede[earlier].add(step.id)
        return [sorted(c) for c in _strongly_connected(must_precede)
                if len(c) > 1 or any(n in must_precede[n] for n in c)]

    def check_graph(self) -> None:
        scenario = self.scenario
        nodes = scenario.nodes
        if any(d.code == "ref.unknown-node" for d in self.found):
            return  # graph facts would only repeat the broken reference
        reachable = reachable_nodes(scenario)
        for node_id in nodes:
            if node_id not in reachable:
                self.report(Level.ERROR, "graph.unreachable", ("nodes", node_id), f"node {node_id!r} is unreachable",
                            "no transition leads here from 'start'", key=True)
        graph = _adjacency(scenario)
        endings = {n for n, node in nodes.items() if node.end is not None}
        reaches_end = set(endings)
        changed = True
        while changed:
            changed = False
            for node_id, targets in graph.items():
                if node_id not in reaches_end and targets & reaches_end:
                    reaches_end.add(node_id)
                    changed = True
        trapped: set[str] = set()
        for component in _strongly_connected(graph):
            is_loop = len(component) > 1 or any(n in graph[n] for n in component)
            exits = {t for n in component for t in graph[n]} - component
            if is_loop and not exits and not component & endings:
                first = min(component, key=lambda n: self.loaded.document.position(("nodes", n)))
                self.report(Level.ERROR, "graph.loop-no-exit", ("nodes", first),
                            "loop with no exit: " + ", ".join(sorted(component)),
                            "add a transition out of the loop towards an ending", key=True)
                trapped |= component
        for node_id in nodes:
            if node_id not in reaches_end and node_id not in trapped and node_id in reachable and graph[node_id]:
                self.report(Level.ERROR, "graph.no-ending", ("nodes", node_id),
                                f"node {node_id!r} has no way to an ending", key=True)

    def check_voice(self) -> None:
        if self.voices_dir is None:
            return
        voice = self.scenario.persona.voice
        path = voice_path(self.voices_dir, voice)
        if not path.is_file():
            known = sorted(p.stem for p in self.voices_dir.glob("*.yaml"))
            close = difflib.get_close_matches(voice, known, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else f"create {path}"
            self.report(Level.ERROR, "voice.missing", ("persona", "voice"),
                        f"voice profile {voice!r} not found in {self.voices_dir}", hint)
            return
        try:
            profile = load_voice(path)
        except FileProblems as problems:
            first = problems.diagnostics[0]
            self.report(Level.ERROR, "voice.unreadable", ("persona", "voice"),
                        f"voice profile {voice!r} is invalid: {first.format()}")
            return
        self.check_voice_language(profile)

    def check_voice_language(self, profile: VoiceProfile) -> None:
        language = self.scenario.language
        if language is Language.ZH and is_espeak_mandarin(profile):
            self.report(Level.WARNING, "voice.unintelligible", ("persona", "voice"),
                        f"voice profile {profile.id!r} speaks Mandarin with espeak-ng, which listeners and "
                        "Whisper do not understand (it reads out pinyin letters)",
                        "register a Mandarin voice (docs/voice.md, Voices) and name it here")
        elif language is not Language.EN and profile.language != language:
            self.report(Level.WARNING, "voice.language", ("persona", "voice"),
                        f"voice profile {profile.id!r} speaks {profile.language!s}, the scenario is in "
                        f"{language!s}", f"choose a voice profile with language: {language!s}")

    def check_components(self, missing_for_language: Callable[[str], list[str]] | None) -> None:
        """What this machine lacks to run a call in the scenario's language (a warning each)."""
        if missing_for_language is None:
            return
        for missing in missing_for_language(str(self.scenario.language)):
            self.report(Level.WARNING, "language.component-missing", ("language",), missing)

    def check_rubric(self) -> None:
        try:
            rubric = effective_rubric(self.loaded)
        except FileProblems as problems:
            self.found.extend(problems.diagnostics)
            return
        weights = rubric.weights
        total = weights.empathy + weights.compliance + weights.tone
        if abs(total - 1.0) > 1e-6:
            self.report(Level.ERROR, "rubric.weights", ("rubric", "weights"),
                        f"rubric weights add up to {total:g}, not 1")


MissingComponents = Callable[[str], list[str]]
"""language -> what this machine lacks for calls in it, one sentence each (the commands layer asks
the ASR and TTS packages; the scenario package cannot import them)."""


def lint_scenario(loaded: LoadedScenario, voices_dir: Path | None,
                  missing_for_language: MissingComponents | None = None) -> list[Diagnostic]:
    linter = _Linter(loaded, voices_dir)
    found = linter.run()
    linter.check_components(missing_for_language)
    return found


def load_playable_scenario(path: Path | str) -> LoadedScenario:
    """A scenario to play or replay: loaded, and refused (``FileProblems``, every error with its line)
    when the linter finds errors in it, such as a ``goto`` to a node that does not exist, which would
    stop the engine mid-call.  Warnings, voices and this machine's components are for ``check``."""
    loaded = load_scenario(path)
    errors = [d for d in lint_scenario(loaded, voices_dir=None) if d.level is Level.ERROR]
    if errors:
        raise FileProblems(errors)
    return loaded


def default_voices_dir(scenario_path: Path) -> Path | None:
    """``voices/`` beside the nearest ``scenarios/`` folder above the file."""
    for folder in (scenario_path.parent, *scenario_path.parent.parents):
        candidate = folder / "voices"
        if candidate.is_dir():
            return candidate
        if (folder / "pyproject.toml").exists():
            break
    return None


def check_paths(paths: Iterable[Path], voices_dir: Path | None = None,
                missing_for_language: MissingComponents | None = None,
                fallback_voices_dir: Path | None = None) -> Iterator[Diagnostic]:
    """Every problem in the given scenario files and folders, file by file.

    Voices are looked up in ``voices_dir``, else beside the file's scenarios/ folder, else in
    ``fallback_voices_dir`` (where a call would find them; a file elsewhere had its voice unchecked).
    ``missing_for_language`` adds a warning for each component the scenario's language lacks here."""
    ids: dict[str, Path] = {}
    files = scenario_files(list(paths))
    for path in files:
        try:
            loaded = load_scenario(path)
        except FileProblems as problems:
            yield from problems.diagnostics
            continue
        voices = voices_dir or default_voices_dir(path) or fallback_voices_dir
        yield from sorted(lint_scenario(loaded, voices, missing_for_language), key=lambda d: d.sort_key)
        scenario_id = loaded.scenario.id
        if scenario_id in ids:
            position = loaded.document.position(("id",))
            yield Diagnostic(str(path), position, Level.ERROR, "ids.duplicate-scenario",
                             f"scenario id {scenario_id!r} is already used by {ids[scenario_id]}")
        ids.setdefault(scenario_id, path)
