"""Small charts drawn on the server as SVG: a series against its targets, and counts as bars.

Same rules as the assessment charts: presentation attributes only (the CSP refuses
style attributes and scripts), a <title> and a <desc>, and a table of the same figures
beside each chart on the page. A document shows the very same SVG: the PDF embeds it,
the DOCX takes the PNG that `svg_to_png` makes of it.

Axes are fitted to what they show (values, targets, baselines, reference values) with
ticks at 1, 2 or 5 times a power of ten; zero is on the axis only when the figures come near it.
Values are drawn as the reader sees them in the tables: rounded as the KPI says, a
fraction as a percentage (documents.numbers).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import cairosvg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from arusha.documents import numbers

INK = "#1b1f24"
MUTED = "#4f5761"
GRID = "#c5ccd6"
SERIES = "#0a5ca8"
TARGET = "#b35c00"
BASELINE = "#6b7280"
# Reference series (other administrations, regional averages): told apart by colour and
# by the shape of their marks, so that grey print still separates them.
REFERENCES = ("#6a3d9a", "#1a9641", "#8c510a", "#d01c8b")
REFERENCE_DASHES = ("1 3", "8 3 1 3", "4 2", "10 3")

Number = float | Decimal | None


def svg_open(
    width: float, height: float, title: str, description: str, css: str, font_size: int = 11
) -> list[str]:
    """The opening of every chart: its box, class, font, and its title and description for screen readers."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart {css}" font-family="DejaVu Sans, sans-serif" font-size="{font_size}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]


def svg_to_png(svg: str, *, width: int = 1400) -> bytes:
    """The PNG a DOCX takes of a chart: drawn from the same SVG as the page and the PDF."""
    return bytes(cairosvg.svg2png(bytestring=str(svg).encode(), output_width=width))


def text_width(text: str, font_size: float = 11) -> float:
    """About how wide a text is drawn in DejaVu Sans (a wide face): enough to lay labels out."""
    return len(text) * font_size * 0.6


# Axes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """A value axis: from `low` to `high` with a tick every `step`."""

    low: Decimal
    high: Decimal
    step: Decimal

    @property
    def ticks(self) -> list[Decimal]:
        count = int((self.high - self.low) / self.step)
        exact = Decimal(1).scaleb(-self.decimals)
        return [(self.low + self.step * i).quantize(exact) for i in range(count + 1)]

    @property
    def decimals(self) -> int:
        """How many decimals the tick labels need: 0 for a step of 20, 2 for a step of 0.01."""
        exponent = self.step.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    def position(self, value: Decimal | float) -> float:
        """Where a value sits, from 0 (low) to 1 (high)."""
        return (float(value) - float(self.low)) / float(self.high - self.low)


# The first digits of a "nice" step, best first: 1 reads easiest, then 2, then 5.
NICE = (1, 2, 5)
FEWEST_TICKS, MOST_TICKS = 4, 7


def _with_zero(low: Decimal, high: Decimal) -> bool:
    """Zero belongs on the axis when the figures come near it, or when a single figure needs a scale.

    0.025 alone is drawn from 0; shares between 95 and 99 % are drawn from 94, where
    their differences can be seen. Figures of both signs have zero between them anyway.
    """
    if low == high:
        return True
    if low >= 0:
        return low <= high / 2
    if high <= 0:
        return high >= low / 2
    return True


def nice_axis(values: Iterable[Number], *, zero: bool | None = None) -> Axis:
    """The axis for these figures: 4 to 7 ticks at 1, 2 or 5 times a power of ten, covering them all.

    `zero` forces zero onto the axis (True) or leaves it to the figures (None, see _with_zero).
    """
    figures = [d for d in (numbers.as_decimal(v) for v in values) if d is not None]
    low, high = (min(figures), max(figures)) if figures else (Decimal(0), Decimal(1))
    if zero or (zero is None and _with_zero(low, high)):
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high == 0:
        high = Decimal(1)
    elif low == high:  # a constant that keeps its own scale
        low, high = low - abs(low) / 10, high + abs(high) / 10
    span = high - low
    exponent = math.floor(math.log10(float(span)))
    candidates = []
    for power in range(exponent - 2, exponent + 2):
        for rank, digit in enumerate(NICE):
            step = Decimal(digit).scaleb(power)
            start = (low / step).to_integral_value(ROUND_FLOOR) * step
            end = (high / step).to_integral_value(ROUND_CEILING) * step
            count = int((end - start) / step) + 1
            fits = FEWEST_TICKS <= count <= MOST_TICKS
            # Within 4 to 7 ticks the simplest step wins; otherwise the count nearest to 5.
            candidates.append(((not fits, rank if fits else abs(count - 5), count), Axis(start, end, step)))
    return min(candidates, key=lambda c: c[0])[1]


def tick_label(value: Decimal, axis: Axis, style: numbers.Format) -> str:
    """A tick's text: the step's decimals, and the percent sign of percent indicators."""
    mark = " %" if numbers.suffix(style.value_format, style.unit).startswith(" %") else ""
    return numbers.plain_number(value, axis.decimals) + mark


def unit_caption(style: numbers.Format) -> str:
    """The unit written above the value axis, when the ticks do not carry it already (days, cases)."""
    if numbers.suffix(style.value_format, style.unit).startswith(" %"):
        return ""
    return style.unit.strip()


# A series against its targets ------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Values of the same indicator measured elsewhere, drawn beside the indicator's own series."""

    label: str
    source: str
    points: Sequence[tuple[datetime.date, Number]]

    @property
    def name(self) -> str:
        return f"{self.label} ({self.source})" if self.source else self.label


def _legend(
    parts: list[str], keys: Sequence[tuple[str, str, str, str]], *, left: float, top: float, width: float
) -> float:
    """Legend keys (colour, dash, mark, text) over as many lines as needed; returns the last y."""
    x, y = left, top
    for colour, dash, mark, text in keys:
        item = 34 + text_width(text)
        if x > left and x + item > width:
            x, y = left, y + 16
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x + 24:.1f}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2.5"{dashing}/>'
        )
        if mark:
            parts.append(_mark(mark, x + 12, y - 4, colour))
        parts.append(f'<text x="{x + 29:.1f}" y="{y}" fill="{INK}">{escape(text)}</text>')
        x += item + 14
    return y


def _mark(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} '
            f'{x - 4.5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def _legend_height(keys: Sequence[tuple[str, str, str, str]], *, left: float, width: float) -> float:
    lines, x = 1, left
    for *_rest, text in keys:
        item = 34 + text_width(text)
        if x > left and x + item > width:
            lines, x = lines + 1, left
        x += item + 14
    return 16.0 * lines


def _value_label(figure: Decimal, style: numbers.Format, as_given: bool) -> str:
    if as_given:  # no KPI to say how: the figure without trailing zeros, never in exponent form
        text = f"{figure.normalize():f}"
        return "0" if text == "-0" else text
    return style.shown_text(figure)


def line_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    targets: Sequence[Number] = (),
    baseline: Number = None,
    title: str,
    description: str,
    legend: tuple[str, str, str] = ("", "", ""),
    style: numbers.Format | None = None,
    spans: Sequence[tuple[datetime.date, datetime.date]] | None = None,
    references: Sequence[Reference] = (),
) -> SafeString:
    """Values per period as a line with dots; targets as a dashed step line; a baseline as a grey rule.

    `style` is how the indicator shows its values (numbers.Format.of(kpi)): values are
    drawn rounded, fractions as percentages, and the ticks carry the percent sign.
    `spans` (each period's first and last day) lays the periods out in time, which lets
    `references` (values dated elsewhere) be drawn beside the series; without spans the
    periods are evenly spaced and references are left out of the drawing.
    """
    # Without a KPI's format, values are drawn as given and labelled without trailing zeros.
    as_given = style is None
    style = style or numbers.Format(decimals=numbers.MAX_DECIMALS)
    width, plot_h = 600, 170
    left, right, top = 64, 16, 22
    legend_keys: list[tuple[str, str, str, str]] = []
    if legend[0]:
        legend_keys.append((SERIES, "", "circle", legend[0]))
    drawn_values = [style.figure(v) for v in values]
    drawn_targets = [style.figure(t) for t in targets]
    drawn_baseline = style.figure(baseline)
    if legend[1] and any(t is not None for t in drawn_targets):
        legend_keys.append((TARGET, "6 4", "", legend[1]))
    if legend[2] and drawn_baseline is not None:
        legend_keys.append((BASELINE, "2 3", "", legend[2]))
    drawn_references = [[(day, style.figure(v)) for day, v in r.points if v is not None] for r in references]
    if spans is None:
        drawn_references = [[] for _r in references]
    for index, reference in enumerate(references):
        if drawn_references[index]:
            legend_keys.append(
                (
                    REFERENCES[index % len(REFERENCES)],
                    REFERENCE_DASHES[index % len(REFERENCE_DASHES)],
                    "square" if index % 2 == 0 else "diamond",
                    reference.name,
                )
            )
    legend_h = _legend_height(legend_keys, left=left, width=width - right) if legend_keys else 0
    height = top + plot_h + 30 + legend_h + 8
    plot_w = width - left - right
    count = max(len(labels), 1)

    # Where each period sits across: evenly, or in time when the periods' dates are known.
    if spans is not None and spans:
        days = [d for start, end in spans for d in (start, end)]
        days += [day for points in drawn_references for day, _v in points]
        first = min(days).toordinal()
        last = max(days).toordinal() + 1
        total = max(last - first, 1)

        def at(day: datetime.date, end: bool = False) -> float:
            return left + plot_w * (day.toordinal() + (1 if end else 0) - first) / total

        slots = [(at(start), at(end, end=True)) for start, end in spans]
    else:
        step = plot_w / count
        slots = [(left + step * i, left + step * (i + 1)) for i in range(count)]

        def at(day: datetime.date, end: bool = False) -> float:  # no dates: references are not drawn
            return float(left)

    def x(i: int) -> float:
        return (slots[i][0] + slots[i][1]) / 2

    figures: list[Number] = [*drawn_values, *drawn_targets, drawn_baseline]
    figures += [v for points in drawn_references for _day, v in points]
    axis = nice_axis(figures)

    def y(v: Decimal) -> float:
        return top + plot_h * (1 - axis.position(v))

    parts = svg_open(width, height, title, description, "line")
    caption = unit_caption(style)
    if caption:
        parts.append(
            f'<text x="{left - 4}" y="{top - 10}" text-anchor="end" fill="{MUTED}">{escape(caption)}</text>'
        )
    for tick in axis.ticks:
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(tick_label(tick, axis, style))}</text>"
        )
    # Period labels, left out where they would run into the one before.
    shown_until = -math.inf
    for i, label in enumerate(labels[: len(slots)]):
        half = text_width(label) / 2
        if x(i) - half < shown_until + 6:
            continue
        shown_until = x(i) + half
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    if drawn_baseline is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(drawn_baseline):.1f}" x2="{width - right}" '
            f'y2="{y(drawn_baseline):.1f}" stroke="{BASELINE}" stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    steps = [
        f"{slots[i][0]:.1f},{y(t):.1f} {slots[i][1]:.1f},{y(t):.1f}"
        for i, t in enumerate(drawn_targets[: len(slots)])
        if t is not None
    ]
    if steps:
        parts.append(
            f'<polyline points="{" ".join(steps)}" fill="none" stroke="{TARGET}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
    for index, points in enumerate(drawn_references):
        colour = REFERENCES[index % len(REFERENCES)]
        placed = [(at(day), y(v)) for day, v in sorted(points) if v is not None]
        if len(placed) > 1:
            parts.append(
                f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in placed)}" fill="none" '
                f'stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="{REFERENCE_DASHES[index % len(REFERENCE_DASHES)]}"/>'
            )
        for px, py in placed:
            parts.append(_mark("square" if index % 2 == 0 else "diamond", px, py, colour))
    measured = [(i, v) for i, v in enumerate(drawn_values[: len(slots)]) if v is not None]
    if len(measured) > 1:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in measured)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{SERIES}" stroke-width="2.5"/>')
    # Direct labels: every value when there are few, else the latest only.
    labelled = measured if len(measured) <= 8 else measured[-1:]
    for i, v in measured:
        parts.append(_mark("circle", x(i), y(v), SERIES))
    for i, v in labelled:
        above = y(v) - 8 > top
        parts.append(
            f'<text x="{x(i):.1f}" y="{y(v) - 8 if above else y(v) + 16:.1f}" text-anchor="middle" '
            f'fill="{SERIES}" font-weight="bold">{escape(_value_label(v, style, as_given))}</text>'
        )
    if legend_keys:
        _legend(parts, legend_keys, left=left, top=top + plot_h + 46, width=width - right)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped or numeric


def bar_chart(items: Sequence[tuple[str, int, str]], *, title: str, description: str) -> SafeString:
    """Horizontal bars: (label, count, colour) per row."""
    width, row = 460, 30
    left = 130
    height = row * max(len(items), 1) + 10
    top = max([1, *(count for _label, count, _colour in items)])
    parts = svg_open(width, height, title, description, "bars")
    for i, (label, count, colour) in enumerate(items):
        y = 5 + i * row
        length = (width - left - 50) * count / top
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" fill="{colour}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 18}" fill="{INK}">{count}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped, counts are integers
