"""Small charts drawn on the server as SVG: a series against its targets, and counts as bars.

Same rules as the assessment charts: presentation attributes only (the CSP refuses
style attributes and scripts), a <title> and a <desc>, and a table of the same figures
beside each chart on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1f24"
GRID = "#c5ccd6"
SERIES = "#0a5ca8"
TARGET = "#b35c00"
BASELINE = "#6b7280"

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


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def line_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    targets: Sequence[Number] = (),
    baseline: Number = None,
    title: str,
    description: str,
    legend: tuple[str, str, str] = ("", "", ""),
) -> SafeString:
    """Values per period as a line with dots; targets as a dashed step line; a baseline as a grey rule."""
    width, height = 560, 220
    left, right, top, bottom = 56, 12, 14, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) for v in (*values, *targets, baseline) if v is not None]
    low = min([0.0, *numbers])
    high = max([1.0, *numbers])
    if high == low:
        high = low + 1
    high += (high - low) * 0.08
    count = max(len(labels), 1)
    step = plot_w / count

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = svg_open(width, height, title, description, "line")
    for tick in range(5):
        value = low + (high - low) * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{INK}">{_fmt(value)}</text>'
        )
    every = max(1, count // 12)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{INK}">'
                f"{escape(label)}</text>"
            )
    if baseline is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(float(baseline)):.1f}" x2="{width - right}" '
            f'y2="{y(float(baseline)):.1f}" stroke="{BASELINE}" stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    target_points = [(x(i), y(float(t))) for i, t in enumerate(targets) if t is not None]
    if target_points:
        steps = []
        for (x1, y1), (x2, _y2) in zip(target_points, [*target_points[1:], (None, None)], strict=True):
            steps.append(
                f"{x1 - step / 2:.1f},{y1:.1f} {(x2 - step / 2) if x2 else x1 + step / 2:.1f},{y1:.1f}"
            )
        parts.append(
            f'<polyline points="{" ".join(steps)}" fill="none" stroke="{TARGET}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
    measured = [(x(i), y(float(v))) for i, v in enumerate(values) if v is not None]
    if len(measured) > 1:
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in measured)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{SERIES}" stroke-width="2.5"/>')
    for px, py in measured:
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{SERIES}"/>')
    keys = [(SERIES, legend[0], "")]
    if target_points:
        keys.append((TARGET, legend[1], ' stroke-dasharray="6 4"'))
    if baseline is not None:
        keys.append((BASELINE, legend[2], ' stroke-dasharray="2 3"'))
    lx = left
    for colour, text, dash in keys:
        if not text:
            continue
        parts.append(
            f'<line x1="{lx}" y1="{height - 10}" x2="{lx + 22}" y2="{height - 10}" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
            f'<text x="{lx + 27}" y="{height - 6}" fill="{INK}">{escape(text)}</text>'
        )
        lx += 40 + 7 * len(text)
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
