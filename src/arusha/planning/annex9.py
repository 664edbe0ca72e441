"""The action plan in the layout of IDG Annex 9, as XLSX and DOCX, and as a timeline.

Annex 9 groups the activities under each outcome and objective, one row per activity:
activity, responsible person, KPIs, performance target, budget and resources, timeline,
and the goals of the administration's strategic plan it serves. Each activity carries
its own KPIs and target; a cell that holds several items (KPIs, goals, resources) has
one per line, so a name with a comma or a semicolon in it is never split.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from arusha.core.spreadsheets import append
from arusha.documents.rendering import DocxBuilder
from arusha.planning import kpis
from arusha.planning.models import ActionPlan, Activity, Kpi, Objective, Outcome, StrategicObjective
from arusha.planning.templatetags.planning import quarters


@dataclass
class Row:
    """One activity's row: the activity itself (for links on the page), its cells' texts and its goals."""

    activity: Activity
    cells: list[str]
    goals: list[StrategicObjective] = field(default_factory=list)


@dataclass
class Block:
    """One objective (or the activities without one) with its rows and the KPIs measuring it."""

    heading: str
    objective: Objective | None = None
    rows: list[Row] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    outcome: Outcome | None = None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Annex9:
    """The whole document: the plan, the goals its activities serve, and its sections."""

    plan: ActionPlan
    header: list[str]
    goals: list[StrategicObjective]
    sections: list[Section]


def header(plan: ActionPlan) -> list[str]:
    """The columns of Annex 9; the last one names the plan's strategic plan when it has one."""
    strategic = (
        _("Strategic plan: %(name)s") % {"name": plan.strategic_plan}
        if plan.strategic_plan
        else _("Strategic plan")
    )
    return [
        _("Activity"),
        _("Responsible person"),
        _("Key performance indicator (KPI)"),
        _("Performance target"),
        _("Budget and resources"),
        _("Timeline"),
        strategic,
    ]


def period(start: datetime.date | None, end: datetime.date | None) -> str:
    """A timeline in quarters, written once when it starts and ends in the same one."""
    return quarters(start, end)


def _target(activity: Activity, units: list[str]) -> str:
    """The target in words, then its figure (in the unit of the first KPI) on a line of its own."""
    if activity.target_value is None:
        return activity.target
    unit = units[0] if units else ""
    figure = f"{kpis.plain(activity.target_value)} {unit}".strip()
    if not activity.target:
        return figure
    return activity.target + "\n" + _("Target value: %(value)s") % {"value": figure}


def _row(activity: Activity, links: _Links, timeline: Callable[[Activity], str]) -> Row:
    responsible = str(activity.performer or activity.responsible_division or "")
    if activity.performer and activity.responsible_division:
        responsible = f"{activity.performer} ({activity.responsible_division})"
    budget = (
        f"{activity.budget_amount} {activity.budget_currency}".strip()
        if activity.budget_amount is not None
        else ""
    )
    resources = "\n".join(part for part in (budget, activity.budget_source, activity.staff) if part)
    title = activity.title + (f" [{_('confidential')}]" if activity.confidential else "")
    measured = links.kpis.get(activity.pk, [])
    goals = links.goals.get(activity.pk, [])
    return Row(
        activity,
        [
            title,
            responsible,
            "\n".join(name for name, _unit in measured),
            _target(activity, [unit for _name, unit in measured]),
            resources,
            timeline(activity),
            "\n".join(goal.code for goal in goals),
        ],
        goals,
    )


def objective_heading(number: str, objective: Objective) -> str:
    return _("Objective %(number)s: %(text)s") % {"number": number, "text": objective.what}


# What an activity's row shows; the other columns (descriptions, ratings...) are not read.
_ROW_COLUMNS = (
    "plan_id",
    "objective_id",
    "title",
    "confidential",
    "target",
    "target_value",
    "budget_amount",
    "budget_currency",
    "budget_source",
    "staff",
    "start_date",
    "due_date",
    "performer__full_name",
    "performer__email",
    "responsible_division__name",
)


@dataclass
class _Links:
    """The plan's many-to-many links, read as pairs: one query per relation for all activities.

    A prefetch would build a queryset per activity and relation (600 for 300 activities),
    which cost more than the rest of the page and left thousands of objects in reference
    cycles for the garbage collector to find.
    """

    kpis: dict[int, list[tuple[str, str]]]  # activity -> (name, unit), in the KPIs' order
    goals: dict[int, list[StrategicObjective]]  # activity -> goals, in their order
    objective_kpis: dict[int, list[Kpi]]  # objective -> KPIs measuring it, in their order


def _links(plan: ActionPlan) -> _Links:
    kpis_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for activity_id, name, unit in (
        Kpi.objects.filter(activities__plan=plan)
        .order_by("code", "id")
        .values_list("activities", "name", "unit")
    ):
        kpis_of[activity_id].append((name, unit))
    goals_of: dict[int, list[StrategicObjective]] = defaultdict(list)
    for goal in (
        StrategicObjective.objects.filter(activities__plan=plan)
        .annotate(for_activity=F("activities"))
        .only("code", "title", "organization_id")
        .order_by("code", "id")
    ):
        goals_of[goal.for_activity].append(goal)
    measuring: dict[int, list[Kpi]] = defaultdict(list)
    for kpi in (
        Kpi.objects.filter(objectives__plan=plan)
        .annotate(for_objective=F("objectives"))
        .only("code", "name", "organization_id")
        .order_by("code", "id")
    ):
        measuring[kpi.for_objective].append(kpi)
    return _Links(kpis_of, goals_of, measuring)


def _timelines() -> Callable[[Activity], str]:
    """An activity's timeline in quarters, each pair of dates written (and translated) once."""
    written: dict[tuple[datetime.date | None, datetime.date | None], str] = {}

    def timeline(activity: Activity) -> str:
        key = (activity.start_date, activity.due_date)
        if key not in written:
            written[key] = period(*key)
        return written[key]

    return timeline


def sections(plan: ActionPlan) -> list[Section]:
    activities = list(
        plan.activities.select_related("performer", "responsible_division").only(*_ROW_COLUMNS).order_by("id")
    )
    objectives = list(plan.objectives.order_by("id"))
    outcomes = list(plan.outcomes.order_by("id"))
    links = _links(plan)
    timeline = _timelines()
    rows_of: dict[int | None, list[Row]] = defaultdict(list)
    for activity in activities:
        rows_of[activity.objective_id].append(_row(activity, links, timeline))
    result = []
    for number, outcome in enumerate([*outcomes, None], start=1):
        heading = (
            _("Outcome %(n)s: %(text)s") % {"n": number, "text": outcome.statement}
            if outcome
            else _("Objectives without an outcome")
        )
        section = Section(heading, outcome)
        mine = [o for o in objectives if (o.outcome_id == (outcome.pk if outcome else None))]
        for index, objective in enumerate(mine, start=1):
            block = Block(
                objective_heading(f"{number}.{index}", objective),
                objective,
                rows_of.get(objective.pk, []),
                links.objective_kpis.get(objective.pk, []),
            )
            section.blocks.append(block)
        # Every outcome is shown, even before its objectives are written; the
        # objectives without one only when there are some.
        if outcome is not None or section.blocks:
            result.append(section)
    loose = rows_of.get(None, [])
    if loose:
        result.append(Section(_("Activities not yet tied to an objective"), None, [Block("", None, loose)]))
    return result


def annex9(plan: ActionPlan) -> Annex9:
    parts = sections(plan)
    goals: dict[int, StrategicObjective] = {}
    for section in parts:
        for block in section.blocks:
            for row in block.rows:
                goals.update((o.pk, o) for o in row.goals)
    return Annex9(plan, header(plan), sorted(goals.values(), key=lambda o: o.code), parts)


def _preamble(plan: ActionPlan) -> list[str]:
    """The lines under the title: the period and the strategic plan the goals belong to."""
    lines = [
        _("Period: %(start)s to %(end)s")
        % {"start": date_format(plan.period_start), "end": date_format(plan.period_end)}
    ]
    if plan.strategic_plan:
        lines.append(_("Strategic plan: %(name)s") % {"name": plan.strategic_plan})
    return lines


def _goals_heading(plan: ActionPlan) -> str:
    if plan.strategic_plan:
        return _("Goals of the %(name)s served by the activities") % {"name": plan.strategic_plan}
    return _("Goals of the strategic plan served by the activities")


def _detail(objective: Objective) -> str:
    """What the objective states beside its activities: its measure, target and deadline."""
    parts = []
    if objective.measure:
        parts.append(_("Measured by: %(measure)s") % {"measure": objective.measure})
    if objective.target:
        parts.append(_("Target: %(target)s") % {"target": objective.target})
    if objective.deadline:
        parts.append(_("Deadline: %(date)s") % {"date": date_format(objective.deadline)})
    return " · ".join(parts)


def to_xlsx(plan: ActionPlan) -> bytes:
    document = annex9(plan)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has a first sheet
    sheet.title = _("Action plan")[:31]
    # Every cell goes through `append`, which stores text as text: a title or a name
    # typed as "=HYPERLINK(...)" must never become a formula in the exported file.
    append(sheet, [plan.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in _preamble(plan):
        append(sheet, [line])
    wrap = Alignment(wrap_text=True, vertical="top")
    if document.goals:
        append(sheet, [])
        row = append(sheet, [_goals_heading(plan)])
        sheet.cell(row=row, column=1).font = Font(bold=True)
        for goal in document.goals:
            append(sheet, [goal.code, goal.title])
    for section in document.sections:
        append(sheet, [])
        row = append(sheet, [section.heading])
        sheet.cell(row=row, column=1).font = Font(bold=True, size=12)
        for block in section.blocks:
            if block.heading:
                row = append(sheet, [block.heading])
                sheet.cell(row=row, column=1).font = Font(bold=True)
            if block.objective is not None and _detail(block.objective):
                append(sheet, [_detail(block.objective)])
            row = append(sheet, document.header)
            for cell in sheet[row]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="DDE6F0")
                cell.alignment = wrap
            for values in block.rows:
                row = append(sheet, values.cells)
                for cell in sheet[row]:
                    cell.alignment = wrap
    for letter, width in zip("ABCDEFG", (45, 25, 35, 25, 25, 18, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_docx(plan: ActionPlan) -> bytes:
    """Landscape on the organization's paper: seven columns need the width."""
    document = annex9(plan)
    builder = DocxBuilder(plan.title, paper=plan.organization.paper_size, landscape=True)
    for line in _preamble(plan):
        builder.paragraph(line)
    if document.goals:
        builder.heading(_goals_heading(plan), level=2)
        builder.fields([(goal.code, goal.title) for goal in document.goals])
    for section in document.sections:
        builder.heading(section.heading)
        for block in section.blocks:
            if block.heading:
                builder.heading(block.heading, level=2)
            if block.objective is not None and _detail(block.objective):
                builder.paragraph(_detail(block.objective))
            builder.table(header=document.header, rows=[row.cells for row in block.rows])
    return builder.to_bytes()
