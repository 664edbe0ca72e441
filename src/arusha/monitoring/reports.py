"""The evaluation report (IDG Part V) and the review report (IDG Part VI) of a plan.

Each is assembled once as sections (arusha.documents.report) and written as PDF and as
editable DOCX on the organization's paper, by the task worker (services/reports.py).
KPI figures are rounded to each KPI's decimals; areas are named, not only coded.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from arusha.documents import numbers
from arusha.documents.report import Block, Chart, Paragraph, Report, Section, Table
from arusha.frameworks.templatetags.arusha_text import tr
from arusha.monitoring import selectors
from arusha.monitoring.charts import kpi_chart
from arusha.monitoring.models import CarryOver, Evaluation, ReviewIndicator
from arusha.monitoring.review import comparison, gap_rows
from arusha.planning import kpis as kpi_values
from arusha.planning import selectors as planning_selectors

if TYPE_CHECKING:
    import datetime

    from arusha.frameworks.models import Area
    from arusha.planning.models import ActionPlan, Kpi


def figure(kpi: Kpi, value: Decimal | None) -> str:
    """A KPI's value as its metadata sheet says to show it: rounded to its decimals, with its unit.

    The same text as the charts of the same document (documents.numbers).
    """
    return numbers.format_kpi_value(value, kpi)


def area_name(area: Area) -> str:
    """The area as "KF1 Leadership": its code once, then its name in the reader's language."""
    return f"{area.code} {tr(area.title)}".strip()


def _date(value: datetime.date | None) -> str:
    return date_format(value) if value else "—"


def _subtitle(plan: ActionPlan) -> str:
    return f"{plan.organization} · {plan.title} · {date_format(timezone.localdate())}"


def _plan_section(plan: ActionPlan) -> Section:
    """The plan, its period and its reporting periods, and where its activities stand."""
    setup = selectors.setup_of(plan)
    periods = selectors.periods_of(plan)
    totals, count = selectors.state_totals(plan, selectors.Filters(), timezone.localdate())
    if periods:
        reporting = ngettext(
            "%(first)s to %(last)s: %(count)s period",
            "%(first)s to %(last)s: %(count)s periods",
            len(periods),
        ) % {"first": periods[0].label, "last": periods[-1].label, "count": len(periods)}
    else:
        reporting = _("No reporting period yet")
    rows = [
        [_("Action plan"), plan.title],
        [_("Period of the plan"), f"{_date(plan.period_start)} - {_date(plan.period_end)}"],
        [_("Assessment"), plan.assessment.title],
        [_("Status"), plan.get_status_display()],
        [_("Reporting periods"), reporting],
        [_("Reporting frequency"), setup.get_frequency_display() if setup else "—"],
        [_("Coordinator"), str(setup.coordinator) if setup else "—"],
        [_("Activities"), str(count)],
        *[[str(label), str(number)] for _state, label, number in totals],
    ]
    if plan.strategic_plan:
        rows.insert(1, [_("Strategic plan"), plan.strategic_plan])
    return Section(_("The plan"), [Table([_("Item"), _("Value")], rows)])


def _ratings(subject: str, named: list[tuple[str, Evaluation | None]], empty: str) -> Block:
    if not named:
        return Paragraph(empty)
    rows = []
    for name, evaluation in named:
        if evaluation is None:
            rows.append([name, "—", "—", "—", _("Not evaluated yet")])
        else:
            rows.append(
                [
                    name,
                    evaluation.get_relevance_display(),
                    evaluation.get_success_display(),
                    evaluation.get_cost_effectiveness_display(),
                    evaluation.narrative,
                ]
            )
    return Table([subject, _("Relevance"), _("Success"), _("Cost-effectiveness"), _("Notes")], rows)


def _latest_rows(series: list[selectors.KpiSeries]) -> Block:
    """Each KPI at its latest measurement, against its baseline and the target then in force."""
    if not series:
        return Paragraph(_("No indicator measures this plan's objectives."))
    rows = []
    for line in series:
        latest = line.latest
        rows.append(
            [
                str(line.kpi),
                figure(line.kpi, line.kpi.baseline_value),
                figure(line.kpi, latest.value) if latest else "—",
                latest.period.label if latest else _("Not measured yet"),
                figure(line.kpi, latest.target) if latest else "—",
            ]
        )
    return Table([_("Indicator"), _("Baseline"), _("Latest value"), _("Period"), _("Target in force")], rows)


def _period_rows(series: list[selectors.KpiSeries], today: datetime.date) -> Table:
    """Each KPI's value and target in every period that has started or was measured."""
    yes, pending = _("yes"), _("not yet")
    rows = [
        [
            str(line.kpi),
            point.period.label,
            figure(line.kpi, point.value),
            figure(line.kpi, point.target),
            yes if point.verified else (pending if point.value is not None else "—"),
        ]
        for line in series
        for point in line.points
        if point.value is not None or point.period.start <= today
    ]
    return Table([_("Indicator"), _("Period"), _("Value"), _("Target"), _("Verified")], rows)


def _charts(series: list[selectors.KpiSeries]) -> list[Block]:
    """The dashboard's chart of every measured KPI: the same drawing on screen, in the PDF and the DOCX."""
    return [
        Chart(kpi_chart(one), _("%(kpi)s: values per period against the targets") % {"kpi": one.kpi})
        for one in series
        if one.latest is not None
    ]


def evaluation_report(plan: ActionPlan) -> Report:
    """IDG Part V: the ratings of each objective and KPI, the KPI figures, the gap analysis."""
    today = timezone.localdate()
    with scope(organization=plan.organization):
        objectives = planning_selectors.objectives_of(plan)
    kpis = selectors.plan_kpis(plan)
    by_objective, by_kpi = selectors.evaluations_of(plan)
    series = selectors.kpi_series(plan, selectors.periods_of(plan), kpis)
    gaps = [
        [
            area_name(row.area),
            "—" if row.baseline is None else str(row.baseline),
            str(row.activities),
            str(row.done),
            str(row.initial["remaining_gap"]) if row.initial else _("Not analysed yet"),
            (_("yes") if row.initial["revisit"] else _("no")) if row.initial else "—",
        ]
        for row in gap_rows(plan)
    ]
    figures = Section(_("Indicator figures"), [_latest_rows(series), *_charts(series)])
    if series:
        figures.blocks.append(Paragraph(_("Values and targets per reporting period")))
        figures.blocks.append(_period_rows(series, today))
    return Report(
        title=_("Evaluation of the action plan"),
        subtitle=_subtitle(plan),
        paper=plan.organization.paper_size,
        sections=[
            _plan_section(plan),
            # Notes are long texts: the ratings need the width of landscape pages.
            Section(
                _("Evaluation of the objectives"),
                [
                    _ratings(
                        _("Objective"),
                        [(o.what, by_objective.get(o.pk)) for o in objectives],
                        _("The plan has no objective."),
                    )
                ],
                wide=True,
            ),
            Section(
                _("Evaluation of the indicators"),
                [
                    _ratings(
                        _("Indicator"),
                        [(str(k), by_kpi.get(k.pk)) for k in kpis],
                        _("No indicator measures this plan's objectives."),
                    )
                ],
                wide=True,
            ),
            figures,
            Section(
                _("Integrity gap analysis"),
                [
                    Table(
                        [
                            _("Area"),
                            _("Assessed level"),
                            _("Activities"),
                            _("Done"),
                            _("Remaining gap"),
                            _("Revisit"),
                        ],
                        gaps,
                    )
                ],
            ),
        ],
    )


def _indicator_value(indicator: ReviewIndicator) -> str:
    if indicator.kpi is not None:
        return figure(indicator.kpi, indicator.value)
    return f"{kpi_values.plain(indicator.value)} {indicator.unit}".strip()


def _comparison_section(plan: ActionPlan) -> Section | None:
    cycle = selectors.cycle_of(plan)
    if cycle is None:
        return None
    compared = comparison(cycle.assessment)
    section = Section(_("The second assessment compared with the first"))
    section.blocks.append(
        Paragraph(
            _("The second assessment “%(title)s” was opened on %(date)s.")
            % {"title": cycle.assessment.title, "date": _date(cycle.started_on)}
        )
    )

    def level(value: float | None) -> str:
        return "—" if value is None else str(value)

    section.blocks.append(
        Table(
            [_("Area"), _("First assessment"), _("Second assessment"), _("Change")],
            [[area_name(r.area), level(r.earlier), level(r.mean), level(r.change)] for r in compared.areas],
        )
    )
    changed = len(compared.changes)
    section.blocks.append(
        Paragraph(
            ngettext("%(count)s question changed level.", "%(count)s questions changed level.", changed)
            % {"count": changed}
        )
    )
    return section


def _conclusions(plan: ActionPlan) -> Section:
    """What the review concludes: the areas to revisit, the next cycle, the fate of the activities."""
    section = Section(_("Conclusions"))
    revisit = [row for row in gap_rows(plan) if row.initial and row.initial["revisit"]]
    if revisit:
        section.blocks.append(Paragraph(_("Areas to revisit in the next self-assessment")))
        section.blocks.append(
            Table(
                [_("Area"), _("Remaining gap")],
                [[area_name(row.area), str(row.initial["remaining_gap"])] for row in revisit if row.initial],
            )
        )
    else:
        section.blocks.append(Paragraph(_("No area is marked to be revisited in the next self-assessment.")))
    cycle = selectors.cycle_of(plan)
    if cycle is None:
        section.blocks.append(Paragraph(_("The next cycle has not started.")))
    elif cycle.next_plan is not None:
        section.blocks.append(Paragraph(_("The next plan: %(title)s.") % {"title": cycle.next_plan.title}))
    with scope(organization=plan.organization):
        decided = list(
            CarryOver.objects.filter(activity__plan_id=plan.pk).select_related("activity", "new_activity")
        )
    if decided:
        section.blocks.append(Paragraph(_("What the next plan does with this plan's activities")))
        section.blocks.append(
            Table(
                [_("Activity"), _("Decision"), _("Reason")],
                [[c.activity.title, c.get_decision_display(), c.reason or "—"] for c in decided],
            )
        )
    earlier = selectors.carry_overs(plan)
    if earlier:
        section.blocks.append(Paragraph(_("What became of the earlier plan's activities")))
        section.blocks.append(
            Table(
                [_("Earlier activity"), _("Decision"), _("Reason"), _("In this plan")],
                [
                    [
                        c.activity.title,
                        c.get_decision_display(),
                        c.reason or "—",
                        c.new_activity.title if c.new_activity else "—",
                    ]
                    for c in earlier
                ],
            )
        )
    return section


def review_report(plan: ActionPlan) -> Report:
    """IDG Part VI: the review indicators, the KPIs at the end, the comparison, the conclusions."""
    kpis = selectors.plan_kpis(plan)
    series = selectors.kpi_series(plan, selectors.periods_of(plan), kpis)
    indicators = selectors.indicators_of(plan)
    indicator_section = Section(_("Review indicators of this cycle"))
    if indicators:
        indicator_section.blocks.append(
            Table(
                [_("Indicator"), _("Description"), _("Value"), _("Source")],
                [
                    [i.get_kind_display(), i.label or "—", _indicator_value(i), i.source or "—"]
                    for i in indicators
                ],
            )
        )
    else:
        indicator_section.blocks.append(Paragraph(_("No review indicator recorded yet.")))
    sections = [
        _plan_section(plan),
        indicator_section,
        Section(_("Indicators of the plan"), [_latest_rows(series), *_charts(series)]),
    ]
    compared = _comparison_section(plan)
    if compared is not None:
        sections.append(compared)
    sections.append(_conclusions(plan))
    return Report(
        title=_("Review of the action plan"),
        subtitle=_subtitle(plan),
        paper=plan.organization.paper_size,
        sections=sections,
    )


# The reports by the name their URLs and jobs use.
REPORTS: dict[str, Callable[[ActionPlan], Report]] = {
    "evaluation": evaluation_report,
    "review": review_report,
}
