"""The trend chart: each factor's index across a survey's waves, with its interval (95 %).

Drawn on the server as SVG with documents.charts (presentation attributes only, a
<title> and a <desc>, axes fitted with 1-2-5 ticks), so that the page and the PDF show
the very same image; the page puts a table of the same figures under it. A cell the
analysis suppressed is not drawn at all (the table reads "fewer than k" there).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from arusha.documents.charts import (
    GRID,
    INK,
    MUTED,
    REFERENCES,
    SERIES,
    TARGET,
    nice_axis,
    svg_open,
    text_width,
)
from arusha.documents.numbers import plain_number
from arusha.surveys.presentation import Labels, ordered_factors
from arusha.surveys.results import EVERYONE, OVERALL, Cell, Table

# One colour and one mark shape per wave, so that grey print still tells them apart.
WAVE_COLOURS = (MUTED, TARGET, *REFERENCES, SERIES)
SHAPES = ("circle", "square", "diamond")


def _mark(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _style(position: int, count: int) -> tuple[str, str]:
    """The latest wave in the strong blue, earlier ones in other colours and shapes."""
    if position == count - 1:
        return SERIES, "circle"
    return WAVE_COLOURS[position % (len(WAVE_COLOURS) - 1)], SHAPES[(position + 1) % len(SHAPES)]


def _shown(cell: Cell | None) -> Cell | None:
    return cell if cell is not None and not cell.suppressed and cell.index is not None else None


def trend_chart(
    tables: Sequence[Table], wave_names: Sequence[str], labels: Labels, *, group: str = EVERYONE
) -> SafeString:
    """Factors across, waves side by side within each, a dot for the index and a bar for its interval."""
    factors = ordered_factors({factor for table in tables for factor in table.factors})
    cells = [[_shown(table.cell(factor, group)) for factor in factors] for table in tables]
    figures: list[float | None] = []
    for row in cells:
        for cell in row:
            if cell is not None:
                figures += [cell.index, cell.ci_low, cell.ci_high]
    axis = nice_axis(figures)
    width, plot_h = 640.0, 200.0
    left, right, top = 48.0, 12.0, 20.0
    plot_w = width - left - right
    keys = list(zip(wave_names, range(len(tables)), strict=False))
    legend_lines = _legend_lines([name for name, _position in keys], left, width - right)
    height = top + plot_h + 34 + 18 * legend_lines + 6
    group_name = labels.group(group)
    title = _("Index per factor across waves, with intervals (95 %%): %(group)s") % {"group": group_name}
    description = _(
        "For each factor, one mark per wave for its index on a 0-100 scale, with a vertical bar for its "
        "interval (95 %). Suppressed results are not drawn. The table under the chart gives the same figures."
    )
    parts = svg_open(width, height, title, description, "trend")

    def y(value: float) -> float:
        return top + plot_h * (1 - axis.position(value))

    for tick in axis.ticks:
        parts.append(
            f'<line x1="{left}" y1="{y(float(tick)):.1f}" x2="{width - right}" y2="{y(float(tick)):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(float(tick)) + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(plain_number(tick, axis.decimals))}</text>"
        )
    slot = plot_w / max(len(factors), 1)
    count = len(tables)
    for f_index, factor in enumerate(factors):
        centre = left + slot * (f_index + 0.5)
        name = _("Overall") if factor == OVERALL else factor
        parts.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{INK}">'
            f"{escape(name)}</text>"
        )
        spread = min(slot * 0.7, 14.0 * count)
        for w_index in range(count):
            cell = cells[w_index][f_index]
            if cell is None or cell.index is None:
                continue
            x = centre - spread / 2 + spread * (w_index + 0.5) / count
            colour, shape = _style(w_index, count)
            if cell.ci_low is not None and cell.ci_high is not None:
                parts.append(
                    f'<line x1="{x:.1f}" y1="{y(cell.ci_low):.1f}" x2="{x:.1f}" y2="{y(cell.ci_high):.1f}" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
            parts.append(_mark(shape, x, y(cell.index), colour))
    _legend(parts, keys, count, left=left, top=top + plot_h + 36, right=width - right)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every figure numeric


def _legend_lines(names: Sequence[str], left: float, right: float) -> int:
    lines, x = 1, left
    for name in names:
        item = 22 + text_width(name)
        if x > left and x + item > right:
            lines, x = lines + 1, left
        x += item + 14
    return lines


def _legend(
    parts: list[str], keys: Sequence[tuple[str, int]], count: int, *, left: float, top: float, right: float
) -> None:
    x, y = left, top
    for name, position in keys:
        item = 22 + text_width(name)
        if x > left and x + item > right:
            x, y = left, y + 18
        colour, shape = _style(position, count)
        parts.append(_mark(shape, x + 6, y - 4, colour))
        parts.append(f'<text x="{x + 16:.1f}" y="{y}" fill="{INK}">{escape(name)}</text>')
        x += item + 14
