"""Screens of the situational analysis (IDG step 5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arusha.assessments import maturity, selectors, services, workbook
from arusha.assessments.access import AnalysisRights, can_answer, can_contribute, can_view, rights_for
from arusha.assessments.forms import AnalysisFilterForm, CommentForm, ResponseForm, WorkbookForm
from arusha.assessments.models import Assessment, Response, ResponseDraft, ResponseStatus
from arusha.assessments.views.base import analysis_rights_of, assessment_of, context_of, user_of
from arusha.core.errors import DomainError
from arusha.core.form_pages import submit
from arusha.core.jobs import job_recent_for
from arusha.core.jobs_views import job_context, job_poll_response
from arusha.core.listing import csv_response
from arusha.core.models import JobStatus
from arusha.core.requests import is_htmx
from arusha.core.selectors import attachments_on, comments_on
from arusha.core.views import attach_error
from arusha.frameworks.models import Area, Question
from arusha.frameworks.templatetags.arusha_text import tr


def _rating_label(value: str) -> str:
    return str(maturity.Rating(value).label) if value else ""


def _back(organization: str, current: Assessment, code: str) -> HttpResponse:
    return redirect("assessment-response", organization=organization, assessment=current.pk, code=code)


def _matches(response: Response | None, status: str) -> bool:
    if not status:
        return True
    if status == "unanswered":
        return response is None or response.version == 0
    return response is not None and response.version > 0 and response.status == status


@dataclass(frozen=True)
class _Row:
    code: str
    url: str
    text: str
    status: str
    status_label: str
    level: str
    saved: str


@dataclass(frozen=True)
class _Section:
    """One area of the analysis page: its questions, folded under its progress."""

    area: Area
    rows: list[_Row]
    editable: bool
    progress: selectors.Progress
    open: bool


def _short(text: str, words: int = 24) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def _rows_of(questions: list[Question], responses: dict[int, Response], base: str) -> dict[int, _Row]:
    """The lines of the analysis page, prepared here: 282 of them render far faster without
    template filters and per-row translations (labels are translated once, dates in ISO)."""
    labels = {value: str(label) for value, label in ResponseStatus.choices}
    not_answered = str(_("Not answered"))
    rows = {}
    for question in questions:
        response = responses.get(question.pk)
        url = f"{base}{question.code}/"
        text = _short(tr(question.text))
        if response is None or response.version == 0:
            rows[question.pk] = _Row(question.code, url, text, "none", not_answered, "", "")
            continue
        saved_at = (
            timezone.localtime(response.updated_at).strftime("%Y-%m-%d %H:%M") if response.updated_at else ""
        )
        rows[question.pk] = _Row(
            code=question.code,
            url=url,
            text=text,
            status=response.status,
            status_label=labels[response.status],
            level="—" if response.level is None else str(response.level),
            saved=f"{response.updated_by or ''} {saved_at}".strip(),
        )
    return rows


def _csv(current: Assessment, questions: list[Question]) -> HttpResponseBase:
    full = selectors.answers_with_text(current)
    rows = []
    for question in questions:
        response = full.get(question.pk)
        answered = response is not None and response.version > 0
        rows.append(
            [
                question.code,
                question.area.code,
                tr(question.text),
                response.get_status_display() if response and answered else _("Not answered"),
                maturity.level_label(response.level) if response and answered else "",
                *[getattr(response, f"get_{n}_display")() if response else "" for n in maturity.FIELDS],
                response.narrative if response else "",
            ]
        )
    header = [
        _("Question"),
        _("Area"),
        _("Text"),
        _("Status"),
        _("Maturity level"),
        *[str(d.label) for d in maturity.DIMENSIONS],
        _("Answer"),
    ]
    return csv_response(f"assessment-{current.pk}-answers.csv", header, rows)


@can_view
def analysis(request: HttpRequest, organization: str, assessment: int) -> HttpResponseBase:
    current = assessment_of(request)
    areas = selectors.areas_of(current)
    rights = analysis_rights_of(request, [a.code for a in areas])
    questions = selectors.questions_in_scope(current, areas)
    if request.GET.get("format") == "csv":
        return _csv(current, questions)
    responses = selectors.responses_of(current)
    by_area, by_group = selectors.progress(current, questions, responses)
    form = AnalysisFilterForm(request.GET or None, areas=[(a.code, f"{a.code} {tr(a.title)}") for a in areas])
    wanted: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    sections = []
    prepared = _rows_of(questions, responses, reverse("assessment-analysis", args=[organization, current.pk]))
    progress_of = {p.code: p for p in by_area}
    # Folded by default, so 282 questions are 14 lines; a filter opens what it found.
    filtered = bool(wanted.get("area") or wanted.get("status"))
    for area in areas:
        if wanted.get("area") and wanted["area"] != area.code:
            continue
        if wanted.get("mine") and area.code not in rights.edit:
            continue
        rows = [
            prepared[q.pk]
            for q in questions
            if q.area_id == area.pk and _matches(responses.get(q.pk), wanted.get("status", ""))
        ]
        if rows:
            sections.append(_Section(area, rows, area.code in rights.edit, progress_of[area.code], filtered))
    context = context_of(
        request,
        form=form,
        sections=sections,
        by_group=by_group,
        rights=rights,
        levels=maturity.LEVELS,
        answered=sum(p.answered for p in by_area),
        total=len(questions),
    )
    return render(request, "assessments/analysis.html", context)


def _evaluation_of(source: Response | ResponseDraft | None) -> dict[str, Any]:
    if source is None:
        return {}
    return {"narrative": source.narrative, **source.ratings()}


def _page(
    request: HttpRequest,
    current: Assessment,
    question: Question,
    rights: AnalysisRights,
    form: ResponseForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    response = selectors.response_of(current, question)
    draft = selectors.draft_of(current, question, user)
    editable = question.area.code in rights.edit and not (
        response is not None
        and response.status == ResponseStatus.AGREED
        and question.area.code not in rights.agree
    )
    version = response.version if response else 0
    if form is None:
        initial = _evaluation_of(draft if draft is not None else response)
        if response is not None:
            initial["evidence"] = list(response.evidence.all())
        initial["base_version"] = draft.base_version if draft is not None else version
        form = ResponseForm(initial=initial, documents=current.documents.all())
    ratings = {name: form[name].value() or "" for name in maturity.FIELDS}
    context = context_of(
        request,
        question=question,
        response=response,
        draft=draft,
        form=form,
        editable=editable,
        comment_form=comment_form or CommentForm(),
        comments=comments_on(current.organization, response) if response else [],
        attachments=attachments_on(current.organization, response) if response else [],
        versions=selectors.versions_of(response) if response else [],
        next_statuses=[ResponseStatus(s) for s in services.allowed_statuses(response, rights)],
        level=maturity.level(ratings),
        level_label=maturity.level_label(maturity.level(ratings)),
        levels=maturity.LEVELS,
        dimensions=maturity.DIMENSIONS,
        evaluation=[(d.label, getattr(response, f"get_{d.field}_display")()) for d in maturity.DIMENSIONS]
        if response
        else [],
        rights=rights,
        pager=selectors.question_pager(current, question),
        # The breadcrumb back to the question's area, opened on the analysis page.
        area_url=reverse("assessment-analysis", args=[current.organization.slug, current.pk])
        + f"?area={question.area.code}#area-{question.area.code}",
        area_label=f"{question.area.code} {tr(question.area.title)}",
    )
    return render(request, "assessments/response.html", context, status=status)


@can_answer
@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, organization: str, assessment: int, code: str) -> HttpResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    rights = rights_for(current, user_of(request))
    if request.method == "GET":
        return _page(request, current, question, rights)
    form = ResponseForm(request.POST, request.FILES, documents=current.documents.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.response_save(
                actor=user_of(request),
                assessment=current,
                question=question,
                narrative=data["narrative"],
                ratings={name: data[name] for name in maturity.FIELDS},
                evidence=list(data["evidence"]),
                base_version=data["base_version"],
            )
            if data["file"]:
                services.response_attach(
                    actor=user_of(request), assessment=current, question=question, upload=data["file"]
                )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The answer is saved."))
            return redirect(
                "assessment-response", organization=organization, assessment=current.pk, code=code
            )
    # Keep the person's words even when the save is refused (a conflict, a bare "yes").
    services.response_autosave(
        actor=user_of(request),
        assessment=current,
        question=question,
        narrative=request.POST.get("narrative", ""),
        ratings={name: request.POST.get(name, "") for name in maturity.FIELDS},
        base_version=form.cleaned_data.get("base_version", 0) if hasattr(form, "cleaned_data") else 0,
    )
    return _page(request, current, question, rights, form=form, status=400)


@can_view
@require_POST
def response_autosave(request: HttpRequest, organization: str, assessment: int, code: str) -> HttpResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    try:
        base_version = int(request.POST.get("base_version", "0"))
    except ValueError:
        base_version = 0
    try:
        draft = services.response_autosave(
            actor=user_of(request),
            assessment=current,
            question=question,
            narrative=request.POST.get("narrative", ""),
            ratings={name: request.POST.get(name, "") for name in maturity.FIELDS},
            base_version=base_version,
        )
    except DomainError as error:
        raise PermissionDenied(str(error.message)) from error
    return render(request, "assessments/_autosaved.html", {"draft": draft})


@can_view
@require_POST
def response_discard(request: HttpRequest, organization: str, assessment: int, code: str) -> HttpResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    services.response_draft_discard(actor=user_of(request), assessment=current, question=question)
    messages.success(request, _("Your draft is discarded."))
    return _back(organization, current, code)


@can_view
@require_POST
def response_status(request: HttpRequest, organization: str, assessment: int, code: str) -> HttpResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    response = selectors.response_of(current, question)
    status = request.POST.get("status", "")
    if response is None or status not in ResponseStatus.values:
        raise Http404
    try:
        services.response_set_status(actor=user_of(request), response=response, status=status)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The answer is now: %(status)s.") % {"status": ResponseStatus(status).label}
        )
    return _back(organization, current, code)


@can_contribute
@require_POST
def response_comment(request: HttpRequest, organization: str, assessment: int, code: str) -> HttpResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    form = CommentForm(request.POST)
    # Through the form helper, so a double submit (same creation key) adds one comment.
    if submit(
        request,
        form,
        lambda data: services.response_comment(
            actor=user_of(request), assessment=current, question=question, body=data["body"]
        ),
    ):
        messages.success(request, _("Your comment is added."))
        return redirect("assessment-response", organization=organization, assessment=current.pk, code=code)
    return _page(
        request, current, question, rights_for(current, user_of(request)), comment_form=form, status=400
    )


@can_view
def response_file(
    request: HttpRequest, organization: str, assessment: int, code: str, pk: int
) -> FileResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    response = selectors.response_of(current, question)
    attachment = (
        next((a for a in attachments_on(current.organization, response) if a.pk == pk), None)
        if response
        else None
    )
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@can_view
def response_compare(request: HttpRequest, organization: str, assessment: int, code: str) -> HttpResponse:
    current = assessment_of(request)
    question = selectors.question_get(current, code)
    response = selectors.response_of(current, question)
    if response is None or response.version == 0:
        raise Http404
    draft = selectors.draft_of(current, question, user_of(request)) if request.GET.get("draft") else None
    try:
        newer = int(request.GET.get("b", response.version))
        older = int(request.GET.get("a", response.version if draft else max(newer - 1, 1)))
    except ValueError as error:
        raise Http404 from error
    old, new = selectors.version_get(response, older), selectors.version_get(response, newer)
    rows = [
        (d, _rating_label(getattr(old, d.field)), _rating_label(getattr(draft or new, d.field)))
        for d in maturity.DIMENSIONS
    ]
    context = context_of(
        request,
        question=question,
        response=response,
        old=old,
        new=new,
        draft=draft,
        segments=selectors.word_diff(old.narrative, (draft or new).narrative),
        rows=rows,
        versions=selectors.versions_of(response),
    )
    return render(request, "assessments/response_compare.html", context)


def _workbook_choices(request: HttpRequest, current: Assessment) -> tuple[list[Area], AnalysisRights]:
    areas = selectors.areas_of(current)
    return areas, analysis_rights_of(request, [a.code for a in areas])


@can_contribute
def workbook_export(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    """The workbook of a working group's areas (or of every area one may answer)."""
    current = assessment_of(request)
    areas, rights = _workbook_choices(request, current)
    group = rights.group
    if request.GET.get("group"):
        wanted = selectors.working_group_get(current, int(request.GET["group"]))
        if not set(wanted.area_codes) <= rights.edit:
            raise Http404
        group = wanted
    codes = set(group.area_codes) & rights.edit if group else rights.edit
    chosen = [a for a in areas if a.code in codes]
    if not chosen:
        raise Http404
    body = workbook.build(
        current,
        group.name if group else _("Every area"),
        chosen,
        selectors.questions_in_scope(current, chosen),
        selectors.answers_with_text(current),
    )
    name = slugify(group.name if group else "all-areas") or "areas"
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{current.pk}-{name}.xlsx"'
    return response


def _import_job_context(current: Assessment) -> dict[str, Any]:
    """The latest import of a workbook (running or just finished), for the page and its polling."""
    slug = current.organization.slug
    job = job_recent_for(current, services.IMPORT_JOB)
    done_text, errors = "", []
    if job is not None and job.status == JobStatus.DONE:
        data = job.result_data
        saved, unchanged, empty = (int(data.get(key, 0)) for key in ("saved", "unchanged", "empty"))
        parts = [
            ngettext("%(count)s answer imported", "%(count)s answers imported", saved) % {"count": saved},
            ngettext("%(count)s unchanged", "%(count)s unchanged", unchanged) % {"count": unchanged},
            ngettext("%(count)s left empty", "%(count)s left empty", empty) % {"count": empty},
        ]
        done_text = "; ".join(parts) + "."
    elif job is not None and job.status == JobStatus.FAILED:
        errors = [str(e) for e in job.result_data.get("errors", [])]
    context = job_context(
        job,
        poll_url=reverse("assessment-workbook-progress", args=[slug, current.pk]),
        page_url=reverse("assessment-workbook", args=[slug, current.pk]),
        links=[(_("See the answers"), reverse("assessment-analysis", args=[slug, current.pk]))],
        done_text=done_text,
    )
    return {**context, "errors": errors}


@can_contribute
@require_http_methods(["GET", "POST"])
def workbook_import(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    """Upload a filled workbook: the worker imports it, this page shows the progress and the outcome."""
    current = assessment_of(request)
    _areas, rights = _workbook_choices(request, current)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.responses_import_request(
            actor=user_of(request),
            assessment=current,
            upload=form.cleaned_data["file"],
            language=get_language() or "en",
        )
        # A worker that is quick (or runs tasks at once, as in tests) may be done already.
        job.refresh_from_db()
        if job.requested_by_id != user_of(request).pk:
            # Someone else's import was running: theirs goes on, this upload was not kept.
            messages.warning(
                request,
                _(
                    "Another workbook is being imported into this assessment. "
                    "Upload yours again when it ends."
                ),
            )
        elif job.is_active:
            messages.success(request, _("The workbook is being imported. This page shows its progress."))
        return redirect("assessment-workbook", organization=organization, assessment=current.pk)
    groups = [g for g in selectors.working_groups(current) if set(g.group.area_codes) & rights.edit]
    context = context_of(request, form=form, groups=groups, rights=rights, **_import_job_context(current))
    return render(
        request, "assessments/workbook.html", context, status=400 if request.method == "POST" else 200
    )


@can_contribute
@require_GET
def workbook_import_progress(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    """The import's progress for htmx; without script, the page itself."""
    if not is_htmx(request):
        return workbook_import(request, organization=organization, assessment=assessment)
    context = _import_job_context(assessment_of(request))
    response = job_poll_response(request, context)
    if context["job"] is not None and not context["job"].is_active:
        # The outcome (the answers imported, or every problem by sheet and row) is the
        # whole page's business, not the progress bar's: htmx reloads the page.
        response["HX-Refresh"] = "true"
    return response
