"""Screens of steps 1 to 4: scope, workplan, participants, groups, documents, terms and agenda."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments import reports, selectors, services
from arusha.assessments.access import (
    PERMISSION_MANAGE,
    can_contribute,
    can_manage,
    can_view,
)
from arusha.assessments.forms import (
    AssessmentForm,
    DocumentForm,
    InviteForm,
    ParticipantForm,
    ReviewForm,
    SessionForm,
    TaskForm,
    TermsForm,
    WorkingGroupForm,
)
from arusha.assessments.models import Assessment, Participant, Task, WorkingGroup
from arusha.assessments.views.base import assessment_of, context_of, org_of, user_of
from arusha.core.form_pages import form_page
from arusha.core.listing import csv_response, paginate
from arusha.core.permissions import Permission
from arusha.core.policies import member
from arusha.core.requests import notes_of
from arusha.frameworks.templatetags.arusha_text import tr


@member(Permission.VIEW)
def assessment_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    access = notes_of(request).access
    assessments = selectors.assessments_visible(org_of(request), access)
    if request.GET.get("format") == "csv":
        rows = (
            [
                a.title,
                a.get_mode_display(),
                a.get_scope_display(),
                a.planned_start,
                a.planned_end,
                str(a.framework_version),
                f"{getattr(a, 'done_count', 0)}/{getattr(a, 'task_count', 0)}",
            ]
            for a in assessments
        )
        header = [
            _("Title"),
            _("Mode"),
            _("Scope"),
            _("Planned start"),
            _("Planned end"),
            _("Framework"),
            _("Activities done"),
        ]
        return csv_response(f"{org_of(request).slug}-assessments.csv", header, rows)
    context = {"page": paginate(request, assessments), "can_create": access.has(PERMISSION_MANAGE)}
    return render(request, "assessments/assessment_list.html", context)


@member(PERMISSION_MANAGE)
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, organization: str) -> HttpResponse:
    org = org_of(request)
    form = AssessmentForm(request.POST or None, organization=org)

    def create(data: dict[str, Any]) -> Assessment:
        return services.assessment_create(
            actor=user_of(request),
            organization=org,
            scope_kind=data.pop("scope_kind"),
            excluded=data.pop("exclusions"),
            **data,
        )

    return form_page(
        request,
        form,
        create,
        success=lambda assessment: reverse("assessment-detail", args=[org.slug, assessment.pk]),
        message=_("The assessment is opened, with its workplan for the chosen mode."),
        template="assessments/assessment_form.html",
    )


@can_view
def assessment_detail(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    areas = {a.code: a for a in current.framework_version.areas.all()}
    context = context_of(
        request,
        steps=selectors.workplan(current),
        in_scope=[areas[code] for code in selectors.areas_in_scope(current)],
        excluded=[(areas.get(e.area_code), e) for e in current.excluded_areas.all()],
        participant_count=selectors.participants_of(current, active_only=True).count(),
    )
    return render(request, "assessments/assessment_detail.html", context)


@can_view
def workplan(request: HttpRequest, organization: str, assessment: int) -> HttpResponseBase:
    current = assessment_of(request)
    steps = selectors.workplan(current)
    tasks = [task for step in steps for task in step.tasks]
    if request.GET.get("format") == "csv":
        rows = (
            [
                t.code,
                t.title,
                t.get_step_display(),
                t.responsible_roles,
                t.assignee or "",
                t.start_date or "",
                t.due_date or "",
                t.completed_on or "",
                t.note,
            ]
            for t in tasks
        )
        header = [
            _("Activity"),
            _("Title"),
            _("Step"),
            _("Responsible roles"),
            _("Assigned to"),
            _("Start"),
            _("Due"),
            _("Completed on"),
            _("Note"),
        ]
        return csv_response(f"assessment-{current.pk}-workplan.csv", header, rows)
    bars, span = selectors.timeline(current, tasks)
    return render(
        request, "assessments/workplan.html", context_of(request, steps=steps, bars=bars, span=span)
    )


def _task_values(task: Task) -> dict[str, Any]:
    names = ("assignee", "start_date", "due_date", "completed_on", "note", "version")
    return {name: getattr(task, name) for name in names}


@can_manage
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    current = assessment_of(request)
    task = selectors.task_get(current, pk)
    form = TaskForm(request.POST or None, assessment=current, initial=_task_values(task))
    return form_page(
        request,
        form,
        lambda data: services.task_update(actor=user_of(request), task=task, **data),
        success=reverse("assessment-workplan", args=[organization, current.pk]),
        message=_("The activity is saved."),
        template="assessments/task_form.html",
        context=context_of(request, task=task),
        theirs=_task_values,
    )


@can_view
def participant_list(request: HttpRequest, organization: str, assessment: int) -> HttpResponseBase:
    current = assessment_of(request)
    participants = selectors.participants_of(current)
    if request.GET.get("format") == "csv":
        rows = (
            [
                p.user.full_name,
                p.user.email,
                p.get_idg_role_display(),
                p.get_stakeholder_group_display(),
                p.expertise,
                p.get_gender_display(),
                p.working_group or "",
                _("guest") if p.is_guest else "",
                _("revoked") if p.revoked_at else _("active"),
            ]
            for p in participants
        )
        header = [
            _("Name"),
            _("E-mail address"),
            _("IDG role"),
            _("Stakeholder group"),
            _("Area of expertise"),
            _("Gender"),
            _("Working group"),
            _("Guest"),
            _("Status"),
        ]
        return csv_response(f"assessment-{current.pk}-participants.csv", header, rows)
    page = paginate(request, participants)
    shown = list(page.object_list)
    origins = selectors.guest_organizations(current, shown)
    people = [(p, origins.get(p.user_id, "")) for p in shown]
    return render(
        request,
        "assessments/participant_list.html",
        context_of(request, page=page, rows=people),
    )


@can_manage
@require_http_methods(["GET", "POST"])
def participant_invite(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    form = InviteForm(request.POST or None, assessment=current)
    login_url = request.build_absolute_uri(reverse("password_reset"))
    return form_page(
        request,
        form,
        lambda data: services.participant_invite(
            actor=user_of(request), assessment=current, login_url=login_url, **data
        ),
        success=reverse("assessment-participants", args=[organization, current.pk]),
        message=lambda participant: _("%(name)s is invited.") % {"name": participant.user},
        template="assessments/participant_form.html",
        context=context_of(request, participant=None),
    )


def _participant_values(participant: Participant) -> dict[str, Any]:
    names = ("idg_role", "stakeholder_group", "expertise", "gender", "working_group", "version")
    return {name: getattr(participant, name) for name in names}


@can_manage
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    current = assessment_of(request)
    participant = selectors.participant_get(current, pk)
    initial = _participant_values(participant)
    form = ParticipantForm(request.POST or None, assessment=current, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.participant_update(actor=user_of(request), participant=participant, **data),
        success=reverse("assessment-participants", args=[organization, current.pk]),
        message=_("The participation is saved."),
        template="assessments/participant_form.html",
        context=context_of(request, participant=participant),
        theirs=_participant_values,
    )


@can_manage
@require_POST
def participant_revoke(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    participant = selectors.participant_get(assessment_of(request), pk)
    services.participant_revoke(actor=user_of(request), participant=participant)
    messages.success(
        request, _("%(name)s no longer takes part in the assessment.") % {"name": participant.user}
    )
    return redirect("assessment-participants", organization=organization, assessment=assessment)


def _area_choices(current: Assessment) -> list[tuple[str, str]]:
    titles = {a.code: tr(a.title) for a in current.framework_version.areas.all()}
    return [(code, f"{code} {titles[code]}") for code in selectors.areas_in_scope(current)]


@can_view
def working_group_list(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    groups = selectors.working_groups(current)
    assigned = {code for composition in groups for code in composition.group.area_codes}
    unassigned = [label for code, label in _area_choices(current) if code not in assigned]
    return render(
        request,
        "assessments/working_group_list.html",
        context_of(request, groups=groups, unassigned=unassigned),
    )


def _group_values(group: WorkingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "area_codes": group.area_codes,
        "rapporteur": group.rapporteur,
        "version": group.version,
    }


@can_manage
@require_http_methods(["GET", "POST"])
def working_group_edit(
    request: HttpRequest, organization: str, assessment: int, pk: int | None = None
) -> HttpResponse:
    current = assessment_of(request)
    group = selectors.working_group_get(current, pk) if pk is not None else None
    initial = _group_values(group) if group else {}
    form = WorkingGroupForm(request.POST or None, areas=_area_choices(current), group=group, initial=initial)

    def save(data: dict[str, Any]) -> WorkingGroup:
        if group is None:
            return services.working_group_create(actor=user_of(request), assessment=current, **data)
        return services.working_group_update(actor=user_of(request), group=group, **data)

    return form_page(
        request,
        form,
        save,
        success=reverse("assessment-groups", args=[organization, current.pk]),
        message=_("The working group is saved."),
        template="assessments/working_group_form.html",
        context=context_of(request, group=group),
        theirs=_group_values,
    )


@can_view
def document_list(request: HttpRequest, organization: str, assessment: int) -> HttpResponseBase:
    current = assessment_of(request)
    documents = selectors.documents_of(current)
    if request.GET.get("format") == "csv":
        rows = (
            [
                d.get_category_display(),
                d.title,
                d.url or (d.attachment.name if d.attachment else ""),
                d.summary,
                d.reviewed_by or "",
                d.reviewed_on or "",
            ]
            for d in documents
        )
        header = [
            _("Category"),
            _("Title"),
            _("File or link"),
            _("Summary"),
            _("Reviewed by"),
            _("Reviewed on"),
        ]
        return csv_response(f"assessment-{current.pk}-documents.csv", header, rows)
    return render(
        request,
        "assessments/document_list.html",
        context_of(request, groups=selectors.documents_by_category(documents)),
    )


@can_contribute
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    form = DocumentForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        lambda data: services.background_document_add(
            actor=user_of(request), assessment=current, upload=data.pop("file"), **data
        ),
        success=reverse("assessment-documents", args=[organization, current.pk]),
        message=_("The document is added."),
        template="assessments/document_form.html",
        context=context_of(request, document=None),
    )


@can_contribute
@require_http_methods(["GET", "POST"])
def document_review(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    current = assessment_of(request)
    document = selectors.document_get(current, pk)
    initial = {"summary": document.summary, "version": document.version}
    form = ReviewForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.background_document_review(actor=user_of(request), document=document, **data),
        success=reverse("assessment-documents", args=[organization, current.pk]),
        message=_("The review is recorded."),
        template="assessments/document_form.html",
        context=context_of(request, document=document),
    )


@can_view
def document_download(request: HttpRequest, organization: str, assessment: int, pk: int) -> FileResponse:
    document = selectors.document_get(assessment_of(request), pk)
    if document.attachment is None:
        raise Http404
    return FileResponse(
        document.attachment.file.open("rb"), as_attachment=True, filename=document.attachment.name
    )


@can_view
def terms(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    return _terms_page(request, SessionForm(), 200)


@can_manage
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    terms = selectors.terms_of(current)
    form = TermsForm(request.POST or None, instance=terms, initial={"version": terms.version})

    def save(data: dict[str, Any]) -> object:
        version = data.pop("version")
        return services.terms_update(actor=user_of(request), assessment=current, values=data, version=version)

    return form_page(
        request,
        form,
        save,
        success=reverse("assessment-terms", args=[organization, current.pk]),
        message=_("The terms of reference are saved."),
        template="assessments/terms_form.html",
        context=context_of(request),
    )


def _terms_page(request: HttpRequest, session_form: SessionForm, status: int) -> HttpResponse:
    current = assessment_of(request)
    context = context_of(
        request,
        terms=selectors.terms_of(current),
        sessions=selectors.agenda_of(current),
        session_form=session_form,
    )
    return render(request, "assessments/terms.html", context, status=status)


@can_manage
@require_POST
def session_add(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    form = SessionForm(request.POST)
    return form_page(
        request,
        form,
        lambda data: services.agenda_session_add(actor=user_of(request), assessment=current, **data),
        success=reverse("assessment-terms", args=[organization, current.pk]),
        message=_("The session is added to the agenda."),
        page=lambda status: _terms_page(request, form, status),
    )


@can_manage
@require_POST
def session_delete(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    session = selectors.session_get(assessment_of(request), pk)
    services.agenda_session_delete(actor=user_of(request), session=session)
    messages.success(request, _("The session is removed from the agenda."))
    return redirect("assessment-terms", organization=organization, assessment=assessment)


@can_view
def terms_export(request: HttpRequest, organization: str, assessment: int, fmt: str) -> HttpResponse:
    current = assessment_of(request)
    arguments = (current, selectors.terms_of(current), selectors.agenda_of(current))
    if fmt == "pdf":
        body, content_type = reports.terms_pdf(*arguments), "application/pdf"
    elif fmt == "docx":
        body = reports.terms_docx(*arguments)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="assessment-{current.pk}-terms-of-reference.{fmt}"'
    )
    return response
