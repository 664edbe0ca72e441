"""Screens of a case's investigation, the authorities cases are referred to, and the lessons drawn.

Every page that shows or takes content builds the person's keyring; when their vault is
locked or they hold no key to the case, the page says so (with a link to the vault)
instead of showing content, and a form sent anyway is refused with the same message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import Allegation, Case, Evidence, Finding
from arusha.cases.services import evidence as evidence_services
from arusha.cases.services import investigation as services
from arusha.cases.services import referral as referral_services
from arusha.cases.services.intake import Upload
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.policies import member, on_object
from arusha.core.requests import notes_of, object_of, organization_of, user_of

FORM = "cases/investigation/form.html"


def _case(request: HttpRequest) -> Case:
    return object_of(request, "case", Case)


def _keyring(request: HttpRequest) -> Keyring:
    return Keyring.of(request, organization_of(request))


def _url(case: Case, name: str = "case-investigation", **kwargs: Any) -> str:
    return reverse(name, kwargs={"organization": case.organization.slug, "case": case.pk, **kwargs})


def _back(case: Case, anchor: str) -> str:
    return f"{_url(case)}#{anchor}"


def _can(request: HttpRequest) -> dict[str, bool]:
    return notes_of(request).answers.get("case", {})


def _page(request: HttpRequest, template: str, case: Case, status: int = 200, **context: Any) -> HttpResponse:
    return render(
        request,
        f"cases/investigation/{template}.html",
        {"case": case, "can": _can(request), "tab": "investigation", **context},
        status=status,
    )


def _locked(request: HttpRequest, case: Case, error: DomainError, heading: str, anchor: str) -> HttpResponse:
    """The page a form would be on, saying why the person cannot read or write content now."""
    return _page(
        request, "form", case, heading=heading, locked=str(error.message), back_url=_back(case, anchor)
    )


def _form(
    request: HttpRequest,
    case: Case,
    form: Any,
    save: Callable[[dict[str, Any]], object],
    *,
    heading: str,
    submit: str,
    message: str,
    anchor: str,
    theirs: Callable[[Any], dict[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    back = _back(case, anchor)
    return form_page(
        request,
        form,
        save,
        success=back,
        message=message,
        page=lambda status: _page(
            request,
            "form",
            case,
            status=status,
            form=form,
            heading=heading,
            submit=submit,
            back_url=back,
            **context,
        ),
        theirs=theirs,
    )


def _act(request: HttpRequest, action: Callable[[], object], message: str, url: str) -> HttpResponse:
    """A one-button POST: run the service, say how it went, go back."""
    try:
        action()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, message)
    return redirect(url)


def _posted_version(request: HttpRequest) -> int | None:
    try:
        value = int(str(request.POST.get("version", "")))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


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


def _short(text: str, length: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- The investigation page ----------------------------------------------------------------


@on_object("case", Case, "view")
@require_GET
def investigation(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    shown = services.investigation_of(_keyring(request), current)
    return _page(
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
    current = _case(request)
    keyring = _keyring(request)
    heading = _("Investigation plan")
    try:
        plan, text = services.plan_text(keyring, current)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "plan")
    form = PlanForm(request.POST or None, initial={"text": text, "version": plan.version if plan else 0})
    return _form(
        request,
        current,
        form,
        lambda data: services.plan_write(
            keyring=keyring, case=current, text=data["text"], version=data.get("version")
        ),
        heading=heading,
        submit=_("Save the plan"),
        message=_("The plan is saved. It now waits for a supervisor's approval."),
        anchor="plan",
        theirs=lambda _plan: {"text": services.plan_text(keyring, current)[1]},
    )


@on_object("case", Case, "supervise")
@require_POST
def plan_approve(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = _keyring(request)
    return _act(
        request,
        lambda: services.plan_approve(keyring=keyring, case=current, version=_posted_version(request)),
        _("The plan is approved: the investigation may start."),
        _back(current, "plan"),
    )


# --- Allegations and findings --------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def allegation_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = _keyring(request)
    heading = _("Record an allegation")
    try:
        subjects = services.subjects_of(keyring, current)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "allegations")
    form = AllegationForm(request.POST or None, subjects=subjects)
    return _form(
        request,
        current,
        form,
        lambda data: services.allegation_add(
            keyring=keyring, case=current, text=data["text"], subject=data.get("subject")
        ),
        heading=heading,
        submit=_("Record the allegation"),
        message=_("The allegation is recorded."),
        anchor="allegations",
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def allegation_edit(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    allegation = _allegation(current, pk)
    keyring = _keyring(request)
    heading = _("Allegation %(number)d") % {"number": allegation.position}
    try:
        subjects = services.subjects_of(keyring, current)
        text, _reasoning = services.allegation_texts(keyring, allegation)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "allegations")
    form = AllegationForm(
        request.POST or None,
        subjects=subjects,
        editing=True,
        initial={"text": text, "subject": allegation.subject_id, "version": allegation.version},
    )
    return _form(
        request,
        current,
        form,
        lambda data: services.allegation_edit(
            keyring=keyring,
            allegation=allegation,
            text=data["text"],
            subject=data.get("subject"),
            version=data.get("version"),
        ),
        heading=heading,
        submit=_("Save the allegation"),
        message=_("The allegation is saved."),
        anchor="allegations",
        theirs=lambda row: {"text": services.allegation_texts(keyring, row)[0], "subject": row.subject_id},
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def finding(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    allegation = _allegation(current, pk)
    keyring = _keyring(request)
    heading = _("Finding on allegation %(number)d") % {"number": allegation.position}
    try:
        text, reasoning = services.allegation_texts(keyring, allegation)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "allegations")
    form = FindingForm(
        request.POST or None,
        initial={"finding": allegation.finding, "reasoning": reasoning, "version": allegation.version},
    )
    return _form(
        request,
        current,
        form,
        lambda data: services.finding_record(
            keyring=keyring,
            allegation=allegation,
            finding=data["finding"],
            reasoning=data["reasoning"],
            version=data.get("version"),
        ),
        heading=heading,
        submit=_("Record the finding"),
        message=_("The finding is recorded. Someone else must now review it."),
        anchor="allegations",
        theirs=lambda row: {"finding": row.finding, "reasoning": services.allegation_texts(keyring, row)[1]},
        shown=[(_("Allegation"), text)],
    )


@on_object("case", Case, "handle")
@require_POST
def finding_review(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    allegation = _allegation(current, pk)
    keyring = _keyring(request)
    return _act(
        request,
        lambda: services.finding_review(
            keyring=keyring, allegation=allegation, version=_posted_version(request)
        ),
        _("The finding is reviewed."),
        _back(current, "allegations"),
    )


# --- Decision and sanctions ----------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def sanction_add(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    allegation = _allegation(current, pk)
    keyring = _keyring(request)
    heading = _("Decision on allegation %(number)d") % {"number": allegation.position}
    try:
        text, reasoning = services.allegation_texts(keyring, allegation)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "decision")
    form = SanctionForm(request.POST or None)
    finding_label = Finding(allegation.finding).label if allegation.finding else _("no finding yet")
    return _form(
        request,
        current,
        form,
        lambda data: services.sanction_record(
            keyring=keyring,
            allegation=allegation,
            kind=data["kind"],
            amount_recovered=data.get("amount_recovered"),
            reason=data.get("reason") or "",
            decided_on=data.get("decided_on"),
        ),
        heading=heading,
        submit=_("Record the decision"),
        message=_("The decision is recorded."),
        anchor="decision",
        shown=[(_("Allegation"), text), (_("Finding"), f"{finding_label}\n{reasoning}".strip())],
    )


# --- Evidence ------------------------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = _keyring(request)
    heading = _("Register an item of evidence")
    try:
        keyring.key(current)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "evidence")
    form = EvidenceForm(request.POST or None, request.FILES or None)

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

    return _form(
        request,
        current,
        form,
        save,
        heading=heading,
        submit=_("Register the item"),
        message=_("The item is registered and its custody log started."),
        anchor="evidence",
        multipart=True,
    )


@on_object("case", Case, "view", post="handle")
@require_http_methods(["GET", "POST"])
def evidence_detail(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = _case(request)
    item = _evidence(current, pk)
    keyring = _keyring(request)
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
    url = _url(current, "case-investigation-evidence", pk=item.pk)
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
        page=lambda status: _page(
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
    current = _case(request)
    item = _evidence(current, pk)
    try:
        name, content_type, data = evidence_services.evidence_file(_keyring(request), item)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_url(current, "case-investigation-evidence", pk=item.pk))
    return _download(data, name, content_type)


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:100] or "file"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- Interviews, protection, recommendations -----------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def interview_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = _keyring(request)
    heading = _("Record an interview")
    try:
        keyring.key(current)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "interviews")
    form = InterviewForm(request.POST or None, staff=services.staff_of(current.organization))
    return _form(
        request,
        current,
        form,
        lambda data: services.interview_record(
            keyring=keyring,
            case=current,
            held_on=data["held_on"],
            lead=data["lead"],
            second=data["second"],
            record=data["record"],
        ),
        heading=heading,
        submit=_("Record the interview"),
        message=_("The interview is recorded."),
        anchor="interviews",
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def protection_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = _keyring(request)
    heading = _("Record a protection measure")
    try:
        keyring.key(current)
    except (VaultLocked, NoKey) as error:
        return _locked(request, current, error, heading, "protection")
    form = ProtectionForm(request.POST or None)
    return _form(
        request,
        current,
        form,
        lambda data: services.protection_add(
            keyring=keyring,
            case=current,
            description=data["description"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
        ),
        heading=heading,
        submit=_("Record the measure"),
        message=_("The protection measure is recorded."),
        anchor="protection",
    )


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = _case(request)
    keyring = _keyring(request)
    extra = services.subject_names(keyring, current)
    form = RecommendationForm(
        request.POST or None, find_names=lambda text: services.names_in(text, current.organization, extra)
    )
    return _form(
        request,
        current,
        form,
        lambda data: services.recommendation_add(
            actor=keyring.user, case=current, text=data["text"], process=data.get("process") or ""
        ),
        heading=_("Write a systemic recommendation"),
        submit=_("Save the recommendation"),
        message=_("The recommendation is saved."),
        anchor="recommendations",
    )


@member(SUPERVISE)
@require_GET
def recommendation_list(request: HttpRequest, organization: str) -> HttpResponse:
    current = organization_of(request)
    return render(
        request,
        "cases/investigation/recommendations.html",
        {"recommendations": services.recommendations_of(current)},
    )
