"""Star ladder: validation with FILE:LINE:COL, levels from real scored calls, exams that certify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lab.ladder import load_ladder, standing
from simulator.scenario.diagnostics import FileProblems

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play

LADDER = """\
levels:
  - stars: 1
    title: Start
    require:
      - {passed: 1, difficulty_at_least: 1, min_overall: 60}
  - stars: 2
    title: Two
    require:
      - {passed: 1, difficulty_at_least: 2, min_overall: 70, min_empathy: 50}
    exam: {scenarios: [billing-overcharge], seed: 1, min_overall: 70}
"""


def test_shipped_ladder_is_valid() -> None:
    ladder = load_ladder(SCENARIOS / "ladder.yaml", SCENARIOS)
    assert [level.stars for level in ladder.levels] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    (LADDER.replace("stars: 2", "stars: 3"), 6, 12, "levels must be 1, 2, 3"),
    (LADDER.replace("min_overall: 60", "min_overal: 60"), 5, 45, "unknown key 'min_overal'"),
    (LADDER.replace("difficulty_at_least: 2", "difficulty_at_least: 9"), 9, 42, "less than or equal to 5"),
    (LADDER.replace("[billing-overcharge]", "[billing-overcharge, no-such-call]"), 10, 44,
     "no scenario 'no-such-call'"),
    (LADDER.replace("    title: Two\n", ""), 6, 5, "missing required key 'title'"),
    (LADDER + "  - stars: 3\n    title: x\n    title: y\n    require: [{}]\n", 13, 5, "duplicate key 'title'"),
])
def test_ladder_errors_name_file_line_and_column(tmp_path: Path, text: str, line: int, column: int,
                                                 message: str) -> None:
    path = tmp_path / "ladder.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileProblems) as problems:
        load_ladder(path, SCENARIOS)
    assert len(problems.value.diagnostics) == 1, str(problems.value)  # the one real problem, no echoes
    found = [d for d in problems.value.diagnostics if message in d.message]
    assert found, str(problems.value)
    assert (found[0].path, found[0].position.line, found[0].position.column) == (str(path), line, column), \
        str(problems.value)


def test_lab_check_reports_file_line(tmp_path: Path, lab_env: Path, capsys) -> None:
    path = tmp_path / "ladder.yaml"
    path.write_text(LADDER.replace("stars: 2", "stars: 4"), encoding="utf-8")
    assert main(["lab", "check", str(path)]) == 1
    assert f"{path}:6:12: error: levels must be" in capsys.readouterr().out
    assert main(["lab", "check"]) == 0  # the shipped ladder, drills and competitions


def test_lab_check_takes_a_folder_and_knows_a_drill_outside_drills_by_its_stages(tmp_path: Path, lab_env: Path,
                                                                                  capsys) -> None:
    """A folder was "no such file", and a drill saved elsewhere was read as a competition ("unknown key 'stages'")."""
    shipped = Path(__file__).resolve().parents[2] / "scenarios"
    elsewhere = tmp_path / "my-drill.yaml"
    elsewhere.write_text((shipped / "drills" / "rising-heat.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["lab", "check", str(shipped / "competitions"), str(elsewhere)]) == 0
    out = capsys.readouterr().out
    assert "winter-cup.yaml: ok (competition)" in out and f"{elsewhere}: ok (drill)" in out


def test_levels_from_scored_calls_and_exam_certifies(store, db_url: str, tmp_path: Path, lab_env: Path,
                                                     capsys) -> None:
    ladder_path = tmp_path / "ladder.yaml"
    ladder_path.write_text(LADDER, encoding="utf-8")
    ladder = load_ladder(ladder_path, SCENARIOS)
    difficulty = {"billing-overcharge": 2, "missed-delivery": 1}
    poor = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls")
    store.save_call(poor.record, poor.scorecard, trainee="ana")
    assert standing(ladder, "ana", store.scorecards("ana"), difficulty, set()).stars == 0
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls")
    assert good.scorecard.passed
    good_id = store.save_call(good.record, good.scorecard, trainee="ana")
    result = standing(ladder, "ana", store.scorecards("ana"), difficulty, set())
    assert result.stars == 2 and result.certified_stars == 0
    assert result.levels[1].requirements[0].call_ids == (good_id,)

    assert main(["level", "ana", "--ladder", str(ladder_path), "--json", "--db", db_url]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["stars"] == 2 and shown["levels"][1]["has_exam"]

    replies = tmp_path / "exam"
    replies.mkdir()
    (replies / "billing-overcharge.txt").write_text("\n".join(POOR_REPLIES), encoding="utf-8")
    exam = ["exam", "2", "--trainee", "ana", "--replies", str(replies), "--ladder", str(ladder_path),
            "--analyser", "lexical", "--db", db_url, "--record-to", str(tmp_path / "calls")]
    assert main(exam) == 1
    out = capsys.readouterr().out
    assert "not certified" in out
    assert "mood" not in out and "empathy" not in out and "tip:" not in out  # no hints during an exam
    (replies / "billing-overcharge.txt").write_text("\n".join(GOOD_REPLIES), encoding="utf-8")
    assert main(exam) == 0
    assert "certified: 2 star(s)" in capsys.readouterr().out
    [certificate] = store.certifications("ana")
    [exam_call] = certificate.call_ids
    assert store.get_call(exam_call).attempt.kind.value == "exam"
    assert store.get_call(exam_call).attempt.seed == 1  # the exam's fixed seed
    assert main(["exam", "1", "--trainee", "ana", "--replies", str(replies), "--ladder", str(ladder_path),
                 "--db", db_url]) == 1  # level 1 has no exam
    assert "no exam" in capsys.readouterr().err


def test_each_exam_call_is_stored_with_its_own_turns(store, tmp_path: Path, lab_env: Path) -> None:
    """A two-call exam: while each call goes on, its turns are written live to its own stored call
    (what survives a crash), and the lines shown during it carry no hints."""
    from simulator.config import load_settings
    from simulator.lab.exam import ExamOptions, run_exam
    from simulator.store import CallStatus

    ladder_path = tmp_path / "ladder.yaml"
    ladder_path.write_text(LADDER.replace("[billing-overcharge]", "[billing-overcharge, missed-delivery]"),
                           encoding="utf-8")
    ladder = load_ladder(ladder_path, SCENARIOS)
    replies = {"billing-overcharge": GOOD_REPLIES, "missed-delivery": POOR_REPLIES}
    folder = tmp_path / "exam"
    folder.mkdir()
    for scenario_id, lines in replies.items():
        (folder / f"{scenario_id}.txt").write_text("\n".join(lines), encoding="utf-8")
    store.ensure_trainee("ana", None)
    shown: list[str] = []
    live: list[list[str]] = []  # at each customer line: the calls in progress in the store

    def show(line: str) -> None:
        shown.append(line)
        if line.startswith("customer: "):
            live.append([a.scenario_id for a in store.attempts("ana") if a.status == CallStatus.IN_PROGRESS])

    options = ExamOptions(replies_dir=folder, analyser="lexical", record_to=tmp_path / "calls")
    result = run_exam(ladder, 2, load_settings(), store, "ana", options, show=show)

    assert [call.scenario_id for call in result.calls] == list(replies)
    for call in result.calls:
        stored = store.get_call(call.call_id)
        assert stored.record.header.scenario_id == call.scenario_id
        assert stored.attempt.kind.value == "exam" and stored.attempt.trainee == "ana"
        said = [turn.text for turn in stored.record.trainee_turns]
        assert said and said == list(replies[call.scenario_id][:len(said)])
    assert live[0] == ["billing-overcharge"] and live[-1] == ["missed-delivery"]
    assert not result.passed  # the poor second call fails the exam
    assert any(line.startswith("customer: ") for line in shown)
    assert not any("mood" in line or "empathy" in line for line in shown)


def test_an_exam_with_a_bad_reply_file_plays_no_call(store, tmp_path: Path, lab_env: Path) -> None:
    """The second call's reply file is not UTF-8: found before the first call, not after it was stored."""
    from simulator.config import load_settings
    from simulator.lab.exam import ExamOptions, run_exam

    ladder_path = tmp_path / "ladder.yaml"
    ladder_path.write_text(LADDER.replace("[billing-overcharge]", "[billing-overcharge, missed-delivery]"),
                           encoding="utf-8")
    folder = tmp_path / "exam"
    folder.mkdir()
    (folder / "billing-overcharge.txt").write_text("\n".join(GOOD_REPLIES), encoding="utf-8")
    (folder / "missed-delivery.txt").write_bytes(bytes(range(128, 256)))
    store.ensure_trainee("ana", None)
    options = ExamOptions(replies_dir=folder, analyser="lexical", record_to=tmp_path / "calls")
    with pytest.raises(ValueError, match=r"missed-delivery\.txt: not UTF-8"):
        run_exam(load_ladder(ladder_path, SCENARIOS), 2, load_settings(), store, "ana", options, show=lambda _: None)
    assert store.attempts("ana") == [] and not (tmp_path / "calls").exists()


def test_cards_are_refused_in_a_typed_exam(store, tmp_path: Path, lab_env: Path) -> None:
    """In an exam the knowledge cards are part of what is examined: `/cards` is refused with a message,
    never sent to the customer and never counted."""
    from simulator.config import load_settings
    from simulator.lab.exam import ExamOptions, run_exam
    from simulator.lab.ladder import load_ladder

    ladder_path = tmp_path / "ladder.yaml"
    ladder_path.write_text("levels:\n  - stars: 1\n    title: One\n    require:\n"
                           "      - {passed: 1, difficulty_at_least: 1, min_overall: 60}\n"
                           "    exam: {scenarios: [billing-overcharge], seed: 1, min_overall: 60}\n", encoding="utf-8")
    lines = iter(["/cards", *GOOD_REPLIES])
    shown: list[str] = []
    result = run_exam(load_ladder(ladder_path, SCENARIOS), 1, load_settings(analyser="lexical"), store, "ana",
                      ExamOptions(analyser="lexical", record_to=tmp_path / "calls"), show=shown.append,
                      read_line=lambda prompt: next(lines))
    assert any("off in exams" in line for line in shown)
    stored = store.get_call(result.calls[0].call_id)
    assert stored.record.card_lookups == ()
    assert "/cards" not in [t.text for t in stored.record.turns]
