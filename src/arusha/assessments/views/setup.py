"""Screens of steps 1 to 4: scope, workplan, participants, groups, documents, terms and agenda."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments import reports, selectors, services
from arusha.assessments.access import can_contribute, can_manage, can_view
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
from arusha.assessments.models import Assessment
from arusha.assessments.views.base import assessment_of, context_of, org_of, user_of
from arusha.core.errors import DomainError
from arusha.core.listing import csv_response, paginate
from arusha.core.policies import member
from arusha.core.roles import Permission
from arusha.core.views import attach_error
from arusha.frameworks.templatetags.arusha_text import tr


@member(Permission.VIEW)
def assessment_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    assessments = selectors.assessment_list(org_of(request))
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
    return render(request, "assessments/assessment_list.html", {"page": paginate(request, assessments)})


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, organization: str) -> HttpResponse:
    org = org_of(request)
    form = AssessmentForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_create(
                actor=user_of(request),
                organization=org,
                title=data["title"],
                framework_version=data["framework_version"],
                mode=data["mode"],
                scope_kind=data["scope_kind"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                responsible_division=data["responsible_division"],
                previous=data["previous"],
                excluded=data["exclusions"],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The assessment is opened, with its workplan for the chosen mode."))
            return redirect("assessment-detail", organization=org.slug, assessment=assessment.pk)
    return render(request, "assessments/assessment_form.html", {"form": form})


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


@can_manage
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    current = assessment_of(request)
    task = selectors.task_get(current, pk)
    initial = {
        "assignee": task.assignee,
        "start_date": task.start_date,
        "due_date": task.due_date,
        "completed_on": task.completed_on,
        "note": task.note,
    }
    form = TaskForm(request.POST or None, assessment=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=user_of(request), task=task, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("assessment-workplan", organization=organization, assessment=current.pk)
    return render(request, "assessments/task_form.html", context_of(request, task=task, form=form))


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
    return render(
        request,
        "assessments/participant_list.html",
        context_of(request, page=paginate(request, participants)),
    )


@can_manage
@require_http_methods(["GET", "POST"])
def participant_invite(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    form = InviteForm(request.POST or None, assessment=current)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_invite(
                actor=user_of(request),
                assessment=current,
                login_url=request.build_absolute_uri(reverse("password_reset")),
                **form.cleaned_data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("%(name)s is invited.") % {"name": participant.user})
            return redirect("assessment-participants", organization=organization, assessment=current.pk)
    return render(
        request, "assessments/participant_form.html", context_of(request, form=form, participant=None)
    )


@can_manage
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    current = assessment_of(request)
    participant = selectors.participant_get(current, pk)
    initial = {
        "idg_role": participant.idg_role,
        "stakeholder_group": participant.stakeholder_group,
        "expertise": participant.expertise,
        "gender": participant.gender,
        "working_group": participant.working_group,
    }
    form = ParticipantForm(request.POST or None, assessment=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(actor=user_of(request), participant=participant, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The participation is saved."))
            return redirect("assessment-participants", organization=organization, assessment=current.pk)
    context = context_of(request, form=form, participant=participant)
    return render(request, "assessments/participant_form.html", context)


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


@can_manage
@require_http_methods(["GET", "POST"])
def working_group_edit(
    request: HttpRequest, organization: str, assessment: int, pk: int | None = None
) -> HttpResponse:
    current = assessment_of(request)
    group = selectors.working_group_get(current, pk) if pk is not None else None
    initial = (
        {"name": group.name, "area_codes": group.area_codes, "rapporteur": group.rapporteur} if group else {}
    )
    form = WorkingGroupForm(request.POST or None, areas=_area_choices(current), group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if group is None:
                services.working_group_create(
                    actor=user_of(request),
                    assessment=current,
                    name=data["name"],
                    area_codes=data["area_codes"],
                )
            else:
                services.working_group_update(
                    actor=user_of(request),
                    group=group,
                    name=data["name"],
                    area_codes=data["area_codes"],
                    rapporteur=data["rapporteur"],
                )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The working group is saved."))
            return redirect("assessment-groups", organization=organization, assessment=current.pk)
    return render(request, "assessments/working_group_form.html", context_of(request, form=form, group=group))


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.background_document_add(
                actor=user_of(request),
                assessment=current,
                category=data["category"],
                title=data["title"],
                summary=data["summary"],
                url=data["url"],
                upload=data["file"],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The document is added."))
            return redirect("assessment-documents", organization=organization, assessment=current.pk)
    return render(request, "assessments/document_form.html", context_of(request, form=form, document=None))


@can_contribute
@require_http_methods(["GET", "POST"])
def document_review(request: HttpRequest, organization: str, assessment: int, pk: int) -> HttpResponse:
    current = assessment_of(request)
    document = selectors.document_get(current, pk)
    form = ReviewForm(request.POST or None, initial={"summary": document.summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.background_document_review(
                actor=user_of(request), document=document, **form.cleaned_data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("assessment-documents", organization=organization, assessment=current.pk)
    return render(
        request, "assessments/document_form.html", context_of(request, form=form, document=document)
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
    current = assessment_of(request)
    context = context_of(
        request,
        terms=selectors.terms_of(current),
        sessions=selectors.agenda_of(current),
        session_form=SessionForm(),
    )
    return render(request, "assessments/terms.html", context)


@can_manage
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    form = TermsForm(request.POST or None, instance=selectors.terms_of(current))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        services.terms_update(actor=user_of(request), assessment=current, values=values)
        messages.success(request, _("The terms of reference are saved."))
        return redirect("assessment-terms", organization=organization, assessment=current.pk)
    return render(request, "assessments/terms_form.html", context_of(request, form=form))


@can_manage
@require_POST
def session_add(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_session_add(actor=user_of(request), assessment=current, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
    if form.errors:
        context = context_of(
            request,
            terms=selectors.terms_of(current),
            sessions=selectors.agenda_of(current),
            session_form=form,
        )
        return render(request, "assessments/terms.html", context, status=400)
    messages.success(request, _("The session is added to the agenda."))
    return redirect("assessment-terms", organization=organization, assessment=current.pk)


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
