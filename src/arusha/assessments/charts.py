"""Charts drawn on the server as SVG, so the page and the report show the very same image.

Plain SVG with presentation attributes (no script, no style attribute, which the CSP
refuses), a <title> and a <desc> for screen readers; each chart sits beside a table
with the same figures. The report's DOCX takes a PNG made from the same SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from arusha.assessments import maturity
from arusha.assessments.selectors.results import Results
from arusha.documents.charts import GRID, INK, svg_open

CURRENT = "#0a5ca8"
EARLIER = "#b35c00"
# Levels 0 to 4 and "not determined", from pale to strong, readable in grey print too.
LEVEL_COLOURS = ("#d7301f", "#fc8d59", "#fdcc8a", "#91bfdb", "#2c7bb6", "#bdbdbd")


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return cx + radius * math.sin(angle), cy - radius * math.cos(angle)


def _polygon(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    maximum: float,
    title: str,
    description: str,
    earlier: Sequence[float | None] | None = None,
    legend: tuple[str, str] = ("", ""),
) -> SafeString:
    """A radar (spider) chart of one value per axis, from 0 to `maximum`; None draws as 0."""
    size, cx, cy, radius = 460, 230, 235, 160
    count = max(len(labels), 3)
    angles = [2 * math.pi * i / count for i in range(len(labels))]
    parts = svg_open(size, size + 30, title, description, "radar", font_size=12)
    for ring in range(1, int(maximum) + 1):
        r = radius * ring / maximum
        parts.append(
            f'<polygon points="{_polygon([_point(cx, cy, r, a) for a in angles])}" fill="none" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(f'<text x="{cx + 3}" y="{cy - r + 12:.1f}" fill="{INK}" font-size="10">{ring}</text>')
    for label, angle in zip(labels, angles, strict=True):
        x, y = _point(cx, cy, radius, angle)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        lx, ly = _point(cx, cy, radius + 22, angle)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" fill="{INK}">{escape(label)}</text>'
        )

    def shape(series: Sequence[float | None], colour: str, dashed: bool) -> str:
        points = [
            _point(cx, cy, radius * (value or 0) / maximum, a)
            for value, a in zip(series, angles, strict=True)
        ]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        fill = "none" if dashed else colour
        return (
            f'<polygon points="{_polygon(points)}" fill="{fill}" fill-opacity="0.18" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )

    if earlier is not None:
        parts.append(shape(earlier, EARLIER, dashed=True))
    parts.append(shape(values, CURRENT, dashed=False))
    if earlier is not None and legend[0]:
        y = size + 12
        parts.append(f'<line x1="20" y1="{y}" x2="50" y2="{y}" stroke="{CURRENT}" stroke-width="3"/>')
        parts.append(f'<text x="56" y="{y + 4}" fill="{INK}">{escape(legend[0])}</text>')
        parts.append(
            f'<line x1="240" y1="{y}" x2="270" y2="{y}" stroke="{EARLIER}" stroke-width="3" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(f'<text x="276" y="{y + 4}" fill="{INK}">{escape(legend[1])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every text above is escaped


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    legend: Sequence[str],
    title: str,
    description: str,
) -> SafeString:
    """One horizontal bar per row, split into the counts of each category (see LEVEL_COLOURS)."""
    label_width, bar_width, bar_height, gap = 70, 360, 18, 8
    width_total = label_width + bar_width + 20
    legend_lines = 1 + sum(6.2 * len(name) + 30 for name in legend) // width_total
    height = len(rows) * (bar_height + gap) + 26 + 18 * int(legend_lines)
    parts = svg_open(width_total, height, title, description, "bars", font_size=12)
    for index, (label, counts) in enumerate(rows):
        y = 10 + index * (bar_height + gap)
        parts.append(f'<text x="0" y="{y + 13}" fill="{INK}">{escape(label)}</text>')
        total = sum(counts) or 1
        x = float(label_width)
        for category, count in enumerate(counts):
            if not count:
                continue
            width = bar_width * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar_height}" '
                f'fill="{LEVEL_COLOURS[category]}"><title>{escape(legend[category])}: {count}</title></rect>'
            )
            x += width
    y = 10 + len(rows) * (bar_height + gap) + 6
    x = 0.0
    for category, name in enumerate(legend):
        if x + 6.2 * len(name) + 16 > width_total:
            x, y = 0.0, y + 18
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{LEVEL_COLOURS[category]}"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y + 10}" fill="{INK}" font-size="10">{escape(name)}</text>')
        x += 16 + 6.2 * len(name) + 14
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every text above is escaped


@dataclass(frozen=True)
class ResultCharts:
    radar: SafeString
    distribution: SafeString


def result_charts(results: Results) -> ResultCharts:
    """The two charts of the results, in the active language."""
    codes = [r.area.code for r in results.areas]
    means = [r.mean for r in results.areas]
    has_earlier = bool(results.earlier_title)
    summary = "; ".join(
        f"{code} {mean if mean is not None else '—'}" for code, mean in zip(codes, means, strict=True)
    )
    profile = radar(
        codes,
        means,
        maximum=maturity.MAX_LEVEL,
        title=str(_("Maturity profile per area")),
        description=str(
            _("Mean maturity level (0 to 4) of the answered questions: %(values)s.") % {"values": summary}
        ),
        earlier=[r.earlier for r in results.areas] if has_earlier else None,
        legend=(str(_("This assessment")), results.earlier_title),
    )
    legend = [f"{n} {label}" for n, label in maturity.LEVELS.items()] + [str(_("Not determined"))]
    distribution = stacked_bars(
        [(r.area.code, r.distribution) for r in results.areas],
        legend=legend,
        title=str(_("Distribution of maturity levels per area")),
        description=str(_("Number of answers at each level, per area; the table below gives the figures.")),
    )
    return ResultCharts(radar=profile, distribution=distribution)
