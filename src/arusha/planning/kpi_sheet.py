"""The KPI metadata sheet (IDG Annex 11) as rows, as an editable DOCX and as a PDF."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from arusha.documents.rendering import DocxBuilder, html_to_pdf
from arusha.planning import kpis
from arusha.planning.models import Kpi


def rows(kpi: Kpi) -> list[tuple[str, str]]:
    """The sheet, field by field, in the order of Annex 11."""
    variables = "\n".join(f"{v['name']}: {v['label']}" for v in kpi.variables)
    typologies = "\n".join(
        f"{kpis.TYPOLOGIES[code][0]}: {kpis.TYPOLOGIES[code][1]}"
        for code in kpi.typologies
        if code in kpis.TYPOLOGIES
    )
    targets = "\n".join(f"{date_format(t.date)}: {kpis.plain(t.value)}" for t in kpi.targets.all())
    baseline = ""
    if kpi.baseline_value is not None:
        baseline = f"{kpis.plain(kpi.baseline_value)}"
        if kpi.baseline_date:
            baseline += f" ({date_format(kpi.baseline_date)})"
    return [
        (_("Code"), kpi.code),
        (_("Name of the indicator"), kpi.name),
        (_("Description"), kpi.description),
        (_("Performance dimension"), kpi.performance_dimension),
        (
            _("Calculation method"),
            (f"{kpi.formula} {kpi.unit}".strip() + (f"\n{variables}" if variables else ""))
            if kpi.formula
            else _("Entered directly, without a formula") + (f" ({kpi.unit})" if kpi.unit else ""),
        ),
        (_("Values are"), kpi.get_value_format_display()),
        (_("Decimals shown"), str(kpi.decimals)),
        (_("Rationale (relevance)"), kpi.rationale),
        (_("Links to other indicators"), "\n".join(str(k) for k in kpi.related.all())),
        (_("Typologies (IDG Annex 10)"), typologies),
        (_("Source of verification"), kpi.source_of_verification),
        (_("References to databases and metadata"), kpi.references),
        (_("Periodicity"), kpi.get_periodicity_display()),
        (_("Disaggregation"), ", ".join(kpi.disaggregation)),
        (_("Baseline"), baseline),
        (_("Dated targets"), targets),
        (_("Direction of good"), kpi.get_direction_display()),
        (
            _("Disclosure policy"),
            kpi.get_disclosure_display() + (f"\n{kpi.disclosure_notes}" if kpi.disclosure_notes else ""),
        ),
        (_("Owner"), str(kpi.owner or "")),
        (_("Data custodian"), kpi.data_custodian),
        (_("Data steward"), kpi.data_steward),
        (_("Other considerations and limitations"), kpi.limitations),
    ]


def title(kpi: Kpi) -> str:
    return _("KPI metadata sheet: %(name)s") % {"name": kpi.name}


def to_docx(kpi: Kpi) -> bytes:
    builder = DocxBuilder(title(kpi), paper=kpi.organization.paper_size)
    builder.fields([(label, value or "—") for label, value in rows(kpi)])
    return builder.to_bytes()


def to_pdf(kpi: Kpi) -> bytes:
    html = render_to_string("planning/kpi_print.html", {"title": title(kpi), "rows": rows(kpi)})
    return html_to_pdf(html, paper=kpi.organization.paper_size)
