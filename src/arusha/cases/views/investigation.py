"""Screens of a case's investigation, the authorities cases are referred to, and the lessons drawn.

Every page that shows or takes content builds the person's keyring; when their vault is
locked or they hold no key to the case, the page says so (with a link to the vault)
instead of showing content, and a form sent anyway is refused with the same message
(arusha.cases.views.investigation_base holds what the screens share).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arusha.cases.access import SUPERVISE
from arusha.cases.investigation_forms import (
    AllegationForm,
    CustodyForm,
    EvidenceForm,
    FindingForm,
    InterviewForm,
    PlanForm,
    ProtectionForm,
    RecommendationForm,
    SanctionForm,
)
from arusha.cases.keys import NoKey, VaultLocked
from arusha.cases.models import Allegation, Case, Evidence, Finding
from arusha.cases.services import evidence as evidence_services
from arusha.cases.services import investigation as services
from arusha.cases.services import recommendations
from arusha.cases.services import referral as referral_services
from arusha.cases.services.intake import Upload
from arusha.cases.views.investigation_base import (
    Shown,
    Words,
    back_to,
    case_of,
    download,
    form_screen,
    keyring_of,
    needs_key,
    page,
    posted_version,
    sealed_form_screen,
    url_of,
)
from arusha.core.errors import DomainError
from arusha.core.form_pages import act, form_page
from arusha.core.policies import member, on_object
from arusha.core.requests import organization_of, user_of
from arusha.risks.selectors import links as risk_links


def _allegation(case: Case, pk: int) -> Allegation:
    found = services.allegation_get(case, pk)
    if found is None:
        raise Http404
    return found


def _evidence(case: Case, pk: int) -> Evidence:
    found = evidence_services.evidence_get(case, pk)
    if found is None:
        raise Http404
    return found


# --- The investigation page ----------------------------------------------------------------


@on_object("case", Case, "view")
@require_GET
def investigation(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = case_of(request)
    shown = services.investigation_of(keyring_of(request), current)
    return page(
        request,
        "page",
        current,
        inv=shown,
        steps=services.steps_of(current),
        may_manage_authorities=referral_services.may_manage_authorities(
            user_of(request), current.organization
        ),
    )


# --- Plan ----------------------------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)

    def build() -> tuple[forms.BaseForm, Shown]:
        plan, text = services.plan_text(keyring, current)
        return PlanForm(
            request.POST or None, initial={"text": text, "version": plan.version if plan else 0}
        ), []

    return sealed_form_screen(
        request,
        current,
        "plan",
        Words(
            _("Investigation plan"),
            _("Save the plan"),
            _("The plan is saved. It now waits for a supervisor's approval."),
        ),
        build,
        lambda data: services.plan_write(
            keyring=keyring, case=current, text=data["text"], version=data.get("version")
        ),
        theirs=lambda _plan: {"text": services.plan_text(keyring, current)[1]},
    )


@on_object("case", Case, "supervise")
@require_POST
def plan_approve(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    return act(
        request,
        lambda: services.plan_approve(keyring=keyring, case=current, version=posted_version(request)),
        _("The plan is approved: the investigation may start."),
        back_to(current, "plan"),
    )


# --- Allegations and findings --------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def allegation_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    return sealed_form_screen(
        request,
        current,
        "allegations",
        Words(_("Record an allegation"), _("Record the allegation"), _("The allegation is recorded.")),
        lambda: (AllegationForm(request.POST or None, subjects=services.subjects_of(keyring, current)), []),
        lambda data: services.allegation_add(
            keyring=keyring, case=current, text=data["text"], subject=data.get("subject")
        ),
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def allegation_edit(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    allegation = _allegation(current, pk)

    def build() -> tuple[forms.BaseForm, Shown]:
        subjects = services.subjects_of(keyring, current)
        text, _reasoning = services.allegation_texts(keyring, allegation)
        initial = {"text": text, "subject": allegation.subject_id, "version": allegation.version}
        return AllegationForm(request.POST or None, subjects=subjects, editing=True, initial=initial), []

    return sealed_form_screen(
        request,
        current,
        "allegations",
        Words(
            _("Allegation %(number)d") % {"number": allegation.position},
            _("Save the allegation"),
            _("The allegation is saved."),
        ),
        build,
        lambda data: services.allegation_edit(
            keyring=keyring,
            allegation=allegation,
            text=data["text"],
            subject=data.get("subject"),
            version=data.get("version"),
        ),
        theirs=lambda row: {"text": services.allegation_texts(keyring, row)[0], "subject": row.subject_id},
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def finding(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    allegation = _allegation(current, pk)

    def build() -> tuple[forms.BaseForm, Shown]:
        text, reasoning = services.allegation_texts(keyring, allegation)
        initial = {"finding": allegation.finding, "reasoning": reasoning, "version": allegation.version}
        return FindingForm(request.POST or None, initial=initial), [(_("Allegation"), text)]

    return sealed_form_screen(
        request,
        current,
        "allegations",
        Words(
            _("Finding on allegation %(number)d") % {"number": allegation.position},
            _("Record the finding"),
            _("The finding is recorded. Someone else must now review it."),
        ),
        build,
        lambda data: services.finding_record(
            keyring=keyring,
            allegation=allegation,
            finding=data["finding"],
            reasoning=data["reasoning"],
            version=data.get("version"),
        ),
        theirs=lambda row: {"finding": row.finding, "reasoning": services.allegation_texts(keyring, row)[1]},
    )


@on_object("case", Case, "handle")
@require_POST
def finding_review(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    allegation = _allegation(current, pk)
    return act(
        request,
        lambda: services.finding_review(
            keyring=keyring, allegation=allegation, version=posted_version(request)
        ),
        _("The finding is reviewed."),
        back_to(current, "allegations"),
    )


# --- Decision and sanctions ----------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def sanction_add(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    allegation = _allegation(current, pk)

    def build() -> tuple[forms.BaseForm, Shown]:
        text, reasoning = services.allegation_texts(keyring, allegation)
        finding_label = Finding(allegation.finding).label if allegation.finding else _("no finding yet")
        shown = [(_("Allegation"), text), (_("Finding"), f"{finding_label}\n{reasoning}".strip())]
        return SanctionForm(request.POST or None), shown

    return sealed_form_screen(
        request,
        current,
        "decision",
        Words(
            _("Decision on allegation %(number)d") % {"number": allegation.position},
            _("Record the decision"),
            _("The decision is recorded."),
        ),
        build,
        lambda data: services.sanction_record(
            keyring=keyring,
            allegation=allegation,
            kind=data["kind"],
            amount_recovered=data.get("amount_recovered"),
            reason=data.get("reason") or "",
            decided_on=data.get("decided_on"),
        ),
    )


# --- Evidence ------------------------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)

    def save(data: dict[str, Any]) -> Evidence:
        uploaded = data.get("file")
        upload = None
        if uploaded is not None:
            upload = Upload(
                name=str(uploaded.name or "file"),
                content_type=str(uploaded.content_type or "application/octet-stream"),
                data=uploaded.read(),
            )
        return evidence_services.evidence_register(
            keyring=keyring,
            case=current,
            description=data["description"],
            upload=upload,
            seal_number=data.get("seal_number") or "",
            note=data.get("note") or "",
        )

    return sealed_form_screen(
        request,
        current,
        "evidence",
        Words(
            _("Register an item of evidence"),
            _("Register the item"),
            _("The item is registered and its custody log started."),
        ),
        needs_key(keyring, current, lambda: EvidenceForm(request.POST or None, request.FILES or None)),
        save,
        multipart=True,
    )


@on_object("case", Case, "view", post="handle")
@require_http_methods(["GET", "POST"])
def evidence_detail(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = case_of(request)
    item = _evidence(current, pk)
    keyring = keyring_of(request)
    locked = ""
    description = ""
    file_name = ""
    try:
        description, custody = evidence_services.custody_of(keyring, item)
        file_name = evidence_services.file_name_of(keyring, item)
    except (VaultLocked, NoKey) as error:
        locked = str(error.message)
        custody = [evidence_services.CustodyShown(row=row) for row in evidence_services.custody_events(item)]
    staff = services.staff_of(current.organization)
    form = CustodyForm(request.POST or None, staff=staff)
    url = url_of(current, "case-investigation-evidence", pk=item.pk)
    return form_page(
        request,
        form,
        lambda data: evidence_services.custody_record(
            keyring=keyring,
            evidence=item,
            action=data["action"],
            to=data.get("to"),
            seal_number=data.get("seal_number") or "",
            note=data.get("note") or "",
            at=data.get("at"),
        ),
        success=url,
        message=_("The custody event is recorded."),
        page=lambda status: page(
            request,
            "evidence",
            current,
            status=status,
            item=item,
            description=description,
            file_name=file_name,
            custody=custody,
            locked=locked,
            form=form,
        ),
    )


@on_object("case", Case, "view")
@require_GET
def evidence_file(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = case_of(request)
    item = _evidence(current, pk)
    try:
        name, content_type, data = evidence_services.evidence_file(keyring_of(request), item)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(url_of(current, "case-investigation-evidence", pk=item.pk))
    return download(data, name, content_type)


# --- Interviews, protection, recommendations -----------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def interview_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    return sealed_form_screen(
        request,
        current,
        "interviews",
        Words(_("Record an interview"), _("Record the interview"), _("The interview is recorded.")),
        needs_key(
            keyring,
            current,
            lambda: InterviewForm(request.POST or None, staff=services.staff_of(current.organization)),
        ),
        lambda data: services.interview_record(
            keyring=keyring,
            case=current,
            held_on=data["held_on"],
            lead=data["lead"],
            second=data["second"],
            record=data["record"],
        ),
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def protection_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    return sealed_form_screen(
        request,
        current,
        "protection",
        Words(
            _("Record a protection measure"),
            _("Record the measure"),
            _("The protection measure is recorded."),
        ),
        needs_key(keyring, current, lambda: ProtectionForm(request.POST or None)),
        lambda data: services.protection_add(
            keyring=keyring,
            case=current,
            description=data["description"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
        ),
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, keyring = case_of(request), keyring_of(request)
    extra = services.subject_names(keyring, current)
    form = RecommendationForm(
        request.POST or None,
        find_names=lambda text: services.names_in(text, current.organization, extra),
        processes=risk_links.processes_of(current.organization),
        risks=risk_links.risks_open_to(keyring.user, current.organization),
    )
    return form_screen(
        request,
        current,
        "recommendations",
        Words(
            _("Write a systemic recommendation"),
            _("Save the recommendation"),
            _("The recommendation is saved."),
        ),
        form,
        lambda data: recommendations.recommendation_add(
            actor=keyring.user,
            case=current,
            text=data["text"],
            process=data.get("process") or "",
            process_ref=data.get("process_ref"),
            risk_map=data.get("risk_map") or "",
            risk=data.get("risk"),
        ),
    )


@member(SUPERVISE)
@require_GET
def recommendation_list(request: HttpRequest, organization: str) -> HttpResponse:
    current = organization_of(request)
    return render(
        request,
        "cases/investigation/recommendations.html",
        {"recommendations": recommendations.recommendations_of(current)},
    )
