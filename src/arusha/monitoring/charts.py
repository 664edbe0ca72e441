"""A KPI's chart and its table of figures: the same SVG on the dashboard and in any report.

The chart draws the measured values per reporting period against the targets, the
baseline and the reference values the KPI carries (another administration, a regional
average), each named with its source in the legend. Values are rounded as the KPI says
and fractions drawn as percentages (arusha.documents.numbers), in the chart and in the
table alike.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from arusha.documents import charts, numbers
from arusha.documents.templatetags.documents import kpi_value

if TYPE_CHECKING:
    from arusha.monitoring.selectors import KpiSeries
    from arusha.planning.models import Kpi, KpiReference


def references_of(kpi: Kpi) -> list[KpiReference]:
    """The KPI's reference values by series and date (prefetched by the selectors that draw charts)."""
    return sorted(kpi.reference_values.all(), key=lambda r: (r.label, r.date))


def reference_series(kpi: Kpi) -> list[charts.Reference]:
    """One drawn series per label; its source is the sources of its values, each named once."""
    series = []
    for label, rows in groupby(references_of(kpi), key=lambda r: r.label):
        values = list(rows)
        sources = list(dict.fromkeys(r.source for r in values if r.source))
        series.append(charts.Reference(label, "; ".join(sources), [(r.date, r.value) for r in values]))
    return series


def kpi_chart(series: KpiSeries) -> SafeString:
    """The KPI's values per period against its targets, baseline and reference values."""
    kpi = series.kpi
    style = numbers.Format.of(kpi)
    references = reference_series(kpi)
    latest = series.latest
    description = _("Measured values of %(kpi)s per period, against its targets.") % {"kpi": kpi.code}
    if latest is not None:
        description += " " + _("Latest value: %(value)s (%(period)s).") % {
            "value": style.text(latest.value),
            "period": latest.period.label,
        }
    if references:
        description += " " + _("Reference values: %(series)s.") % {
            "series": "; ".join(r.name for r in references)
        }
    return charts.line_chart(
        [p.period.label for p in series.points],
        [p.value for p in series.points],
        targets=[p.target for p in series.points],
        baseline=kpi.baseline_value,
        title=str(kpi),
        description=description,
        legend=(_("Measured"), _("Target"), _("Baseline")),
        style=style,
        spans=[(p.period.start, p.period.end) for p in series.points],
        references=references,
    )


def kpi_figures(series: KpiSeries) -> SafeString:
    """The table beside a KPI's chart (its accessible alternative), then the reference values.

    Built here rather than in a template: a template loop costs ten times as much.
    """
    kpi = series.kpi
    yes, pending = _("yes"), _("not yet")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                p.period.label,
                kpi_value(p.value, kpi),
                kpi_value(p.target, kpi),
                yes if p.verified else (pending if p.value is not None else "—"),
            )
            for p in series.points
        ),
    )
    head = format_html(
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>',
        _("Period"),
        _("Value"),
        _("Target"),
        _("Verified"),
    )
    table = format_html("<table>{}<tbody>{}</tbody></table>", head, rows)
    references = references_of(kpi)
    if not references:
        return table
    reference_rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((r.label, r.source, date_format(r.date), kpi_value(r.value, kpi)) for r in references),
    )
    return format_html(
        '{}<table><caption>{}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        table,
        _("Reference values"),
        _("Series"),
        _("Source"),
        _("Date"),
        _("Value"),
        reference_rows,
    )
