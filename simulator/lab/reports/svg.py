"""Small inline SVG charts (no plotting library, no scripts, nothing fetched): line and bar charts.

Every chart is a standalone ``<svg>`` string with a ``<title>`` for screen readers; labels are
escaped, so names from the store cannot inject markup.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
WIDTH = 640
ROW_H = 22


def _frame(title: str, width: int, height: int, body: str, css_class: str) -> str:
    return (f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>{body}</svg>')


def line_chart(title: str, series: dict[str, list[float]], *, y_max: float = 100.0, height: int = 260,
               x_label: str = "call") -> str:
    """One line per series over its own sequence (1st, 2nd... value); y from 0 to ``y_max``."""
    left, right, top, bottom = 40, 150, 20, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    longest = max((len(v) for v in series.values()), default=0)
    parts = [f'<text x="{left}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    for tick in range(0, 101, 25):
        y = top + plot_h - plot_h * tick / 100
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{y_max * tick / 100:g}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" font-size="10" text-anchor="middle">'
                 f'{escape(x_label)}</text>')
    if longest == 0:
        parts.append(f'<text x="{left + 10}" y="{top + plot_h / 2}" font-size="12">no data yet</text>')
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        step = plot_w / max(1, longest - 1)
        points = [(left + i * step if longest > 1 else left + plot_w / 2,
                   top + plot_h - plot_h * max(0.0, min(value, y_max)) / y_max) for i, value in enumerate(values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for (x, y), value in zip(points, values):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{escape(name)}: '
                         f'{value:.1f}</title></circle>')
        legend_y = top + 14 * index + 6
        parts.append(f'<rect x="{WIDTH - right + 10}" y="{legend_y - 8}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{WIDTH - right + 24}" y="{legend_y + 1}" font-size="11">{escape(name[:20])}</text>')
    return _frame(title, WIDTH, height, "".join(parts), "line")


def bar_chart(title: str, items: list[tuple[str, float]], *, x_max: float | None = None, unit: str = "",
              color: str = PALETTE[0]) -> str:
    """Horizontal bars, one row per item, in the order given."""
    left, right, top = 200, 60, 24
    height = top + ROW_H * max(1, len(items)) + 10
    plot_w = WIDTH - left - right
    top_value = x_max if x_max is not None else max((v for _, v in items), default=1.0) or 1.0
    parts = [f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    if not items:
        parts.append(f'<text x="{left}" y="{top + 14}" font-size="12">no data yet</text>')
    for row, (label, value) in enumerate(items):
        y = top + row * ROW_H
        width = plot_w * max(0.0, min(value, top_value)) / top_value
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(label[:32])}</text>'
                     f'<rect class="bar" x="{left}" y="{y + 3}" width="{width:.1f}" height="{ROW_H - 6}" '
                     f'fill="{color}"><title>{escape(label)}: {value:g}{escape(unit)}</title></rect>'
                     f'<text x="{left + width + 4:.1f}" y="{y + 14}" font-size="11">{value:g}{escape(unit)}</text>')
    return _frame(title, WIDTH, height, "".join(parts), "bar")


def paired_bar_chart(title: str, rows: list[tuple[str, float, float]], *, x_max: float = 100.0,
                     names: tuple[str, str] = ("before", "after")) -> str:
    """Two bars per row (e.g. first and latest score), so a drop shows as plainly as a gain."""
    left, right, top = 200, 60, 40
    pair_h = 2 * (ROW_H - 8) + 8
    height = top + pair_h * max(1, len(rows)) + 10
    plot_w = WIDTH - left - right
    colors = ("#9e9e9e", PALETTE[0])
    parts = [f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    for index, name in enumerate(names):
        x = left + index * 90
        parts.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{colors[index]}"/>'
                     f'<text x="{x + 14}" y="31" font-size="11">{escape(name)}</text>')
    if not rows:
        parts.append(f'<text x="{left}" y="{top + 14}" font-size="12">no data yet</text>')
    for row, (label, first, second) in enumerate(rows):
        y = top + row * pair_h
        parts.append(f'<text x="{left - 6}" y="{y + ROW_H - 4}" font-size="11" text-anchor="end">'
                     f'{escape(label[:32])}</text>')
        for index, value in enumerate((first, second)):
            bar_y = y + index * (ROW_H - 8)
            width = plot_w * max(0.0, min(value, x_max)) / x_max
            parts.append(f'<rect class="bar" x="{left}" y="{bar_y + 2}" width="{width:.1f}" height="{ROW_H - 10}" '
                         f'fill="{colors[index]}"><title>{escape(label)} {escape(names[index])}: {value:g}</title>'
                         f'</rect><text x="{left + width + 4:.1f}" y="{bar_y + ROW_H - 10}" font-size="10">'
                         f'{value:g}</text>')
    return _frame(title, WIDTH, height, "".join(parts), "paired")
