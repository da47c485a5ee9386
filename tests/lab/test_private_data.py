"""Trainee data is owner-only on a shared PC: the data folder and every folder in it 0700, every file
0600 (call records, WAVs, the SQLite store and its -wal/-shm, the roster, exports), whatever the
umask; a data folder left open by an older version is closed at start with a one-line notice."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from simulator.cli import main
from simulator.config import load_settings
from simulator.private_files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

REPO = Path(__file__).resolve().parents[2]
REPLIES = "Thank you for calling, my name is Sam. I'm so sorry you've been charged twice.\n/hangup\n"
# An ALSA device that accepts and produces silence: a voiced call without a sound card.
SILENT_ALSA = """\
pcm.!default { type plug slave.pcm "silent" }
pcm.silent { type null }
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def modes_under(folder: Path) -> dict[str, int]:
    """Every folder and file from ``folder`` down, with its permission bits."""
    found = {".": mode_of(folder)}
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(root, name)
            found[str(path.relative_to(folder))] = mode_of(path)
    return found


def assert_owner_only(folder: Path) -> None:
    wrong = {name: oct(mode) for name, mode in modes_under(folder).items()
             if mode != (PRIVATE_DIR_MODE if (folder / name).is_dir() else PRIVATE_FILE_MODE)}
    assert wrong == {}


@pytest.fixture
def shared_pc_umask() -> Iterator[None]:
    """The common default umask, under which new files would be readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home" / ".local" / "share" / "callsim"  # parents missing too, as on a new account
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(folder))
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("CALLSIM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CALLSIM_HOME", raising=False)
    return folder


def test_a_stored_text_call_its_store_and_an_export_are_owner_only(tmp_path, data_dir, shared_pc_umask):
    from simulator.store import open_store

    replies = tmp_path / "replies.txt"
    replies.write_text(REPLIES, encoding="utf-8")

    code = main(["play", "billing-overcharge", "--text", "--replies", str(replies), "--analyser", "lexical",
                 "--trainee", "Ada Trainee", "--json"])

    assert code == 0
    [call_folder] = list((data_dir / "calls").iterdir())
    assert (call_folder / "call.jsonl").is_file() and (data_dir / "callsim.db").is_file()
    with open_store(settings=load_settings()) as store:  # a write while open: SQLite's -wal and -shm exist now
        store.ensure_trainee("Ben Okafor", "Green")
        assert (data_dir / "callsim.db-wal").exists()
        assert_owner_only(data_dir)
    assert_owner_only(data_dir)
    assert mode_of(data_dir.parent) == PRIVATE_DIR_MODE  # the missing parents callsim made, too

    export = tmp_path / "export.json"
    assert main(["export", str(export)]) == 0
    assert "Ada Trainee" in export.read_text(encoding="utf-8")
    assert mode_of(export) == PRIVATE_FILE_MODE


def test_the_apps_roster_is_owner_only(data_dir, shared_pc_umask):
    from simulator.ui.context import AppContext

    context = AppContext.from_settings(load_settings(), voice_enabled=False)
    context.sign_in("Ada Trainee", "Blue")

    assert (data_dir / "ui" / "roster.json").is_file()
    assert_owner_only(data_dir)


def test_a_voiced_calls_recordings_are_owner_only(tmp_path, data_dir, shared_pc_umask):
    # espeak-ng is part of the set-up (.ci/setup installs it): its absence is a broken machine, not a skip
    assert shutil.which("espeak-ng"), "espeak-ng (the customer's fallback voice) is not installed: run .ci/setup"
    from simulator.audio.clip import CALL_RATE, AudioClip, write_wav

    (tmp_path / "asound.conf").write_text(SILENT_ALSA, encoding="utf-8")
    mic = tmp_path / "mic"
    mic.mkdir()
    write_wav(mic / "1.wav", AudioClip(np.zeros(2 * CALL_RATE, np.float32)))  # the trainee stays silent
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PULSE")},
           "ALSA_CONFIG_PATH": str(tmp_path / "asound.conf")}

    result = subprocess.run(
        [sys.executable, "-m", "simulator", "play", "billing-overcharge", "--mic-from", str(mic),
         "--mic-pace", "fast", "--no-speech", "1", "--analyser", "lexical", "--json"],
        capture_output=True, text=True, timeout=300, env=env, cwd=REPO)  # inherits the 022 umask

    assert result.returncode == 0, result.stderr[-3000:]
    [call_folder] = list((data_dir / "calls").iterdir())
    assert sorted(p.suffix for p in call_folder.iterdir()).count(".wav") >= 1
    assert_owner_only(data_dir)


def test_an_open_data_folder_is_closed_at_start_with_a_notice(data_dir, capsys):
    (data_dir / "calls" / "old-call").mkdir(parents=True)
    (data_dir / "calls" / "old-call" / "call.jsonl").write_text("{}\n", encoding="utf-8")
    (data_dir / "callsim.db").write_bytes(b"")
    for folder in (data_dir, data_dir / "calls", data_dir / "calls" / "old-call"):
        folder.chmod(0o755)
    for file in (data_dir / "calls" / "old-call" / "call.jsonl", data_dir / "callsim.db"):
        file.chmod(0o644)

    assert main(["schema"]) == 0

    notice = capsys.readouterr().err
    assert str(data_dir) in notice and "755" in notice and "owner-only" in notice
    assert len(notice.strip().splitlines()) == 1
    assert_owner_only(data_dir)
    main(["schema"])
    assert capsys.readouterr().err == ""  # once closed, nothing more to say


def test_a_shared_folder_named_as_the_data_folder_keeps_its_others_files_as_they_were(data_dir, capsys):
    """Pointed at a folder that also holds other people's files (data_dir = a team share), callsim closes
    only its own entries there and says so once; the folder and the others' files keep their modes."""
    (data_dir / "calls" / "old-call").mkdir(parents=True)
    (data_dir / "calls" / "old-call" / "call.jsonl").write_text("{}\n", encoding="utf-8")
    (data_dir / "handbook.pdf").write_bytes(b"%PDF")
    (data_dir / "team").mkdir()
    for folder in (data_dir, data_dir / "calls", data_dir / "calls" / "old-call", data_dir / "team"):
        folder.chmod(0o755)
    for file in (data_dir / "calls" / "old-call" / "call.jsonl", data_dir / "handbook.pdf"):
        file.chmod(0o644)

    assert main(["schema"]) == 0

    notice = capsys.readouterr().err
    assert "not callsim's" in notice and "3 item(s)" in notice and len(notice.strip().splitlines()) == 1
    assert (mode_of(data_dir), mode_of(data_dir / "handbook.pdf"), mode_of(data_dir / "team")) == (0o755, 0o644, 0o755)
    assert_owner_only(data_dir / "calls")
    main(["schema"])
    assert capsys.readouterr().err == ""  # callsim's own are closed: nothing more to say


def test_an_empty_data_dir_setting_is_refused_not_taken_as_the_current_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o755)
    config = tmp_path / "config.toml"
    config.write_text('data_dir = ""\n', encoding="utf-8")
    monkeypatch.setenv("CALLSIM_CONFIG", str(config))
    monkeypatch.delenv("CALLSIM_DATA_DIR", raising=False)

    assert main(["history"]) == 2

    assert "data_dir" in capsys.readouterr().err and mode_of(tmp_path) == 0o755
