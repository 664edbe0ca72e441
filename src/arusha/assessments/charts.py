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
from arusha.documents.charts import GRID, INK, MUTED, svg_open

CURRENT = "#0a5ca8"
EARLIER = "#b35c00"
# Levels 0 to 4 and "not determined", from pale to strong, readable in grey print too.
LEVEL_COLOURS = ("#d7301f", "#fc8d59", "#fdcc8a", "#91bfdb", "#2c7bb6", "#bdbdbd")


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return cx + radius * math.sin(angle), cy - radius * math.cos(angle)


def _polygon(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _runs(series: Sequence[float | None]) -> list[list[int]]:
    """The axes with a value, in runs of neighbours: the outline breaks where an area has none."""
    count = len(series)
    missing = [i for i, value in enumerate(series) if value is None]
    if not missing:
        return [list(range(count))]
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(count):
        i = (missing[0] + 1 + step) % count  # start just after a gap, go round once
        if series[i] is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs


def _wrap(text: str, width: float, font_size: float) -> list[str]:
    """Words over as many lines as the width needs."""
    per_line = max(int(width / (font_size * 0.6)), 10)
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def radar(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    maximum: float,
    title: str,
    description: str,
    earlier: Sequence[float | None] | None = None,
    legend: tuple[str, str] = ("", ""),
    note: str = "",
) -> SafeString:
    """A radar (spider) chart of one value per axis, from 0 to `maximum`.

    An axis without a value (None) is a gap, never a point at 0: the outline stops at
    its neighbours and its label is greyed. `note` is written under the chart, to name
    the gaps ("Not yet answered: KF2, KF3").
    """
    size, cx, cy, radius = 460, 230, 235, 160
    count = max(len(labels), 3)
    angles = [2 * math.pi * i / count for i in range(len(labels))]
    note_lines = _wrap(note, size - 40, 12) if note else []
    legend_y = size + 12
    height = size + 30 + 16 * len(note_lines) + (4 if note_lines else 0)
    parts = svg_open(size, height, title, description, "radar", font_size=12)
    for ring in range(1, int(maximum) + 1):
        r = radius * ring / maximum
        parts.append(
            f'<polygon points="{_polygon([_point(cx, cy, r, a) for a in angles])}" fill="none" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(f'<text x="{cx + 3}" y="{cy - r + 12:.1f}" fill="{INK}" font-size="10">{ring}</text>')
    for index, (label, angle) in enumerate(zip(labels, angles, strict=True)):
        x, y = _point(cx, cy, radius, angle)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        lx, ly = _point(cx, cy, radius + 22, angle)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        gap = values[index] is None
        colour = MUTED if gap else INK
        style = ' font-style="italic"' if gap else ""
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" fill="{colour}"{style}>'
            f"{escape(label)}</text>"
        )

    def shape(series: Sequence[float | None], colour: str, dashed: bool) -> str:
        points = [
            _point(cx, cy, radius * value / maximum, a) if value is not None else None
            for value, a in zip(series, angles, strict=True)
        ]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        runs = _runs(series)
        drawn = []
        if len(runs) == 1 and len(runs[0]) == len(series):
            fill = "none" if dashed else colour
            drawn.append(
                f'<polygon points="{_polygon([p for p in points if p])}" fill="{fill}" fill-opacity="0.18" '
                f'stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        else:
            # With gaps, no area is filled: a filled shape would join across the missing areas.
            for run in runs:
                if len(run) > 1:
                    line = [p for p in (points[i] for i in run) if p]
                    drawn.append(
                        f'<polyline points="{_polygon(line)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2.5"{dash}/>'
                    )
        for point in points:
            if point is not None:
                drawn.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3.5" fill="{colour}"/>')
        return "".join(drawn)

    if earlier is not None:
        parts.append(shape(earlier, EARLIER, dashed=True))
    parts.append(shape(values, CURRENT, dashed=False))
    if earlier is not None and legend[0]:
        y = legend_y
        parts.append(f'<line x1="20" y1="{y}" x2="50" y2="{y}" stroke="{CURRENT}" stroke-width="3"/>')
        parts.append(f'<text x="56" y="{y + 4}" fill="{INK}">{escape(legend[0])}</text>')
        parts.append(
            f'<line x1="240" y1="{y}" x2="270" y2="{y}" stroke="{EARLIER}" stroke-width="3" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(f'<text x="276" y="{y + 4}" fill="{INK}">{escape(legend[1])}</text>')
    for line_number, line in enumerate(note_lines):
        parts.append(
            f'<text x="20" y="{size + 34 + 16 * line_number}" fill="{MUTED}" class="chart-note">'
            f"{escape(line)}</text>"
        )
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
    # The areas drawn as gaps on the radar, in words ("Not yet answered: KF2, KF3."); "" if none.
    gaps: str = ""


def gaps_note(results: Results) -> str:
    """Names the areas that have no mean level: none of their questions answered, or no level determined."""
    unanswered = [r.area.code for r in results.areas if r.answered == 0]
    undetermined = [r.area.code for r in results.areas if r.answered and r.mean is None]
    sentences = []
    if unanswered:
        sentences.append(_("Not yet answered: %(areas)s.") % {"areas": ", ".join(unanswered)})
    if undetermined:
        sentences.append(
            _("Answered, no level determined yet: %(areas)s.") % {"areas": ", ".join(undetermined)}
        )
    return " ".join(sentences)


def result_charts(results: Results) -> ResultCharts:
    """The two charts of the results, in the active language."""
    codes = [r.area.code for r in results.areas]
    means = [r.mean for r in results.areas]
    has_earlier = bool(results.earlier_title)
    summary = "; ".join(
        f"{code} {mean if mean is not None else '—'}" for code, mean in zip(codes, means, strict=True)
    )
    gaps = gaps_note(results)
    description = str(
        _("Mean maturity level (0 to 4) of the answered questions: %(values)s.") % {"values": summary}
    )
    profile = radar(
        codes,
        means,
        maximum=maturity.MAX_LEVEL,
        title=str(_("Maturity profile per area")),
        description=f"{description} {gaps}".strip(),
        earlier=[r.earlier for r in results.areas] if has_earlier else None,
        legend=(str(_("This assessment")), results.earlier_title),
        note=gaps,
    )
    legend = [f"{n} {label}" for n, label in maturity.LEVELS.items()] + [str(_("Not determined"))]
    distribution = stacked_bars(
        [(r.area.code, r.distribution) for r in results.areas],
        legend=legend,
        title=str(_("Distribution of maturity levels per area")),
        description=str(_("Number of answers at each level, per area; the table below gives the figures.")),
    )
    return ResultCharts(radar=profile, distribution=distribution, gaps=gaps)
