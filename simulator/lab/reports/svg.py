"""Small inline SVG charts (no plotting library, no scripts, nothing fetched): line and bar charts.

Every chart is a standalone ``<svg>`` string with a ``<title>`` for screen readers; labels are
escaped, so names from the store cannot inject markup.  Labels are wrapped onto several lines,
never cut: a trainer must be able to read a step id such as ``verify-account`` in full.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
PASS_COLOR = "#2ca02c"
WIDTH = 640
ROW_H = 22
LINE_H = 12  # one wrapped label line at font size 11
BAR_LABEL_CHARS = 30  # what fits in the 200 px label column at font size 11
LEGEND_CHARS = 20  # what fits in the 150 px legend column
MAX_X_TICKS = 10


def wrap_label(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` characters, broken between words where it can be, so
    that an id like ``verify-account`` stays whole; only a word longer than a line is split."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _text_lines(x: float, y: float, lines: list[str], *, size: int = 11, anchor: str = "start") -> str:
    """One ``<text>`` whose lines are ``<tspan>`` rows starting at ``y`` (the first baseline)."""
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if index == 0 else LINE_H}">{escape(line)}</tspan>'
                    for index, line in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">{spans}</text>'


def _frame(title: str, width: int, height: int, body: str, css_class: str) -> str:
    return (f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>{body}</svg>')


# -- line charts --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Point:
    """One plotted value: ``x`` in the chart's own unit (call number, or seconds since the epoch)."""

    x: float
    y: float
    hover: str  # the tooltip: who, when, what score


@dataclass(frozen=True, slots=True)
class XAxis:
    low: float  # the left edge, in the points' x unit
    high: float  # the right edge; above ``low``
    ticks: tuple[tuple[float, str], ...]  # (x, label)
    label: str


def call_number_axis(calls: int, label: str) -> XAxis:
    """Calls 1..``calls``, half a call of room at each end so the first and last points sit inside."""
    step = max(1, math.ceil(calls / MAX_X_TICKS))
    ticks = tuple((float(n), str(n)) for n in range(1, calls + 1, step))
    return XAxis(0.5, max(1, calls) + 0.5, ticks, label)


def date_axis(moments: list[datetime], label: str = "date") -> XAxis:
    """Linear in time, ticks at midnights, from half a day before the first day to the midnight after
    the last: every day has its own stretch of the axis, so two calls on different days never share
    a position, and a call dated at midnight does not sit on the y axis."""
    if not moments:
        return XAxis(0.0, 1.0, (), label)
    first = min(moments).replace(hour=0, minute=0, second=0, microsecond=0)
    last = max(moments).replace(hour=0, minute=0, second=0, microsecond=0)
    days = (last - first).days + 1
    step = max(1, math.ceil(days / 6))
    ticks = tuple(((first + timedelta(days=d)).timestamp(), (first + timedelta(days=d)).strftime("%d %b"))
                  for d in range(0, days, step))
    years = sorted({first.year, last.year})
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    return XAxis((first - timedelta(hours=12)).timestamp(), (last + timedelta(days=1)).timestamp(), ticks,
                 f"{label} ({span})")


def line_chart(title: str, series: dict[str, list[Point]], axis: XAxis, *, pass_marks: tuple[float, ...] = (),
               y_max: float = 100.0, height: int = 260) -> str:
    """One line per series; y from 0 to ``y_max`` with a dashed line at each pass mark."""
    left, right, top, bottom = 40, 150, 20, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def x_of(value: float) -> float:
        return left + plot_w * (value - axis.low) / (axis.high - axis.low)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(value, y_max)) / y_max

    parts = [f'<text x="{left}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    for tick in range(0, 101, 25):
        value = y_max * tick / 100
        y = y_of(value)
        parts.append(f'<g class="y-tick"><line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{value:g}</text></g>')
    for x_value, text in axis.ticks:
        x = x_of(x_value)
        parts.append(f'<g class="x-tick"><line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" '
                     f'stroke="#999"/><text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(text)}</text></g>')
    parts.append(f'<text class="x-label" x="{left + plot_w / 2}" y="{height - 4}" font-size="10" '
                 f'text-anchor="middle">{escape(axis.label)}</text>')
    for mark in pass_marks:
        y = y_of(mark)
        parts.append(f'<line class="pass-mark" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     f'stroke="{PASS_COLOR}" stroke-width="1.5" stroke-dasharray="6 3"><title>pass mark {mark:g}'
                     f'</title></line><text x="{left + plot_w - 4}" y="{y - 3:.1f}" font-size="10" '
                     f'text-anchor="end" fill="{PASS_COLOR}">pass mark {mark:g}</text>')
    if not any(series.values()):
        parts.append(f'<text x="{left + 10}" y="{top + plot_h / 2}" font-size="12">no data yet</text>')
    legend_y = top + 6
    for index, (name, points) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        placed = [(x_of(p.x), y_of(p.y), p) for p in points]
        if len(placed) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in placed)
            parts.append(f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for x, y, point in placed:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{escape(point.hover)}'
                         f'</title></circle>')
        lines = wrap_label(name, LEGEND_CHARS)
        parts.append(f'<rect x="{WIDTH - right + 10}" y="{legend_y - 8}" width="10" height="10" fill="{color}"/>'
                     + _text_lines(WIDTH - right + 24, legend_y + 1, lines))
        legend_y += LINE_H * len(lines) + 2
    return _frame(title, WIDTH, max(height, legend_y), "".join(parts), "line")


# -- bar charts ---------------------------------------------------------------------------------

def bar_chart(title: str, items: list[tuple[str, float]], *, x_max: float | None = None, unit: str = "",
              color: str = PALETTE[0]) -> str:
    """Horizontal bars, one row per item, in the order given; a long label takes several lines."""
    left, right, top = 200, 60, 24
    plot_w = WIDTH - left - right
    top_value = x_max if x_max is not None else max((v for _, v in items), default=1.0) or 1.0
    parts = [f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    if not items:
        parts.append(f'<text x="{left}" y="{top + 14}" font-size="12">no data yet</text>')
    y = top
    for label, value in items:
        lines = wrap_label(label, BAR_LABEL_CHARS)
        row_h = max(ROW_H, LINE_H * len(lines) + 8)
        width = plot_w * max(0.0, min(value, top_value)) / top_value
        bar_y = y + (row_h - ROW_H) / 2
        parts.append(_text_lines(left - 6, y + 14, lines, anchor="end")
                     + f'<rect class="bar" x="{left}" y="{bar_y + 3:.1f}" width="{width:.1f}" height="{ROW_H - 6}" '
                     f'fill="{color}"><title>{escape(label)}: {value:g}{escape(unit)}</title></rect>'
                     f'<text x="{left + width + 4:.1f}" y="{bar_y + 14:.1f}" font-size="11">{value:g}{escape(unit)}'
                     f'</text>')
        y += row_h
    return _frame(title, WIDTH, int(max(y, top + ROW_H) + 10), "".join(parts), "bar")


@dataclass(frozen=True, slots=True)
class PairedRow:
    """Two bars for one label (e.g. first and latest score), each with a short note such as "pass"."""

    label: str
    first: float
    second: float
    first_note: str = ""
    second_note: str = ""
    mark: float | None = None  # drawn as a dashed tick across both bars (the pass mark)


def paired_bar_chart(title: str, rows: list[PairedRow], *, x_max: float = 100.0,
                     names: tuple[str, str] = ("before", "after")) -> str:
    """Two bars per row (e.g. first and latest score), so a drop shows as plainly as a gain."""
    left, right, top = 200, 90, 40
    bar_step = ROW_H - 8
    plot_w = WIDTH - left - right
    colors = ("#9e9e9e", PALETTE[0])
    parts = [f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    for index, name in enumerate(names):
        x = left + index * 90
        parts.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{colors[index]}"/>'
                     f'<text x="{x + 14}" y="31" font-size="11">{escape(name)}</text>')
    if any(row.mark is not None for row in rows):
        x = left + 2 * 90
        parts.append(f'<line x1="{x}" y1="22" x2="{x}" y2="32" stroke="{PASS_COLOR}" stroke-width="2" '
                     f'stroke-dasharray="3 2"/><text x="{x + 6}" y="31" font-size="11">pass mark</text>')
    if not rows:
        parts.append(f'<text x="{left}" y="{top + 14}" font-size="12">no data yet</text>')
    y = top
    for row in rows:
        lines = wrap_label(row.label, BAR_LABEL_CHARS)
        row_h = max(2 * bar_step + 8, LINE_H * len(lines) + 8)
        parts.append(_text_lines(left - 6, y + 12, lines, anchor="end"))
        for index, (value, note) in enumerate(((row.first, row.first_note), (row.second, row.second_note))):
            bar_y = y + index * bar_step
            width = plot_w * max(0.0, min(value, x_max)) / x_max
            shown = f"{value:g} {note}".strip()
            parts.append(f'<rect class="bar" x="{left}" y="{bar_y + 2}" width="{width:.1f}" height="{ROW_H - 10}" '
                         f'fill="{colors[index]}"><title>{escape(row.label)} {escape(names[index])}: '
                         f'{escape(shown)}</title></rect><text x="{left + width + 4:.1f}" y="{bar_y + ROW_H - 10}" '
                         f'font-size="10">{escape(shown)}</text>')
        if row.mark is not None:
            mark_x = left + plot_w * max(0.0, min(row.mark, x_max)) / x_max
            parts.append(f'<line class="pass-mark" x1="{mark_x:.1f}" y1="{y}" x2="{mark_x:.1f}" '
                         f'y2="{y + 2 * bar_step + 2}" '
                         f'stroke="{PASS_COLOR}" stroke-width="2" stroke-dasharray="3 2"><title>pass mark '
                         f'{row.mark:g}</title></line>')
        y += row_h
    return _frame(title, WIDTH, int(max(y, top + ROW_H) + 10), "".join(parts), "paired")
