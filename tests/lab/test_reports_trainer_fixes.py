"""The report items a trainer hit (issue #12): percentages, a real time axis, whole step labels, the
trend's axis and pass line, team and competition sections, pass/fail at level 2.

Every test builds a real store (SQLite in tmp_path; PostgreSQL too when CI sets it), plays real
text-mode calls, renders the report through the CLI and reads the HTML and SVG back.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from statistics import fmean
from xml.etree import ElementTree

import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import FinishedCall, new_call_folder, run_call
from simulator.cli import main
from simulator.lab.competitions import Competition, save_competition
from simulator.scenario.loader import load_scenario
from simulator.store import CallKind, open_store

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play

SVG = "{http://www.w3.org/2000/svg}"
CUP = "spring-cup"


# -- reading the report back ---------------------------------------------------------------------

def section(html: str, section_id: str) -> str:
    """The report from the element with ``id=section_id`` to the next element with an id."""
    start = html.index(f'id="{section_id}"')
    following = html.find(' id="', start + 1)
    return html[start:following if following != -1 else len(html)]


def svgs(fragment: str) -> list[ElementTree.Element]:
    return [ElementTree.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", fragment, re.S)]


class _Tables(HTMLParser):
    """Every ``<table>`` as rows of (cell text, cell attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, dict[str, str]]]]] = []
        self._cell: list[str] | None = None
        self._attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell, self._attrs = [], {k: v or "" for k, v in attrs}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(("".join(self._cell), self._attrs))
            self._cell = None


def tables(fragment: str) -> list[list[dict[str, str]]]:
    """Each table as a list of {header: cell text} rows."""
    parser = _Tables()
    parser.feed(fragment)
    out = []
    for rows in parser.tables:
        headers = [text for text, _ in rows[0]]
        out.append([dict(zip(headers, (text for text, _ in row), strict=True)) for row in rows[1:]])
    return out


def cell_attrs(fragment: str, header: str) -> list[dict[str, str]]:
    """The attributes of the cells under ``header`` in the first table of ``fragment``."""
    parser = _Tables()
    parser.feed(fragment)
    rows = parser.tables[0]
    column = [text for text, _ in rows[0]].index(header)
    return [row[column][1] for row in rows[1:]]


def visible_lines(svg: ElementTree.Element) -> list[str]:
    """The text a reader sees: each ``<text>`` (its ``<tspan>`` lines joined by spaces), no tooltips."""
    return [" ".join(part.strip() for part in text.itertext() if part.strip()) for text in svg.iter(f"{SVG}text")]


def y_scale(svg: ElementTree.Element) -> dict[float, float]:
    """Score -> y, read from the chart's own labelled gridlines."""
    scale = {}
    for tick in svg.iter(f"{SVG}g"):
        if tick.get("class") == "y-tick":
            scale[float(tick.find(f"{SVG}text").text)] = float(tick.find(f"{SVG}line").get("y1"))
    return scale


def y_at(svg: ElementTree.Element, score: float) -> float:
    scale = y_scale(svg)
    low, high = min(scale), max(scale)
    return scale[low] + (scale[high] - scale[low]) * (score - low) / (high - low)


def render(db_url: str, tmp_path: Path, *scope: str) -> str:
    out = tmp_path / "report.html"
    assert main(["report", *(scope or ("--cohort",)), "--html", str(out), "--db", db_url]) == 0
    return out.read_text(encoding="utf-8")


# -- the store -----------------------------------------------------------------------------------

def long_step_scenario(tmp_path: Path) -> Path:
    """billing-overcharge with its verify step named ``verify-account``, as the trainer's scenario was
    (``billing-overcharge: verify-account`` is longer than the old 32-character label)."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(SCENARIOS / "rubric.yaml", folder / "rubric.yaml")
    text = (SCENARIOS / "billing-overcharge.yaml").read_text(encoding="utf-8")
    text = re.sub(r"\bverify\b(?!-)", "verify-account", text)  # the step and every reference to it
    path = folder / "billing-overcharge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def play_file(path: Path, replies: tuple[str, ...], calls_dir: Path) -> FinishedCall:
    loaded = load_scenario(path)
    analyser = builtin_analysers().create("lexical", loaded.scenario)
    return run_call(loaded, analyser, SilentVoice(), ScriptedReplies([parse_reply(r) for r in replies]),
                    new_call_folder(calls_dir, loaded.scenario.id))


@pytest.fixture
def lab(db_url: str, tmp_path: Path, lab_env: Path) -> str:
    """ana (red) improves, bo (blue) does not, cy has no team; all enter a competition; ana and bo
    take real calls on different days; KPIs with first-call resolution as a fraction and as a percent."""
    scenario = long_step_scenario(tmp_path)
    calls = tmp_path / "calls"
    with open_store(db_url) as store:
        save_competition(store, Competition(id=CUP, title="Spring Cup", starts=datetime(2020, 1, 1, tzinfo=UTC),
                                            ends=datetime(2100, 1, 1, tzinfo=UTC), min_attempts=2,
                                            scenarios=({"scenario": "billing-overcharge", "seed": 0},)))
        for trainee, team, sequence in (("ana", "red", (POOR_REPLIES, GOOD_REPLIES)),
                                        ("bo", "blue", (POOR_REPLIES, POOR_REPLIES)),
                                        ("cy", None, (GOOD_REPLIES,))):
            for replies in sequence:
                finished = play_file(scenario, replies, calls)
                store.save_call(finished.record, finished.scorecard, trainee=trainee, team=team, competition=CUP)
    for trainee, day, replies in (("ana", "2026-11-21", POOR_REPLIES), ("ana", "2026-11-22", GOOD_REPLIES),
                                  ("ana", "2026-12-01", GOOD_REPLIES), ("bo", "2026-11-25", POOR_REPLIES)):
        real = play("billing-overcharge", replies, tmp_path / "real")
        assert main(["behaviour", "add", str(real.record.folder), "--trainee", trainee, "--date", day,
                     "--db", db_url]) == 0
    (tmp_path / "kpi.csv").write_text("trainee,period,csat,fcr\nana,2026-11,88,0.82\nbo,2026-11,71,75\n",
                                      encoding="utf-8")
    assert main(["kpi", "import", str(tmp_path / "kpi.csv"), "--db", db_url]) == 0
    return db_url


# -- the fixes -----------------------------------------------------------------------------------

def test_first_call_resolution_is_shown_as_a_percentage(lab: str, tmp_path: Path) -> None:
    [kpis] = tables(section(render(lab, tmp_path), "level-4"))
    column = next(header for header in kpis[0] if header.startswith("first-call resolution"))
    shown = {row["trainee"]: row[column] for row in kpis}
    assert shown == {"ana": "82%", "bo": "75%"}  # 0.82 (a fraction) and 75 (a percent) both read right


def test_real_calls_are_placed_by_date(lab: str, tmp_path: Path) -> None:
    [chart] = svgs(section(render(lab, tmp_path), "level-3"))
    x_of = {}
    for circle in chart.iter(f"{SVG}circle"):
        hover = circle.find(f"{SVG}title").text
        x_of[re.match(r"(\w+), (\d{4}-\d\d-\d\d)", hover).groups()] = float(circle.get("cx"))
    assert set(x_of) == {("ana", "2026-11-21"), ("ana", "2026-11-22"), ("ana", "2026-12-01"), ("bo", "2026-11-25")}
    assert len(set(x_of.values())) == 4  # different days, different places, whoever took the call
    one_day = x_of["ana", "2026-11-22"] - x_of["ana", "2026-11-21"]
    assert one_day > 0
    # scaled by date: positions are printed to 0.1 px, so the ratios hold to about 1 %
    assert (x_of["bo", "2026-11-25"] - x_of["ana", "2026-11-21"]) / one_day == pytest.approx(4, rel=0.01)
    assert (x_of["ana", "2026-12-01"] - x_of["ana", "2026-11-21"]) / one_day == pytest.approx(10, rel=0.01)
    assert any(line.startswith("date") and "2026" in line for line in visible_lines(chart))


def test_step_labels_are_readable_in_full(lab: str, tmp_path: Path) -> None:
    [chart] = svgs(section(render(lab, tmp_path), "missed"))
    bar_labels = [line for line in visible_lines(chart) if line.startswith("billing-overcharge")]
    assert "billing-overcharge: verify-account" in bar_labels  # seen, not only in a tooltip
    assert all(not re.search(r"verify-acc(?!ount)", line) for line in visible_lines(chart))


def test_score_trend_has_a_call_number_axis_and_the_pass_mark(lab: str, tmp_path: Path) -> None:
    with open_store(lab) as store:
        [mark] = {card.pass_mark for _, card in store.scorecards(kind=CallKind.TRAINING)}
    [chart] = svgs(section(render(lab, tmp_path), "trends"))
    lines = visible_lines(chart)
    assert any(line.startswith("call number") for line in lines)
    ticks = [g.find(f"{SVG}text").text for g in chart.iter(f"{SVG}g") if g.get("class") == "x-tick"]
    assert ticks == ["1", "2"]  # ana and bo played twice
    pass_lines = [line for line in chart.iter(f"{SVG}line") if line.get("class") == "pass-mark"]
    assert len(pass_lines) == 1
    assert float(pass_lines[0].get("y1")) == pytest.approx(y_at(chart, mark), abs=0.2)
    assert float(pass_lines[0].get("y1")) == float(pass_lines[0].get("y2"))  # level, across the plot
    assert f"pass mark {mark:g}" in lines


def test_team_section_counts_averages_and_pass_rates(lab: str, tmp_path: Path) -> None:
    with open_store(lab) as store:
        team_of = {t.name: t.team or "(no team)" for t in store.list_trainees()}
        cards = [(team_of[a.trainee], c) for a, c in store.scorecards() if a.kind != CallKind.REAL]
    [teams] = tables(section(render(lab, tmp_path), "teams"))
    assert [row["team"] for row in teams] == ["blue", "red", "(no team)"]
    for row in teams:
        mine = [c for team, c in cards if team == row["team"]]
        assert int(row["practice calls"]) == len(mine) and row["trainees"] == "1"
        assert row["mean overall"] == f"{fmean(c.overall for c in mine):.1f}"
        assert row["pass rate"] == f"{round(100 * sum(c.passed for c in mine) / len(mine), 1):g}%"


def test_competition_section_shows_standings(lab: str, tmp_path: Path) -> None:
    fragment = section(render(lab, tmp_path), "competitions")
    assert "Spring Cup" in fragment
    people, team_table = tables(fragment)
    ranks = {row["trainee"]: row["rank"] for row in people}
    assert ranks == {"ana": "1", "bo": "2", "cy": "-"}  # cy has one call of the two needed
    assert [row["team"] for row in team_table] == ["red", "blue"]
    # a trainee's own report keeps their rank in the whole competition
    [mine, my_team] = tables(section(render(lab, tmp_path, "--trainee", "bo"), "competitions"))
    assert [(row["trainee"], row["rank"]) for row in mine] == [("bo", "2")]
    assert [row["team"] for row in my_team] == ["blue"]


def test_sections_say_when_there_are_no_teams_or_competitions(db_url: str, tmp_path: Path, lab_env: Path) -> None:
    with open_store(db_url) as store:
        finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls")
        store.save_call(finished.record, finished.scorecard, trainee="solo")
    html = render(db_url, tmp_path)
    assert "no team comparison" in section(html, "teams") and "<table" not in section(html, "teams")
    assert "no competitions" in section(html, "competitions")


def test_a_damaged_competition_is_named_not_fatal(lab: str, tmp_path: Path) -> None:
    with open_store(lab) as store:  # e.g. written by an older or newer callsim
        store.put_competition("old-cup", "Old Cup", "2020-01-01T00:00:00.000+00:00", "2100-01-01T00:00:00.000+00:00",
                              1, {"id": "old-cup", "title": "Old Cup", "scenarios": []})
    fragment = section(render(lab, tmp_path), "competitions")
    assert "Old Cup" in fragment and "No standings" in fragment and "callsim competition create" in fragment
    assert "Spring Cup" in fragment and "<table" in fragment  # the good competition is still ranked


def test_level_2_shows_pass_or_fail_beside_the_change(lab: str, tmp_path: Path) -> None:
    with open_store(lab) as store:
        practice = [(a, c) for a, c in store.scorecards() if a.kind != CallKind.REAL]
    fragment = section(render(lab, tmp_path), "level-2")
    [rows] = tables(fragment)
    for row in rows:
        mine = [c for a, c in practice if a.trainee == row["trainee"]]
        assert row["first result"] == ("pass" if mine[0].passed else "fail")
        assert row["latest result"] == ("pass" if mine[-1].passed else "fail")
        assert row["pass mark"] == f"{mine[-1].pass_mark:.1f}"
    ana = next(row for row in rows if row["trainee"] == "ana")
    assert (ana["first result"], ana["latest result"]) == ("fail", "pass")  # the improvement crossed the mark
    failed = [attrs for attrs in cell_attrs(fragment, "first result") if attrs.get("class") == "fail"]
    assert failed and all(attrs.get("title") for attrs in failed)  # a fail says why on hover
    [chart] = svgs(fragment)
    assert any(line.endswith("pass") for line in visible_lines(chart))
    assert any(line.endswith("fail") for line in visible_lines(chart))
    assert [line for line in chart.iter(f"{SVG}line") if line.get("class") == "pass-mark"]

