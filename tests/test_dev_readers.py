"""The two blind readings of the dev set's scheme (benchmarks/dev_readers): complete and in the scheme's labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.dev_readers.agreement import HERE, READINGS, UNDECIDED, read_reading
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES


@pytest.mark.parametrize("name", READINGS)
def test_each_reading_labels_every_dev_reply_once(name: str) -> None:
    reading = read_reading(HERE / f"{name}.jsonl")
    assert sorted(reading) == [f"dev{number:03d}" for number in range(1, 321)]
    assert all(level in (0, 1, 2, UNDECIDED) for _, level in reading.values())
    found = {kind for labels, _ in reading.values() for kind in labels}
    assert set(FORBIDDEN_KIND_NAMES) <= found


def test_a_label_outside_the_scheme_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "reading.jsonl"
    lines = [{"id": "dev001", "empathy": 2, "steps": ["greet"], "forbidden": []},
             {"id": "dev002", "empathy": None, "steps": ["greeting"], "forbidden": []}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"reading\.jsonl:2: labels not in the scheme: greeting"):
        read_reading(path)


def test_a_reply_labelled_twice_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "reading.jsonl"
    line = json.dumps({"id": "dev001", "empathy": 0, "steps": [], "forbidden": []})
    path.write_text(f"{line}\n{line}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"reading\.jsonl:2: dev001 is labelled twice"):
        read_reading(path)
