"""The terms of reference and agenda as editable DOCX and as PDF."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from arusha.assessments.models import AgendaSession, Assessment, TermsOfReference
from arusha.documents.rendering import DocxBuilder, html_to_pdf


def _rows(terms: TermsOfReference) -> list[tuple[str, str]]:
    fields = {field.name: field for field in TermsOfReference._meta.fields}
    return [
        (str(fields[name].verbose_name).capitalize(), getattr(terms, name))
        for name in TermsOfReference.FIELDS
    ]


def _session_row(session: AgendaSession) -> list[str]:
    return [
        date_format(session.date),
        f"{time_format(session.start_time)} - {time_format(session.end_time)}",
        session.title,
        session.location,
        session.lead,
    ]


def _agenda_header() -> list[str]:
    return [_("Date"), _("Time"), _("Session"), _("Place or link"), _("Led by")]


def terms_docx(assessment: Assessment, terms: TermsOfReference, sessions: list[AgendaSession]) -> bytes:
    builder = DocxBuilder(
        _("Terms of reference: %(title)s") % {"title": assessment.title},
        paper=assessment.organization.paper_size,
    )
    builder.paragraph(
        f"{assessment.get_mode_display()} · {assessment.planned_start} - {assessment.planned_end}"
    )
    builder.fields(_rows(terms))
    builder.heading(_("Agenda"))
    if sessions:
        builder.table(header=_agenda_header(), rows=[_session_row(s) for s in sessions])
    else:
        builder.paragraph(_("No session is planned yet."))
    return builder.to_bytes()


def terms_pdf(assessment: Assessment, terms: TermsOfReference, sessions: list[AgendaSession]) -> bytes:
    html = render_to_string(
        "assessments/terms_print.html",
        {
            "assessment": assessment,
            "rows": _rows(terms),
            "header": _agenda_header(),
            "sessions": [_session_row(s) for s in sessions],
        },
    )
    return html_to_pdf(html, paper=assessment.organization.paper_size)
