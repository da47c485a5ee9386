"""Bad input through the real CLI that used to end on a traceback: a scenario the linter finds errors
in (played, replayed or rendered), an analyser named wrongly, standard input closed, standard output
on a full disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main

from .conftest import REFERENCE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config and a data folder of the test's own: nothing here touches the account's data."""
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(tmp_path / "data"))
    for name in ("CALLSIM_DATABASE_URL", "CALLSIM_HOME", "CALLSIM_ANALYSER"):
        monkeypatch.delenv(name, raising=False)



@pytest.fixture
def broken_scenario(tmp_path: Path) -> Path:
    """The reference scenario with its first ``goto`` sent to a node that does not exist (the engine
    stopped on KeyError: 'nosuch'), and one golden call for it."""
    folder = tmp_path / "scenarios"
    (folder / "golden").mkdir(parents=True)
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    goto = next(i for i, line in enumerate(lines) if line.strip().startswith("goto:"))
    lines[goto] = lines[goto].split("goto:")[0] + "goto: nosuch"
    path = folder / "billing-overcharge.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "golden" / "billing-overcharge.yaml").write_text(
        "scenario: billing-overcharge\ncalls:\n  - name: one\n    replies: one.txt\n"
        "    expect: {outcome: unresolved}\n", encoding="utf-8")
    (folder / "golden" / "one.txt").write_text("Hello.\n/hangup\n", encoding="utf-8")
    return path


def line_of_nosuch(path: Path) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "nosuch" in line)


def test_a_scenario_with_errors_is_not_played_and_the_error_names_its_line(broken_scenario, tmp_path, capsys):
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello.\n/hangup\n", encoding="utf-8")
    code = main(["play", str(broken_scenario), "--text", "--replies", str(replies), "--analyser", "lexical",
                 "--record-to", str(tmp_path / "calls")])
    err = capsys.readouterr().err
    assert code == 1 and f"{broken_scenario}:{line_of_nosuch(broken_scenario)}:" in err and "nosuch" in err
    assert "cannot be played" in err and not (tmp_path / "calls").exists()


def test_replaying_and_rendering_a_scenario_with_errors_report_it_instead_of_stopping(broken_scenario, capsys):
    assert main(["test", str(broken_scenario.parent), "--analyser", "lexical"]) == 1
    assert "unknown node 'nosuch'" in capsys.readouterr().out
    assert main(["voices", "--render", str(broken_scenario)]) == 1
    assert "unknown node 'nosuch'" in capsys.readouterr().err


def test_an_unknown_analyser_is_a_settings_error(tmp_path, capsys):
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello.\n", encoding="utf-8")
    assert main(["play", str(REFERENCE), "--text", "--replies", str(replies), "--analyser", "nosuch",
                 "--record-to", str(tmp_path / "calls")]) == 2
    assert "unknown analyser 'nosuch'; choose one of" in capsys.readouterr().err


def run_cli(*args: str, stdin: int | None = None, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], cwd=REPO, stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300)


def test_a_closed_standard_input_ends_the_typed_call_as_end_of_input(tmp_path):
    played = subprocess.run(
        f"{sys.executable} -m simulator play {REFERENCE} --text --analyser lexical "
        f"--record-to {tmp_path / 'calls'} <&-", shell=True, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert played.returncode == 0 and "Traceback" not in played.stderr, played.stderr
    analysed = subprocess.run(f"{sys.executable} -m simulator analyze --jsonl - --analyser lexical <&-", shell=True,
                              cwd=REPO, capture_output=True, text=True, timeout=300)
    assert analysed.returncode == 0 and analysed.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_output_to_a_full_disk_is_one_line_and_exit_4():
    with open("/dev/full", "w") as full:
        done = run_cli("schema", stdout=full)
    assert done.returncode == 4 and done.stderr.strip().splitlines() == [
        "callsim: no space left on the device while writing the output; free some space and run it again"]


@pytest.mark.parametrize("seed", ["-1", "99999999999999999999999", "abc"])
def test_a_seed_the_store_cannot_keep_is_refused_at_the_flag(seed, tmp_path, capsys):
    """A seed past 2**63 - 1 was accepted everywhere and failed only when the finished call was saved."""
    with pytest.raises(SystemExit) as stopped:
        main(["play", str(REFERENCE), "--text", "--seed", seed, "--record-to", str(tmp_path / "calls")])
    assert stopped.value.code == 2 and "--seed" in capsys.readouterr().err and not (tmp_path / "calls").exists()


def test_a_seed_the_store_cannot_keep_is_a_file_error_in_competition_ladder_drill_and_golden_files(tmp_path):
    from simulator.call.golden import GoldenCall
    from simulator.lab.competitions import CompetitionScenario
    from simulator.lab.drills import DrillStage
    from simulator.lab.ladder import Exam

    too_big = 2**63
    for model, fields in ((GoldenCall, {"name": "one", "replies": "one.txt", "expect": {}}),
                          (CompetitionScenario, {"scenario": "billing-overcharge"}),
                          (DrillStage, {"scenario": "billing-overcharge"}),
                          (Exam, {"scenarios": ["billing-overcharge"]})):
        with pytest.raises(ValueError, match="less than or equal to 9223372036854775807"):
            model.model_validate({**fields, "seed": too_big})


def test_a_reply_file_ends_at_hangup_and_names_a_miswritten_silence_marker(tmp_path):
    from simulator.call.text_io import reply_lines

    replies = tmp_path / "replies.txt"
    replies.write_text("Hello.\n[silence 4]\n/hangup\nnever said\n", encoding="utf-8")
    assert reply_lines(replies) == ["Hello.", "[silence 4]"]  # /hangup was said to the customer before
    replies.write_text("Hello.\n\n[silence abc]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"replies.txt:3: '\[silence abc\]' is not a silence marker"):
        reply_lines(replies)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_reply_file_that_never_ends_is_refused_not_read_until_memory_runs_out(tmp_path, capsys):
    assert main(["play", str(REFERENCE), "--text", "--replies", "/dev/zero", "--analyser", "lexical",
                 "--record-to", str(tmp_path / "calls")]) == 1
    assert "/dev/zero: more than 4 MB" in capsys.readouterr().err


def test_say_refuses_a_mood_outside_0_100_and_a_file_that_is_no_wav(tmp_path):
    for flags, says in ((["--mood", "500"], "500 is out of range: 0 to 100"),
                        (["--out", str(tmp_path / "o.mp3")], "name it .wav")):
        done = run_cli("say", "older-woman-brisk", "Hello.", *flags)
        assert done.returncode == 2 and says in done.stderr


def test_say_into_a_missing_folder_is_one_message_without_a_second_complaint(tmp_path):
    done = run_cli("say", "older-woman-brisk", "Hello.", "--out", str(tmp_path / "missing" / "o.wav"))
    assert done.returncode == 1 and "No such file or directory" in done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_honours_with_a_ladder_file_that_is_not_there_is_not_a_success(tmp_path, capsys):
    assert main(["honours", "--ladder", str(tmp_path / "nosuch.yaml"), "--db", str(tmp_path / "lab.db")]) == 1
    assert "nosuch.yaml" in capsys.readouterr().err


def test_check_and_test_on_a_folder_without_scenarios_say_so(tmp_path, capsys):
    """check said "0 error(s)" (exit 0) and test exited 1 with nothing but "0 passed, 0 failed"."""
    assert main(["check", str(tmp_path)]) == 1
    assert "no scenario files (*.yaml) in this folder" in capsys.readouterr().out
    assert main(["test", str(tmp_path)]) == 1
    assert "no scenarios or golden files in" in capsys.readouterr().err


def test_check_looks_up_a_voice_where_a_call_would_find_it(tmp_path, capsys):
    """A scenario outside a scenarios/ folder had its voice unchecked: "0 error(s)" for a voice no call could use."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    voice = next(i for i, line in enumerate(lines) if line.strip().startswith("voice:"))
    lines[voice] = lines[voice].split("voice:")[0] + "voice: no-such-voice"
    elsewhere = tmp_path / "draft.yaml"
    elsewhere.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(elsewhere)]) == 1
    assert "voice profile 'no-such-voice' not found" in capsys.readouterr().out


def test_a_config_path_that_is_a_folder_is_an_error_and_a_device_index_may_be_a_number(tmp_path, monkeypatch):
    from simulator.config import SettingsError, load_settings

    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path))  # was passed over: the defaults, in silence
    with pytest.raises(SettingsError, match="not a config file"):
        load_settings()
    config = tmp_path / "config.toml"
    config.write_text("input_device = 5\n", encoding="utf-8")  # as --input 5; was "should be a valid string"
    monkeypatch.setenv("CALLSIM_CONFIG", str(config))
    assert load_settings().input_device == "5"


def test_a_golden_file_with_two_calls_of_one_name_or_an_unknown_step_names_the_line(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    (folder / "golden").mkdir(parents=True)
    (folder / "billing-overcharge.yaml").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "golden" / "one.txt").write_text("Hello.\n", encoding="utf-8")
    (folder / "golden" / "billing-overcharge.yaml").write_text(
        "scenario: billing-overcharge\ncalls:\n"
        "  - {name: one, replies: one.txt, expect: {outcome: unresolved}}\n"
        "  - {name: one, replies: one.txt, expect: {outcome: unresolved, steps_hit: [nosuch]}}\n", encoding="utf-8")
    assert main(["test", str(folder), "--analyser", "lexical"]) == 1
    out = capsys.readouterr().out
    assert "billing-overcharge.yaml:4:12: a second golden call named 'one'" in out
    assert "expects step 'nosuch', which billing-overcharge does not have" in out  # was "steps not hit: nosuch"


def test_a_minimum_of_attempts_below_one_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["leaderboard", "--min-attempts", "-5", "--db", str(tmp_path / "lab.db")])
    assert stopped.value.code == 2 and "out of range: at least 1" in capsys.readouterr().err


def test_voices_with_an_unknown_tts_engine_setting_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CALLSIM_TTS_ENGINE", "nope")  # say refused it; voices listed another engine's voices
    assert main(["voices"]) == 2
    assert "unknown TTS engine 'nope'; choose one of" in capsys.readouterr().err


def test_a_new_store_made_by_a_db_path_is_said_once(tmp_path, capsys):
    """A mistyped --db made an empty store in silence, and "no calls stored yet" looked like an answer."""
    typo = tmp_path / "lab-tyop.db"
    assert main(["history", "--db", str(typo)]) == 0
    assert f"made a new, empty training store at {typo}" in capsys.readouterr().err
    assert main(["history", "--db", str(typo)]) == 0
    assert "made a new" not in capsys.readouterr().err


def test_a_folder_or_broken_link_named_like_a_scenario_is_an_error_not_skipped(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "billing-overcharge.yaml").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "drafts.yaml").mkdir()
    (folder / "moved.yaml").symlink_to(tmp_path / "elsewhere" / "moved.yaml")
    assert main(["check", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert f"{folder / 'drafts.yaml'}:1:1: error: is a directory" in out
    assert f"{folder / 'moved.yaml'}:1:1: error: cannot read file" in out
    assert "2 error(s)" in err
