"""The register as files: XLSX (arusha.risks.workbook), CSV, PDF and DOCX, all watermarked.

`register_of(actor, cycle)` reads what the person may see of the cycle's register (the
risks RiskPolicy.visible lets through, with their restricted texts: the reader may read
them), and each writer turns it into one format. Nothing here writes to the database;
services/register_io.py audits the exports and runs the slow ones in the worker.

Every format carries the watermark "Confidential — exported by <person> (<email>) on
<date time UTC>": the XLSX in the first row and the printed header and footer of every
sheet, the CSV on a first "#" line, the PDF and the DOCX in the header and the footer of
every page.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_scopes import scope, scopes_disabled

from arusha.core.access import Access, policy_for
from arusha.core.models import Division, User
from arusha.core.spreadsheets import csv_safe
from arusha.documents.rendering import DocxBuilder, html_to_pdf
from arusha.frameworks.factors import FACTOR_NAMES
from arusha.risks import workbook
from arusha.risks.access import authorize_risk
from arusha.risks.appetite import scale_of
from arusha.risks.matrices import Scale
from arusha.risks.models import RESTRICTED_FIELDS, STAGES, Control, Cycle, Risk, Treatment
from arusha.risks.selectors.heatmap import HeatMap, heatmap
from arusha.risks.vocabulary import (
    ControlKind,
    CorruptionType,
    Decision,
    Effectiveness,
    Knowledge,
    RiskFactor,
    RiskStatus,
    Stage,
    TreatmentStatus,
)
from arusha.risks.workbook import SEPARATOR

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Register:
    """The part of a cycle's register one person may see, as every format shows it."""

    cycle: Cycle
    scale: Scale | None
    watermark: str
    exported_at: datetime.datetime
    risks: list[Risk]
    access: Access

    def offices(self, risk: Risk) -> list[str]:
        return sorted(office_key(division) for division in risk.offices.all())


def office_key(division: Division) -> str:
    """How a workbook names an office: its code, or its name when it has none."""
    return division.code or division.name


def watermark(actor: User, when: datetime.datetime) -> str:
    return _("Confidential — exported by %(person)s (%(email)s) on %(when)s") % {
        "person": " ".join((actor.full_name or actor.email).split()),
        "email": actor.email,
        "when": when.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def register_of(actor: User, cycle: Cycle) -> Register:
    """What `actor` may see of the cycle's register, read in a handful of queries."""
    access = authorize_risk(actor, "view", cycle)
    now = timezone.now()
    with scope(organization=cycle.organization):
        visible = policy_for(Risk).visible(access, Risk.objects.filter(cycle=cycle))
        risks = list(
            visible.select_related("process", "owner")
            .prefetch_related(
                "offices",
                Prefetch("controls", queryset=Control.objects.order_by("position", "id")),
                Prefetch(
                    "treatments",
                    queryset=Treatment.objects.select_related("owner").order_by("position", "id"),
                ),
            )
            .order_by("code")
        )
    return Register(cycle, scale_of(cycle), watermark(actor, now), now, risks, access)


def file_name(register: Register, fmt: str) -> str:
    stamp = register.exported_at.astimezone(datetime.UTC).strftime("%Y%m%d-%H%M")
    return f"risk-register-{register.cycle.pk}-{stamp}.{fmt}"


# ---------------------------------------------------------------- XLSX and CSV


def _blank(value: Any) -> Any:
    return None if value == "" else value


def _level_label(register: Register, code: str) -> str:
    return register.scale.level_label(code) if register.scale is not None and code else ""


def register_cells(register: Register, risk: Risk) -> dict[str, Any]:
    """A risk's row of the Register sheet (and of the CSV), by column key."""
    cells: dict[str, Any] = {
        "code": risk.code,
        "process": risk.process.code,
        "process_name": risk.process.name,
        "title": risk.title,
        **{name: getattr(risk, name) for name in RESTRICTED_FIELDS},
        "corruption_types": SEPARATOR.join(risk.corruption_types),
        "factors": SEPARATOR.join(risk.factors),
        "risk_factors": SEPARATOR.join(risk.risk_factors),
        "offices": SEPARATOR.join(register.offices(risk)),
        "owner": risk.owner.email if risk.owner else "",
        "knowledge": risk.knowledge,
        "decision": risk.decision,
        "review_on": risk.review_on.isoformat() if risk.review_on else "",
        "status": risk.status,
    }
    for stage in STAGES:
        cells[f"{stage}_likelihood"] = getattr(risk, f"{stage}_likelihood")
        cells[f"{stage}_impact"] = getattr(risk, f"{stage}_impact")
        cells[f"{stage}_level"] = _level_label(register, getattr(risk, f"{stage}_level"))
    return {key: _blank(value) for key, value in cells.items()}


def _control_cells(risk: Risk, control: Control) -> dict[str, Any]:
    return {
        "risk": risk.code,
        "kind": control.kind,
        "description": control.description,
        "design": _blank(control.design),
        "operation": _blank(control.operation),
    }


def _treatment_cells(risk: Risk, treatment: Treatment) -> dict[str, Any]:
    return {
        "risk": risk.code,
        "title": treatment.title,
        "description": _blank(treatment.description),
        "owner": treatment.owner.email if treatment.owner else None,
        "due_on": treatment.due_on.isoformat() if treatment.due_on else None,
        "status": treatment.status,
    }


def _matrix_name(cycle: Cycle) -> str:
    matrix = cycle.matrix
    if matrix is None:
        return ""
    return _("%(name)s, version %(number)s") % {"name": matrix.name, "number": matrix.number}


def _about(register: Register) -> list[tuple[str, str]]:
    cycle = register.cycle
    ignored = ", ".join(
        f"{sheet}: {column.label}"
        for sheet, columns in workbook.COLUMNS.items()
        for column in columns
        if not column.imported
    )
    return [
        (_("Corruption risk register"), cycle.title),
        (_("Organization"), cycle.organization.name),
        (_("Assessment step"), str(cycle.get_status_display())),
        (_("Risk matrix"), _matrix_name(cycle)),
        (_("Exported"), register.watermark),
        (_("Risks exported"), str(len(register.risks))),
        (
            _("How to import"),
            _(
                "Change the rows of the Register, Controls and Treatments sheets, keep the sheets' names "
                "and their first two rows, and import the workbook on the assessment's import page. A "
                "risk is found by its code; a new code adds a risk. A risk's controls and treatments "
                "become the rows of their sheets. Lists take codes separated by “; ”. Nothing is saved "
                "if any row has a problem."
            ),
        ),
        (_("Written by the platform, not read on import"), ignored),
    ]


def _choices(choices: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in choices if code]


def _legend(register: Register) -> list[tuple[str, list[tuple[str, str]]]]:
    legend: list[tuple[str, list[tuple[str, str]]]] = []
    scale = register.scale
    if scale is not None:
        rows, columns = scale.size
        legend += [
            (_("Likelihood (rank)"), [(str(r), scale.likelihood_label(r)) for r in range(1, rows + 1)]),
            (_("Impact (rank)"), [(str(i), scale.impact_label(i)) for i in range(1, columns + 1)]),
            (_("Risk levels"), [(level.code, level.label) for level in scale.levels()]),
        ]
    with scopes_disabled():
        divisions = list(Division.objects.filter(organization=register.cycle.organization).order_by("name"))
    legend += [
        (_("Corruption types"), _choices(CorruptionType.choices)),
        (_("Key factors"), [(code, str(name)) for code, name in FACTOR_NAMES.items()]),
        (_("Risk factors"), _choices(RiskFactor.choices)),
        (_("Offices"), [(office_key(d), d.name) for d in divisions]),
        (_("Strength of knowledge"), _choices(Knowledge.choices)),
        (_("Treatment decision"), _choices(Decision.choices)),
        (_("Status of a risk"), _choices(RiskStatus.choices)),
        (_("Kind of control"), _choices(ControlKind.choices)),
        (_("Effectiveness of a control"), _choices(Effectiveness.choices)),
        (_("Status of a treatment"), _choices(TreatmentStatus.choices)),
    ]
    return legend


def to_xlsx(register: Register) -> bytes:
    export = workbook.Export(
        watermark=register.watermark,
        about=_about(register),
        legend=_legend(register),
        register=[register_cells(register, risk) for risk in register.risks],
        controls=[_control_cells(risk, c) for risk in register.risks for c in risk.controls.all()],
        treatments=[_treatment_cells(risk, t) for risk in register.risks for t in risk.treatments.all()],
    )
    return workbook.write(export)


def to_csv(register: Register) -> bytes:
    """The Register sheet as CSV: UTF-8 with a byte-order mark, the watermark on a first "#" line."""
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the accents right
    out.write("# " + " ".join(register.watermark.split()) + "\r\n")
    writer = csv.writer(out)
    columns = workbook.REGISTER_COLUMNS
    writer.writerow([csv_safe(str(column.label)) for column in columns])
    for risk in register.risks:
        cells = register_cells(register, risk)
        # csv_safe: a text starting with = + - @ (or a tab) gets an apostrophe, as in every CSV export.
        writer.writerow(["" if cells[c.key] is None else csv_safe(cells[c.key]) for c in columns])
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- PDF and DOCX


@dataclass
class RiskSheet:
    """One risk as the documents show it: its heading, its fields, its controls and treatments."""

    heading: str
    fields: list[tuple[str, str]]
    controls: list[str]
    treatments: list[str]


@dataclass
class ProcessBlock:
    heading: str
    risks: list[RiskSheet] = field(default_factory=list)


def _labels(codes: Sequence[str], names: Mapping[str, Any]) -> str:
    return ", ".join(str(names.get(code, code)) for code in codes)


def _rating(register: Register, risk: Risk, stage: str) -> str:
    likelihood, impact = getattr(risk, f"{stage}_likelihood"), getattr(risk, f"{stage}_impact")
    if likelihood is None or impact is None:
        return pgettext("risk", "not rated")
    level = _level_label(register, getattr(risk, f"{stage}_level"))
    # The multiplication sign reads "by", as in "a five by five matrix": ranks are never multiplied.
    text = _("likelihood %(l)s × impact %(i)s: %(level)s")  # noqa: RUF001
    return text % {"l": likelihood, "i": impact, "level": level}


def _person(user: User | None) -> str:
    return f"{user} ({user.email})" if user is not None else ""


def _control_line(control: Control, kinds: Mapping[str, Any], effectiveness: Mapping[str, Any]) -> str:
    line = f"{kinds.get(control.kind, control.kind)}: {control.description}"
    parts = [
        _("design: %(value)s") % {"value": effectiveness[control.design]} if control.design else "",
        _("operation: %(value)s") % {"value": effectiveness[control.operation]} if control.operation else "",
    ]
    parts = [part for part in parts if part]
    return f"{line} ({'; '.join(parts)})" if parts else line


def _treatment_line(treatment: Treatment, statuses: Mapping[str, Any]) -> str:
    parts = [str(statuses.get(treatment.status, treatment.status))]
    if treatment.owner is not None:
        parts.append(_person(treatment.owner))
    if treatment.due_on is not None:
        parts.append(_("due %(date)s") % {"date": treatment.due_on.isoformat()})
    line = f"{treatment.title} ({'; '.join(parts)})"
    return f"{line}\n{treatment.description}" if treatment.description else line


def sheets(register: Register) -> list[ProcessBlock]:
    """The risks grouped by process (in the catalogue's order), each as the documents show it."""
    types, causes = dict(CorruptionType.choices), dict(RiskFactor.choices)
    knowledge, decisions, statuses = dict(Knowledge.choices), dict(Decision.choices), dict(RiskStatus.choices)
    kinds, effectiveness = dict(ControlKind.choices), dict(Effectiveness.choices)
    treatment_statuses, stages = dict(TreatmentStatus.choices), dict(Stage.choices)
    blocks: dict[int, ProcessBlock] = {}
    for risk in sorted(register.risks, key=lambda r: (r.process.position, r.process.code, r.code)):
        block = blocks.setdefault(risk.process_id, ProcessBlock(f"{risk.process.code} {risk.process.name}"))
        fields = [
            (_("Who"), risk.who),
            (_("With whom"), risk.with_whom),
            (_("What"), risk.what),
            (_("How"), risk.how),
            (_("Benefit"), risk.benefit),
            (_("Notes"), risk.notes),
            (_("Corruption types"), _labels(risk.corruption_types, types)),
            (_("Key factors"), _labels(risk.factors, FACTOR_NAMES)),
            (_("Risk factors"), _labels(risk.risk_factors, causes)),
            (_("Offices"), ", ".join(register.offices(risk))),
            (_("Owner"), _person(risk.owner)),
            *[(str(stages[stage]), _rating(register, risk, stage)) for stage in STAGES],
            (_("Strength of knowledge"), str(knowledge[risk.knowledge]) if risk.knowledge else ""),
            (_("Treatment decision"), str(decisions.get(risk.decision, ""))),
            (_("Review date"), risk.review_on.isoformat() if risk.review_on else ""),
            (_("Status"), str(statuses.get(risk.status, risk.status))),
        ]
        block.risks.append(
            RiskSheet(
                f"{risk.code} {risk.title}",
                [(str(label), value) for label, value in fields if value],
                [_control_line(c, kinds, effectiveness) for c in risk.controls.all()],
                [_treatment_line(t, treatment_statuses) for t in risk.treatments.all()],
            )
        )
    return list(blocks.values())


def _texts(register: Register) -> dict[str, Any]:
    cycle = register.cycle
    return {
        "title": _("Corruption risk register: %(cycle)s") % {"cycle": cycle.title},
        "lines": [
            line
            for line in (
                cycle.organization.name,
                _("Assessment step: %(step)s") % {"step": cycle.get_status_display()},
                _("Risk matrix: %(name)s") % {"name": _matrix_name(cycle)} if cycle.matrix else "",
                _("Risks: %(count)s") % {"count": len(register.risks)},
            )
            if line
        ],
        "heatmap_caption": _(
            "The number of risks in each cell: likelihood in the rows (the highest first), impact in the "
            "columns, and the cell's level."
        ),
    }


def _heatmap(register: Register) -> HeatMap:
    return heatmap(register.cycle, register.access)


def to_pdf(register: Register) -> bytes:
    context = {
        **_texts(register),
        "watermark": register.watermark,
        "map": _heatmap(register),
        "blocks": sheets(register),
    }
    html = render_to_string("risks/io/register_print.html", context)
    return html_to_pdf(html, paper=register.cycle.organization.paper_size)


def _docx_lines(builder: DocxBuilder, lines: Sequence[tuple[str, str]]) -> None:
    """Label and value on one line each, the label in bold: lighter than a table per risk."""
    for label, value in lines:
        paragraph = builder.document.add_paragraph()
        paragraph.paragraph_format.space_after = 0
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)


def to_docx(register: Register) -> bytes:
    texts = _texts(register)
    builder = DocxBuilder(texts["title"], paper=register.cycle.organization.paper_size)
    for line in texts["lines"]:
        builder.paragraph(line)
    hm = _heatmap(register)
    builder.heading(_("Heat maps"))
    builder.paragraph(texts["heatmap_caption"])
    for grid in hm.grids:
        builder.heading(grid.label, level=2)
        builder.table(
            header=["", *[f"{rank} {label}" for rank, label in hm.impacts]],
            rows=[
                [f"{rank} {label}", *[f"{cell.count} ({cell.label})" for cell in cells]]
                for rank, label, cells in grid.rows
            ],
        )
    for block in sheets(register):
        builder.heading(block.heading)
        for sheet in block.risks:
            builder.heading(sheet.heading, level=2)
            _docx_lines(builder, sheet.fields)
            _docx_lines(builder, [(_("Control"), line) for line in sheet.controls])
            _docx_lines(builder, [(_("Treatment"), line) for line in sheet.treatments])
    for section in builder.document.sections:
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            part.paragraphs[0].text = register.watermark
    return builder.to_bytes()


WRITERS: dict[str, Callable[[Register], bytes]] = {
    "xlsx": to_xlsx,
    "csv": to_csv,
    "pdf": to_pdf,
    "docx": to_docx,
}
