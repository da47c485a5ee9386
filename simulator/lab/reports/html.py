"""Render a ``ReportData`` as one self-contained HTML page: inline CSS and SVG, no scripts, no
external files, so it opens offline and can be mailed or archived as is."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from simulator.lab.leaderboard import WEIGHTING_RULE, describe_counted
from simulator.lab.reports.data import (
    CompetitionStanding,
    LearningRow,
    ReportData,
    ScoredCall,
    as_percent,
    attempts_csv,
    behaviour_series,
    drill_stage_scores,
    hardest_scenarios,
    learning,
    most_missed_steps,
    pass_marks,
    reaction_summary,
    score_trends,
    team_summaries,
    training_means,
)
from simulator.lab.reports.svg import (
    PALETTE,
    PairedRow,
    Point,
    bar_chart,
    call_number_axis,
    date_axis,
    line_chart,
    paired_bar_chart,
)

__all__ = ["attempts_csv", "render_html"]

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:980px;color:#222}
h1{font-size:1.6em}h2{border-bottom:2px solid #eee;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f5f5f5}td.num{text-align:right}.muted{color:#777}.chart{display:block;margin:.8em 0}
.level{border-left:4px solid #1f77b4;padding-left:.8em}td.pass{color:#1b7a1b}td.fail{color:#b00020}
"""


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell shown as given (a percentage, a verdict), with a class and an optional tooltip."""

    text: str
    css: str = ""
    title: str = ""


def _percent(value: float | None) -> Cell | None:
    return None if value is None else Cell(f"{value:g}%", "num")


def _verdict(passed: bool, reasons: tuple[str, ...] = ()) -> Cell:
    return Cell("pass", "pass") if passed else Cell("fail", "fail", "; ".join(reasons))


def _cell(value: object, numeric: bool) -> str:
    if isinstance(value, Cell):
        css = f' class="{escape(value.css)}"' if value.css else ""
        title = f' title="{escape(value.title)}"' if value.title else ""
        return f"<td{css}{title}>{escape(value.text)}</td>"
    text = "-" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    css = ' class="num"' if numeric and isinstance(value, (int, float)) else ""
    return f"<td{css}>{escape(text)}</td>"


def _table(headers: list[str], rows: list[list[object]], numeric_from: int = 1) -> str:
    if not rows:
        return '<p class="muted">no data yet</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = ["<tr>" + "".join(_cell(value, index >= numeric_from) for index, value in enumerate(row)) + "</tr>"
            for row in rows]
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _short(call_id: str) -> str:
    return call_id[:8]


def _hover(name: str, label: str, call: ScoredCall) -> str:
    return (f"{name}, {label}: {call.overall:.1f} ({'pass' if call.passed else 'fail'}, pass mark "
            f"{call.pass_mark:g}), {call.scenario_id}, call {_short(call.call_id)}")


def _trend_chart(data: ReportData) -> str:
    """Practice scores by each trainee's call number, with the pass mark they were scored against."""
    trends = score_trends(data)
    series = {name: [Point(number, call.overall, _hover(name, f"call {number}", call))
                     for number, call in enumerate(calls, start=1)] for name, calls in trends.items()}
    longest = max((len(calls) for calls in trends.values()), default=0)
    axis = call_number_axis(longest, "call number (each trainee's practice calls in order; 1 = first)")
    return line_chart("Overall score, call by call", series, axis, pass_marks=pass_marks(data.practice))


def _behaviour_chart(data: ReportData) -> str:
    """Real-call scores placed by the date each call was taken, so the gaps between calls show."""
    timed = behaviour_series(data)
    series = {name: [Point(dated.taken_at.timestamp(), dated.call.overall,
                           _hover(name, dated.taken_at.strftime("%Y-%m-%d"), dated.call)) for dated in calls]
              for name, calls in timed.items()}
    moments = [dated.taken_at for calls in timed.values() for dated in calls]
    return line_chart("Real-call score over time", series, date_axis(moments, "date the real call was taken"),
                      pass_marks=pass_marks(data.real))


def _teams_section(data: ReportData) -> list[str]:
    teams = team_summaries(data)
    if not teams:
        return ['<h2 id="teams">Teams</h2>',
                '<p class="muted">No trainee in this report belongs to a team, so there is no team comparison '
                "(<code>callsim trainee move NAME --team TEAM</code> puts a trainee in one).</p>"]
    return ['<h2 id="teams">Teams</h2>',
            "<p>Practice calls (training, exam and drill) per team; the pass rate counts the scorer's verdict.</p>",
            _table(["team", "trainees", "practice calls", "passed", "mean overall", "pass rate"],
                   [[t.team or "(no team)", t.trainees, t.practice_calls, t.passed_calls, t.mean_overall,
                     _percent(t.pass_rate_percent)] for t in teams])]


def _rank(rank: int | None) -> object:
    return "-" if rank is None else rank


def _competition(standing: CompetitionStanding) -> list[str]:
    heading = (f"<h3>{escape(standing.title)} <span class=\"muted\">({escape(standing.competition_id)}, "
               f"{escape(standing.starts_at[:10])} to {escape(standing.ends_at[:10])})</span></h3>")
    if standing.problem:
        return [heading, f'<p class="muted">No standings: {escape(standing.problem)}.</p>']
    if not standing.people:
        return [heading, '<p class="muted">No finished call from the trainees in this report counts in this '
                         "competition yet.</p>"]
    return [heading,
            f"<p>Ranks are over the whole competition ({standing.ranked_people} ranked); a person needs at least "
            f"{standing.min_attempts} finished call(s) to be ranked (-: not yet).</p>",
            f"<p>Weighting: {escape(WEIGHTING_RULE)}.</p>",
            _table(["rank", "trainee", "team", "score", "calls", "counted (scenario: score x weight [call])"],
                   [[_rank(p.rank), p.trainee, p.team or "", p.score, p.attempts,
                     "; ".join(describe_counted(c) for c in p.counted)] for p in standing.people], numeric_from=3),
            _table(["team rank", "team", "score", "members ranked", "members"],
                   [[_rank(t.rank), t.team, t.score, t.members_ranked, ", ".join(t.members)]
                    for t in standing.teams], numeric_from=2) if standing.teams else ""]


def _ranking_section(data: ReportData) -> list[str]:
    names = {t.name for t in data.trainees}
    people = [p for p in data.ranking.people if p.trainee in names] if data.ranking else []
    parts = ['<h2 id="ranking">Ranking (all training calls)</h2>']
    if not people:
        return [*parts, '<p class="muted">No finished, scored call yet.</p>']
    ranked = sum(p.rank is not None for p in data.ranking.people) if data.ranking else 0
    return [*parts,
            f"<p>Ranks are over everyone in the store ({ranked} ranked). {escape(WEIGHTING_RULE)}.</p>",
            _table(["rank", "trainee", "team", "score", "calls", "counted (scenario: score x weight [call])"],
                   [[_rank(p.rank), p.trainee, p.team or "", p.score, p.attempts,
                     "; ".join(describe_counted(c) for c in p.counted)] for p in people], numeric_from=3)]


def _honours_section(data: ReportData) -> list[str]:
    parts = ['<h2 id="honours">Honours</h2>']
    names = {t.name for t in data.trainees} | {t.team for t in data.trainees if t.team}
    held = [h for h in data.honours.honours if h.holder in names] if data.honours else []
    if not held:
        return [*parts, '<p class="muted">No honours held by the trainees in this report yet (they need passed '
                        "calls, a star level, four calls this month or two ranked teams).</p>"]
    return [*parts,
            "<p>Computed from the stored calls (docs/lab.md, Honours): first to each star level, longest run of "
            "passed calls, most improved this month (difficulty-weighted), best team. Each names the calls it "
            "rests on.</p>",
            _table(["honour", "holder", "what", "calls"],
                   [[h.title, h.holder, h.detail, ", ".join(map(_short, h.call_ids))] for h in held],
                   numeric_from=9)]


def _competitions_section(data: ReportData) -> list[str]:
    parts = ['<h2 id="competitions">Competitions</h2>']
    if not data.competitions:
        parts.append('<p class="muted">There are no competitions in the store (<code>callsim competition '
                     "create</code> or <code>callsim competition load</code> adds one).</p>")
    for standing in data.competitions:
        parts += _competition(standing)
    return parts


def _mentoring_section(data: ReportData) -> list[str]:
    """Each assignment a mentor set, where it stands as the report was made, overdue work first."""
    from simulator.lab.mentoring import AssignmentStatus

    order = {AssignmentStatus.OVERDUE: 0, AssignmentStatus.OPEN: 1, AssignmentStatus.DONE: 2}
    rows = sorted(data.mentoring, key=lambda p: (order[p.status], p.assignment.due_at))
    overdue = sum(p.status == AssignmentStatus.OVERDUE for p in rows)
    status_css = {AssignmentStatus.OVERDUE: "fail", AssignmentStatus.DONE: "pass", AssignmentStatus.OPEN: ""}
    return ['<h2 id="mentoring">Mentoring</h2>',
            f"<p>{len(rows)} assignment(s) set by mentors (<code>callsim mentor assign</code>), {overdue} overdue. "
            "An assignment is done when a passed call (or a completed drill run) made after it was set reaches "
            "the target score.</p>",
            _table(["apprentice", "mentor", "work", "target", "due", "status", "met by", "best so far", "tries"],
                   [[p.assignment.apprentice, p.assignment.mentor,
                     f"{p.assignment.target_kind.value} {p.assignment.target_id}", p.assignment.target_score,
                     p.assignment.due_at[:16].replace("T", " "),
                     Cell(p.status.value + (" (late)" if p.late else ""), status_css[p.status]),
                     _short(p.met_by) if p.met_by else "-", p.best_score, p.attempts] for p in rows],
                   numeric_from=3)]


def _learning_section(rows: list[LearningRow]) -> list[str]:
    """Kirkpatrick level 2: the change from first to latest call beside whether each passed."""
    passing_first = sum(r.first_passed for r in rows)
    passing_latest = sum(r.latest_passed for r in rows)
    summary = (f"<p>{passing_latest} of {len(rows)} trainee and scenario pair(s) pass at the latest call "
               f"({passing_first} at the first). Pass or fail is the scorer's verdict: the overall score must "
               "reach the pass mark and every measured dimension its own mark; hover a fail for why.</p>"
               if rows else "")
    return [
        '<div class="level" id="level-2"><h3>Level 2: Learning</h3>',
        "<p>First and latest score at each scenario (before and after practice).</p>",
        summary,
        paired_bar_chart("First and latest score, per trainee and scenario practised more than once",
                         [PairedRow(f"{r.trainee} / {r.scenario_id}", r.first, r.latest,
                                    "pass" if r.first_passed else "fail", "pass" if r.latest_passed else "fail",
                                    r.pass_mark) for r in rows if r.calls > 1],
                         names=("first call", "latest call")),
        _table(["trainee", "scenario", "calls", "first", "first result", "latest", "latest result", "change",
                "pass mark", "first call", "latest call"],
               [[r.trainee, r.scenario_id, r.calls, r.first, _verdict(r.first_passed, r.first_fail_reasons), r.latest,
                 _verdict(r.latest_passed, r.latest_fail_reasons), r.change, r.pass_mark, _short(r.first_call_id),
                 _short(r.latest_call_id)] for r in rows], numeric_from=2),
        "</div>",
    ]


def _agreement_rows(figures) -> list[list[object]]:
    return [[a.kind, a.items, a.agreed, _percent(round(100 * a.agreement_rate, 1)),
             None if a.kappa is None else round(a.kappa, 2), a.mean_abs_diff] for a in figures]


def _reviews_section(data: ReportData) -> list[str]:
    """Trainer reviews: which calls count with a reviewed score, and how trainers and the machine agree."""
    parts = ['<h2 id="reviews">Trainer reviews and calibration</h2>']
    reviewed = data.reviewed
    if not reviewed:
        return [*parts, '<p class="muted">No call in this report has been reviewed by a trainer '
                        "(<code>callsim review</code>).</p>"]
    parts.append(f"<p>{len(reviewed)} call(s) reviewed by a trainer: every figure in this report uses the "
                 "reviewed score for them (the machine's is beside it here).</p>")
    parts.append(_table(["call", "trainee", "scenario", "machine", "reviewed", "reviewed by"],
                        [[_short(a.call_id), a.trainee, a.scenario_id, a.machine_overall, a.overall,
                          ", ".join(a.reviewed_by)] for a in reviewed], numeric_from=3))
    calibration = data.calibration
    if calibration is None:
        return parts
    headers = ["kind", "items", "agreed", "agreement", "Cohen's kappa", "mean |difference| (points)"]
    parts += ["<h3>Trainers against the machine</h3>",
              "<p>Kappa is agreement beyond chance (1 perfect, 0 no better than chance, - undefined when both "
              "sides gave one answer throughout); dimension rows compare pass/fail and the score "
              "difference.</p>",
              _table(headers, _agreement_rows(calibration.machine)),
              f"<h3>Trainer against trainer ({calibration.trainer_pairs} pair(s) on the same call)</h3>",
              _table(headers, _agreement_rows(calibration.trainers)),
              "<h3>What trainers override most</h3>",
              _table(["kind", "overridden", "items", "example"],
                     [[m.kind, m.overridden, m.items,
                       "; ".join(f"{_short(e.call_id)} turn {e.turn_index}: {e.machine} -> {e.reviewed} ({e.reason})"
                                 for e in m.examples)] for m in calibration.most_overridden])]
    return parts


def render_html(data: ReportData) -> str:
    missed = most_missed_steps(data)
    hardest = hardest_scenarios(data)
    mean_stars, star_counts = reaction_summary(data)
    means = training_means(data)
    drills = drill_stage_scores(data)
    passed = sum(card.passed for _, card in data.practice)
    sections = [
        f"<h1>callsim trainer report: {escape(data.scope.describe())}</h1>",
        f'<p class="muted">Generated {escape(data.generated_at)} from the training store. Every score names its '
        f"call id (first 8 characters); <code>callsim history</code> and <code>callsim score</code> show the "
        f"scorecard behind it.</p>",
        _table(["trainees", "practice calls", "passed", "real calls scored", "ratings", "drill runs"],
               [[len(data.trainees), len(data.practice), passed, len(data.real), len(data.ratings),
                 len(data.drill_runs)]], numeric_from=0),
        '<h2 id="trends">Score trends</h2>',
        _trend_chart(data),
        '<h2 id="missed">Most-missed steps</h2>',
        bar_chart("Share of calls that missed the step", missed, x_max=100, unit="%", color=PALETTE[1]),
        '<h2 id="hardest">Hardest scenarios</h2>',
        bar_chart("Mean overall score (lowest first)", [(r.scenario_id, r.mean_overall) for r in hardest],
                  x_max=100, color=PALETTE[3]),
        _table(["scenario", "calls", "mean overall", "pass rate"],
               [[r.scenario_id, r.calls, r.mean_overall, _percent(r.pass_rate)] for r in hardest]),
        *_teams_section(data),
        *_ranking_section(data),
        *_competitions_section(data),
        *_reviews_section(data),
        *_mentoring_section(data),
        *_honours_section(data),
        '<h2 id="drills">Drill results</h2>',
        bar_chart("Mean score per drill stage", drills, x_max=100, color=PALETTE[4]),
        _table(["drill", "trainee", "started", "baseline", "mean drop", "recovery", "paused after stage"],
               [[run["drill"], run["trainee"], run["started_at"][:16], run["baseline"], run.get("mean_drop"),
                 run["recovery"], run["paused_after_stage"]] for run in data.drill_runs], numeric_from=3),
        '<h2 id="kirkpatrick">The four evaluation levels (Kirkpatrick)</h2>',
        '<div class="level" id="level-1"><h3>Level 1: Reaction</h3>',
        f"<p>{len(data.ratings)} rating(s) after calls; mean "
        f"{'-' if mean_stars is None else f'{mean_stars:.2f}'} of 5 stars.</p>",
        bar_chart("How trainees rated their calls", star_counts, color=PALETTE[2]),
        _table(["call", "stars", "comment"],
               [[_short(r.call_id), r.stars, r.comment or ""] for r in data.ratings if r.comment][-10:]),
        "</div>",
        *_learning_section(learning(data)),
        '<div class="level" id="level-3"><h3>Level 3: Behaviour</h3>',
        "<p>Real calls taken at work, scored with the same rubric (<code>callsim behaviour add</code>), placed by "
        "the date they were taken.</p>",
        _behaviour_chart(data),
        _table(["date", "trainee", "scenario", "overall", "result", "call"],
               [[a.started_at[:10], a.trainee, a.scenario_id, c.overall, _verdict(c.passed, c.fail_reasons),
                 _short(a.call_id)] for a, c in data.real]),
        "</div>",
        '<div class="level" id="level-4"><h3>Level 4: Results</h3>',
        "<p>Work KPIs (<code>callsim kpi import</code>) beside each trainee's mean training score. A first-call "
        "resolution given as a fraction (0.82) is shown as the percentage it stands for (82%).</p>",
        _table(["trainee", "period", "CSAT", "first-call resolution", "handle time s", "complaints",
                "mean training score"],
               [[k.trainee, k.period, k.satisfaction, _percent(as_percent(k.first_call_resolution)), k.handle_time_s,
                 k.complaints, means.get(k.trainee)] for k in data.kpis], numeric_from=2),
        "</div>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>callsim report: {escape(data.scope.describe())}</title><style>{STYLE}</style></head><body>"
            + "\n".join(sections) + "</body></html>\n")
