"""Screens of findings and of the field-visit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments import selectors, services
from arusha.assessments.access import can_contribute, can_manage, can_view
from arusha.assessments.forms import FieldVisitForm, FindingForm
from arusha.assessments.models import Assessment, Finding, FindingKind, Mode, Priority
from arusha.assessments.views.base import analysis_rights_of, assessment_of, context_of, user_of
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.listing import csv_response
from arusha.frameworks.models import Question
from arusha.frameworks.templatetags.arusha_text import tr


@can_view
def finding_list(request: HttpRequest, organization: str, assessment: int) -> HttpResponseBase:
    current = assessment_of(request)
    wanted = {k: request.GET.get(k, "") for k in ("kind", "area", "priority")}
    findings = selectors.findings_of(current, **wanted)
    if request.GET.get("format") == "csv":
        rows = (
            [
                f.area_code,
                f.get_kind_display(),
                f.title,
                f.description,
                f.recommendation,
                f.get_priority_display(),
                ", ".join(q.code for q in f.questions.all()),
            ]
            for f in findings
        )
        header = [
            _("Area"),
            _("Kind"),
            _("Title"),
            _("What was found"),
            _("Recommendation"),
            _("Suggested priority"),
            _("Questions"),
        ]
        return csv_response(f"assessment-{current.pk}-findings.csv", header, rows)
    areas = selectors.areas_of(current)
    rights = analysis_rights_of(request, [a.code for a in areas])
    context = context_of(
        request,
        findings=findings,
        areas=areas,
        wanted=wanted,
        kinds=FindingKind.choices,
        priorities=Priority.choices,
        rights=rights,
    )
    return render(request, "assessments/finding_list.html", context)


def _questions(current: Assessment, codes: list[str]) -> list[Question]:
    found = selectors.questions_by_code(current, codes)
    missing = [code for code in codes if code not in found]
    if missing:
        raise DomainError(
            _("No question has the code %(codes)s.") % {"codes": ", ".join(missing)}, field="question_codes"
        )
    return [found[code] for code in codes]


def _finding_values(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "area_code": finding.area_code,
        "title": finding.title,
        "description": finding.description,
        "recommendation": finding.recommendation,
        "priority": finding.priority,
        "question_codes": ", ".join(q.code for q in finding.questions.all()),
        "version": finding.version,
    }


@can_contribute
@require_http_methods(["GET", "POST"])
def finding_edit(
    request: HttpRequest, organization: str, assessment: int, pk: int | None = None
) -> HttpResponse:
    current = assessment_of(request)
    finding: Finding | None = selectors.finding_get(current, pk) if pk else None
    areas = selectors.areas_of(current)
    rights = analysis_rights_of(request, [a.code for a in areas])
    choices = [(a.code, f"{a.code} {tr(a.title)}") for a in areas if a.code in rights.edit]
    if finding is not None:
        initial = _finding_values(finding)
    else:
        initial = {
            "question_codes": request.GET.get("question", ""),
            "area_code": request.GET.get("area", ""),
        }
    form = FindingForm(request.POST or None, initial=initial, areas=choices, editing=finding is not None)

    def save(data: dict[str, Any]) -> Finding:
        data["questions"] = _questions(current, data.pop("question_codes"))
        if finding is None:
            return services.finding_create(actor=user_of(request), assessment=current, **data)
        return services.finding_update(actor=user_of(request), finding=finding, **data)

    return form_page(
        request,
        form,
        save,
        success=reverse("assessment-findings", args=[organization, current.pk]),
        message=_("The finding is saved."),
        template="assessments/finding_form.html",
        context=context_of(request, finding=finding),
        theirs=_finding_values,
    )


@can_contribute
@require_POST
def finding_delete(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    finding = selectors.finding_get(assessment_of(request), pk)
    try:
        services.finding_delete(actor=user_of(request), finding=finding)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The finding is deleted."))
    return redirect("assessment-findings", organization=organization, assessment=assessment)


def _visits_page(request: HttpRequest, form: FieldVisitForm, status: int = 200) -> HttpResponse:
    current = assessment_of(request)
    context = context_of(
        request,
        visits=selectors.field_visits_of(current),
        form=form,
        in_country=current.mode == Mode.EXTERNAL_IN_COUNTRY,
    )
    return render(request, "assessments/field_visits.html", context, status=status)


@can_view
def field_visits(request: HttpRequest, organization: str, assessment: int) -> HttpResponseBase:
    current = assessment_of(request)
    if request.GET.get("format") == "csv":
        rows = (
            [v.date, v.get_kind_display(), v.place, v.people_met, v.observations]
            for v in selectors.field_visits_of(current)
        )
        header = [_("Date"), _("Kind of visit"), _("Place"), _("People met"), _("Observations")]
        return csv_response(f"assessment-{current.pk}-field-visits.csv", header, rows)
    return _visits_page(request, FieldVisitForm())


@can_manage
@require_POST
def field_visit_add(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    form = FieldVisitForm(request.POST)
    return form_page(
        request,
        form,
        lambda data: services.field_visit_add(
            actor=user_of(request), assessment=assessment_of(request), **data
        ),
        success=reverse("assessment-visits", args=[organization, assessment]),
        message=_("The visit is logged."),
        page=lambda status: _visits_page(request, form, status),
    )
