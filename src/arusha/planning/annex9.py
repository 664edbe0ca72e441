"""The action plan in the layout of IDG Annex 9, as XLSX and DOCX, and as a timeline.

Annex 9 groups the activities under each outcome and objective, one row per activity:
activity, responsible person, KPI, performance target, budget and resources, timeline,
and the strategic plan it refers to.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from arusha.core.spreadsheets import append
from arusha.documents.rendering import DocxBuilder
from arusha.planning.models import ActionPlan, Activity, Objective
from arusha.planning.templatetags.planning import quarter


@dataclass
class Block:
    """One objective (or the activities without one) with its rows."""

    heading: str
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)


def header() -> list[str]:
    return [
        _("Activity"),
        _("Responsible person"),
        _("Key performance indicator (KPI)"),
        _("Performance target"),
        _("Budget and resources"),
        _("Timeline"),
        _("Strategic plan"),
    ]


def _row(activity: Activity, objective: Objective | None) -> list[str]:
    responsible = str(activity.performer or activity.responsible_division or "")
    if activity.performer and activity.responsible_division:
        responsible = f"{activity.performer} ({activity.responsible_division})"
    budget = (
        f"{activity.budget_amount} {activity.budget_currency}".strip()
        if activity.budget_amount is not None
        else ""
    )
    resources = "; ".join(part for part in (budget, activity.budget_source, activity.staff) if part)
    timeline = " - ".join(q for q in (quarter(activity.start_date), quarter(activity.due_date)) if q)
    title = activity.title + (f" [{_('confidential')}]" if activity.confidential else "")
    return [
        title,
        responsible,
        # The reverse side of Kpi.objectives, which the stubs do not see through the annotation.
        "; ".join(k.name for k in objective.kpis.all()) if objective else "",  # type: ignore[attr-defined]
        objective.target if objective else "",
        resources,
        timeline,
        ", ".join(o.code for o in activity.strategic_objectives.all()),
    ]


def sections(plan: ActionPlan) -> list[Section]:
    activities = list(
        plan.activities.select_related("performer", "responsible_division")
        .prefetch_related("strategic_objectives")
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
        section = Section(heading)
        mine = [o for o in objectives if (o.outcome_id == (outcome.pk if outcome else None))]
        for index, objective in enumerate(mine, start=1):
            block = Block(f"{number}.{index}: {objective.what}")
            block.rows = [_row(a, objective) for a in activities if a.objective_id == objective.pk]
            section.blocks.append(block)
        if section.blocks:
            result.append(section)
    loose = [_row(a, None) for a in activities if a.objective_id is None]
    if loose:
        result.append(Section(_("Activities not yet tied to an objective"), [Block("", loose)]))
    return result


def to_xlsx(plan: ActionPlan) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has a first sheet
    sheet.title = _("Action plan")[:31]
    # Every cell goes through `append`, which stores text as text: a title or a name
    # typed as "=HYPERLINK(...)" must never become a formula in the exported file.
    append(sheet, [plan.title])
    sheet["A1"].font = Font(bold=True, size=14)
    append(sheet, [_("Period: %(start)s to %(end)s") % {"start": plan.period_start, "end": plan.period_end}])
    columns = header()
    for section in sections(plan):
        append(sheet, [])
        row = append(sheet, [section.heading])
        sheet.cell(row=row, column=1).font = Font(bold=True, size=12)
        for block in section.blocks:
            if block.heading:
                row = append(sheet, [block.heading])
                sheet.cell(row=row, column=1).font = Font(bold=True)
            row = append(sheet, columns)
            for cell in sheet[row]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="DDE6F0")
            for values in block.rows:
                row = append(sheet, values)
                for cell in sheet[row]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFG", (45, 25, 35, 20, 25, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_docx(plan: ActionPlan) -> bytes:
    builder = DocxBuilder(plan.title)
    builder.paragraph(
        _("Period: %(start)s to %(end)s") % {"start": plan.period_start, "end": plan.period_end}
    )
    for section in sections(plan):
        builder.heading(section.heading)
        for block in section.blocks:
            if block.heading:
                builder.heading(block.heading, level=2)
            builder.table(header=header(), rows=block.rows)
    return builder.to_bytes()


@dataclass(frozen=True)
class Bar:
    activity: Activity
    offset: float
    width: float


def timeline(plan: ActionPlan) -> tuple[list[Bar], list[Activity]]:
    """Bars placed in percent of the plan's period; activities without both dates are listed apart."""
    span = max((plan.period_end - plan.period_start).days, 1)
    bars, undated = [], []
    for activity in plan.activities.order_by("start_date", "id"):
        if activity.start_date is None or activity.due_date is None:
            undated.append(activity)
            continue
        offset = (activity.start_date - plan.period_start).days / span * 100
        width = max((activity.due_date - activity.start_date).days, 1) / span * 100
        bars.append(Bar(activity, round(max(offset, 0.0), 2), round(min(width, 100.0 - max(offset, 0.0)), 2)))
    return bars, undated
