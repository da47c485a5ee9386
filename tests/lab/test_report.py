"""Trainer reports, KPIs, real calls (behaviour), ratings and growth records, on real stores."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from simulator.cli import main
from simulator.lab.growth import growth_record, load_catalog, recommend
from simulator.lab.kpi import KpiFileError, read_kpi_csv
from simulator.store import CallKind, open_store

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play


@pytest.fixture
def busy_store(db_url: str, tmp_path: Path, lab_env: Path) -> str:
    """A cohort with practice calls, a drill run, ratings, a real call and KPIs."""
    calls = tmp_path / "calls"
    with open_store(db_url) as store:
        for trainee, team, sequence in (("ana", "red", (POOR_REPLIES, GOOD_REPLIES)),
                                        ("bo", "blue", (POOR_REPLIES, POOR_REPLIES))):
            for replies in sequence:
                finished = play("billing-overcharge", replies, calls)
                call_id = store.save_call(finished.record, finished.scorecard, trainee=trainee, team=team)
            store.rate(call_id, 4 if trainee == "ana" else 2, f"{trainee}: <b>tough</b> call")
        store.save_drill_run("rising-heat", "ana", "2026-11-20T10:00:00.000+00:00", {
            "drill": "rising-heat", "trainee": "ana", "baseline": 80.0, "baseline_source": "training history",
            "completed": True, "paused_after_stage": None, "recovery": 12.5, "mean_drop": 20.0,
            "stages": [{"stage": 1, "scenario": "missed-delivery", "call_id": None, "overall": 61.0}]})
    (tmp_path / "kpi.csv").write_text("trainee,period,csat,fcr,aht_s,complaints\nana,2026-11,88,75,301,0\n"
                                      "bo,2026-11,71,60,420,3\n", encoding="utf-8")
    assert main(["kpi", "import", str(tmp_path / "kpi.csv"), "--db", db_url]) == 0
    real = play("billing-overcharge", GOOD_REPLIES, tmp_path / "real")
    assert main(["behaviour", "add", str(real.record.folder), "--trainee", "ana", "--date", "2026-11-21",
                 "--db", db_url]) == 0
    return db_url


def test_html_report_is_self_contained_with_plots_and_levels(busy_store: str, tmp_path: Path, capsys) -> None:
    html_path, csv_path = tmp_path / "out" / "report.html", tmp_path / "out" / "calls.csv"
    assert main(["report", "--cohort", "--html", str(html_path), "--csv", str(csv_path), "--db", busy_store]) == 0
    html = html_path.read_text(encoding="utf-8")
    for section in ("trends", "missed", "hardest", "drills", "level-1", "level-2", "level-3", "level-4"):
        assert f'id="{section}"' in html
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) >= 7
    for svg in svgs:
        ElementTree.fromstring(svg)  # each plot is well-formed SVG
    assert 'class="chart paired"' in html  # learning: first and latest score side by side
    assert "<script" not in html and not re.search(r'(src|href)="https?:', html)  # nothing fetched
    assert '<polyline class="series"' in html  # a score trend with several calls
    assert "billing-overcharge: verify" in html or "billing-overcharge: greet" in html  # a missed step
    assert "rising-heat #1 missed-delivery" in html  # the drill stage
    assert "&lt;b&gt;tough&lt;/b&gt;" in html and "<b>tough</b>" not in html  # comments are escaped
    assert "2026-11-21" in html  # the real call, on the day it was taken
    assert "88.0" in html and "420.0" in html  # KPIs beside training scores
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert len(rows) == 5 and {r["kind"] for r in rows} == {"training", "real"}
    assert {r["team"] for r in rows} == {"red", "blue"}


def test_report_scopes(busy_store: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bo.html"
    assert main(["report", "--trainee", "bo", "--html", str(out), "--db", busy_store]) == 0
    html = out.read_text(encoding="utf-8")
    assert "trainee bo" in html and "ana:" not in html
    assert main(["report", "--team", "red", "--html", str(out), "--db", busy_store]) == 0
    assert "team red" in out.read_text(encoding="utf-8")
    assert main(["report", "--trainee", "nobody", "--html", str(out), "--db", busy_store]) == 1
    assert main(["report", "--cohort", "purple", "--html", str(out), "--db", busy_store]) == 1


def test_growth_record_and_recommendation(busy_store: str, capsys) -> None:
    catalog = load_catalog(SCENARIOS)
    with open_store(busy_store) as store:
        record = growth_record(store, "ana", catalog)
        assert len(record.attempts) == 3  # two practice calls and the real one
        overall = record.trend("overall")
        assert len(overall.points) == 2 and overall.latest > overall.first and overall.slope_per_call > 0
        assert record.passed_difficulty == 2
        bo = growth_record(store, "bo", catalog)
    assert bo.weakest_steps and bo.weakest_steps[0].miss_rate == 1.0
    assert bo.recommendation.difficulty == 1  # failed everything: start at the easiest level
    assert record.recommendation.difficulty == 3  # passed difficulty 2 last time: one step up
    assert main(["growth", "ana", "--json", "--db", busy_store]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["recommendation"]["scenario"] == record.recommendation.scenario_id
    assert recommend([], catalog).difficulty == 1


def test_kpi_csv_errors_name_lines_and_import_nothing(busy_store: str, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("trainee,period,csat,complaints\nana,2026-12,abc,0\ncy,2026-12,120,1\nbo,2026-12,70,2.5\n"
                   "ana,2026-12,70,0\n,2026-12,1,1\n", encoding="utf-8")
    with pytest.raises(KpiFileError) as problems:
        read_kpi_csv(bad)
    lines = [(p.line, p.message) for p in problems.value.problems]
    assert [line for line, _ in lines] == [2, 3, 4, 5, 6]
    assert "'abc' is not a number" in lines[0][1] and "outside 0..100" in lines[1][1]
    assert "not a whole number" in lines[2][1] and "already given on line 2" in lines[3][1]
    assert main(["kpi", "import", str(bad), "--db", busy_store]) == 1
    assert f"{bad}:2: error:" in capsys.readouterr().err
    with open_store(busy_store) as store:
        assert [k.period for k in store.kpis()] == ["2026-11", "2026-11"]  # nothing from the bad file
    (tmp_path / "cols.csv").write_text("agent,month,mood\n", encoding="utf-8")
    with pytest.raises(KpiFileError, match="unknown column"):
        read_kpi_csv(tmp_path / "cols.csv")


def test_kpi_rows_that_the_store_would_cut_short_or_overflow_are_errors(tmp_path: Path) -> None:
    """Periods were cut to 40 characters (two rows became one, the later silently winning) and a huge
    complaint count ended on OverflowError; a column given twice silently used the last."""
    long_period = "Q" * 40
    bad = tmp_path / "bad.csv"
    bad.write_text(f"trainee,period,csat,complaints\nana,{long_period}-A,4,1\nana,{long_period}-B,5,1\n"
                   "bo,2026-11,70,99999999999999999999999\n", encoding="utf-8")
    with pytest.raises(KpiFileError) as problems:
        read_kpi_csv(bad)
    found = [(p.line, p.message) for p in problems.value.problems]
    assert [line for line, _ in found] == [2, 3, 4]
    assert "longer than 40 characters" in found[0][1] and "outside 0..1e+06" in found[2][1]
    (tmp_path / "twice.csv").write_text("trainee,period,trainee\nana,2026-11,bo\n", encoding="utf-8")
    with pytest.raises(KpiFileError, match="'trainee' given more than once"):
        read_kpi_csv(tmp_path / "twice.csv")


def test_real_calls_are_behaviour_not_practice(busy_store: str) -> None:
    with open_store(busy_store) as store:
        [real] = store.attempts("ana", kind=CallKind.REAL)
        assert real.started_at.startswith("2026-11-21") and real.overall is not None
        assert all(a.kind != CallKind.REAL for a, _ in store.scorecards("ana", kind=CallKind.TRAINING))


def test_two_outputs_naming_one_file_are_refused_before_anything_is_written(tmp_path: Path, capsys) -> None:
    """report --html r.html --csv r.html left r.html holding the CSV; case export did the same."""
    same = tmp_path / "r.html"
    assert main(["report", "--html", str(same), "--csv", str(tmp_path / "." / "r.html"),
                 "--db", str(tmp_path / "lab.db")]) == 2
    assert "--html and --csv both name" in capsys.readouterr().err and not same.exists()
    assert main(["case", "export", "meeting", "--md", str(same), "--html", str(same),
                 "--db", str(tmp_path / "lab.db")]) == 2
    assert "--md and --html both name" in capsys.readouterr().err and not same.exists()
