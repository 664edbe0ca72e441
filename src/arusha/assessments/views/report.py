"""Screens of the final report (IDG step 6): texts, generation (in the worker), versions, feedback."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arusha.assessments import selectors, services
from arusha.assessments.access import can_manage, can_view
from arusha.assessments.forms import FeedbackForm, ReportTextForm
from arusha.assessments.models import Feedback
from arusha.assessments.views.base import assessment_of, context_of, user_of
from arusha.core.errors import DomainError
from arusha.core.jobs import job_recent_for
from arusha.core.jobs_views import job_context, job_poll_response
from arusha.core.models import JobStatus
from arusha.core.requests import is_htmx
from arusha.core.views import attach_error


def _page(
    request: HttpRequest,
    text_form: ReportTextForm | None = None,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = assessment_of(request)
    user = user_of(request)
    text = selectors.report_text_of(current)
    mine = selectors.feedback_of(current, user)
    if feedback_form is None and selectors.is_participant(current, user):
        initial = {name: getattr(mine, name) for name in ("satisfaction", *Feedback.TEXTS)} if mine else {}
        feedback_form = FeedbackForm(initial=initial)
    context = context_of(
        request,
        **_job_context(request),
        text=text,
        text_form=text_form
        or ReportTextForm(initial={"key_messages": text.key_messages, "challenges": text.challenges}),
        feedback_form=feedback_form,
        feedback_count=selectors.feedback_count(current),
        given=mine is not None,
        versions=selectors.report_versions_of(current),
    )
    return render(request, "assessments/report.html", context, status=status)


def _job_context(request: HttpRequest) -> dict[str, Any]:
    """The generation in progress (or just finished), for the page and for its polling."""
    current = assessment_of(request)
    slug = current.organization.slug
    job = job_recent_for(current, services.REPORT_JOB)
    links: list[tuple[str, str]] = []
    done_text = ""
    if job is not None and job.status == JobStatus.DONE and "version" in job.result_data:
        number, version = job.result_data["number"], job.result_data["version"]
        done_text = _("Version %(number)s of the report is ready.") % {"number": number}
        links = [
            (fmt.upper(), reverse("assessment-report-file", args=[slug, current.pk, version, fmt]))
            for fmt in ("pdf", "docx")
        ]
    return job_context(
        job,
        poll_url=reverse("assessment-report-progress", args=[slug, current.pk]),
        page_url=reverse("assessment-report", args=[slug, current.pk]),
        links=links,
        done_text=done_text,
    )


@can_view
def report(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    return _page(request)


@can_view
@require_GET
def report_progress(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    """The generation's progress for htmx; without script, the page itself."""
    if is_htmx(request):
        return job_poll_response(request, _job_context(request))
    return _page(request)


@can_manage
@require_POST
def report_text(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    form = ReportTextForm(request.POST)
    if not form.is_valid():
        return _page(request, text_form=form, status=400)
    services.report_text_update(
        actor=user_of(request), assessment=assessment_of(request), **form.cleaned_data
    )
    messages.success(request, _("The texts of the report are saved."))
    return redirect("assessment-report", organization=organization, assessment=assessment)


@can_manage
@require_POST
def report_generate(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    job = services.report_generation_request(
        actor=user_of(request), assessment=assessment_of(request), language=get_language() or "en"
    )
    # A worker that is quick (or runs tasks at once, as in tests) may be done already.
    job.refresh_from_db()
    if job.status == JobStatus.DONE:
        number = job.result_data.get("number")
        messages.success(request, _("Version %(number)s of the report is ready.") % {"number": number})
    elif job.status == JobStatus.FAILED:
        messages.error(request, _("The report could not be generated."))
    else:
        messages.success(
            request, _("The report is being generated. This page shows its progress; you may leave it.")
        )
    return redirect("assessment-report", organization=organization, assessment=assessment)


@can_view
def report_download(
    request: HttpRequest, organization: str, assessment: int, pk: int, fmt: str
) -> FileResponse:
    version = selectors.report_version_get(assessment_of(request), pk)
    if fmt not in ("pdf", "docx"):
        raise Http404
    stored = version.pdf if fmt == "pdf" else version.docx
    name = f"assessment-{assessment}-report-v{version.number}.{fmt}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@can_view
@require_POST
def feedback(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_save(
                actor=user_of(request), assessment=assessment_of(request), **form.cleaned_data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Thank you: your feedback is recorded."))
            return redirect("assessment-report", organization=organization, assessment=assessment)
    return _page(request, feedback_form=form, status=400)
