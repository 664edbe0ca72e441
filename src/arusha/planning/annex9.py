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
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from arusha.core.spreadsheets import append
from arusha.documents.rendering import DocxBuilder
from arusha.planning import kpis
from arusha.planning.models import ActionPlan, Activity, Objective, Outcome, StrategicObjective
from arusha.planning.templatetags.planning import quarters


@dataclass
class Row:
    """One activity's row: the activity itself (for links on the page) and its cells' texts."""

    activity: Activity
    cells: list[str]


@dataclass
class Block:
    """One objective (or the activities without one) with its rows."""

    heading: str
    objective: Objective | None = None
    rows: list[Row] = field(default_factory=list)


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


def _target(activity: Activity) -> str:
    if activity.target:
        return activity.target
    if activity.target_value is None:
        return ""
    first = next(iter(activity.kpis.all()), None)
    unit = first.unit if first is not None else ""
    return f"{kpis.plain(activity.target_value)} {unit}".strip()


def _row(activity: Activity) -> Row:
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
    return Row(
        activity,
        [
            title,
            responsible,
            "\n".join(k.name for k in activity.kpis.all()),
            _target(activity),
            resources,
            period(activity.start_date, activity.due_date),
            "\n".join(o.code for o in activity.strategic_objectives.all()),
        ],
    )


def objective_heading(number: str, objective: Objective) -> str:
    return _("Objective %(number)s: %(text)s") % {"number": number, "text": objective.what}


def sections(plan: ActionPlan) -> list[Section]:
    activities = list(
        plan.activities.select_related("performer", "responsible_division")
        .prefetch_related("strategic_objectives", "kpis")
        .order_by("id")
    )
    objectives = list(plan.objectives.select_related("outcome").prefetch_related("kpis").order_by("id"))
    outcomes = list(plan.outcomes.order_by("id"))
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
            block = Block(objective_heading(f"{number}.{index}", objective), objective)
            block.rows = [_row(a) for a in activities if a.objective_id == objective.pk]
            section.blocks.append(block)
        # Every outcome is shown, even before its objectives are written; the
        # objectives without one only when there are some.
        if outcome is not None or section.blocks:
            result.append(section)
    loose = [_row(a) for a in activities if a.objective_id is None]
    if loose:
        result.append(Section(_("Activities not yet tied to an objective"), None, [Block("", None, loose)]))
    return result


def annex9(plan: ActionPlan) -> Annex9:
    parts = sections(plan)
    goals: dict[int, StrategicObjective] = {}
    for section in parts:
        for block in section.blocks:
            for row in block.rows:
                goals.update((o.pk, o) for o in row.activity.strategic_objectives.all())
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
