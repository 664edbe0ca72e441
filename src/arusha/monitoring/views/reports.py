"""The evaluation and review reports (PDF, DOCX): a click asks the worker, the page follows it.

Every view stands under the plan's own policy, like the evaluation and review pages, so
only those who may read the plan see the report jobs and download their files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arusha.core.jobs import job_get_for, job_recent_for
from arusha.core.jobs_views import job_context, job_file_response, job_poll_response
from arusha.core.models import JobStatus
from arusha.core.policies import on_object
from arusha.core.requests import is_htmx
from arusha.core.requests import user_of as _user
from arusha.monitoring import services
from arusha.monitoring.reports import REPORTS
from arusha.monitoring.views.base import _page, _plan, _url

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan


def _checked(report: str, fmt: str) -> None:
    if report not in REPORTS or fmt not in services.REPORT_FORMATS:
        raise Http404


def _job_context(plan: ActionPlan, report: str, fmt: str) -> dict[str, Any]:
    """The latest report of this kind and format, for the page and for its polling."""
    job = job_recent_for(plan, services.report_kind(report, fmt))
    links: list[tuple[str, str]] = []
    done_text = ""
    if job is not None and job.status == JobStatus.DONE:
        done_text = _("The file is ready.")
        url = _url(f"monitoring-{report}-report-file", plan, fmt=fmt, pk=job.pk)
        links = [(_("Download %(name)s") % {"name": job.result_name}, url)]
    return job_context(
        job,
        poll_url=_url(f"monitoring-{report}-report-progress", plan, fmt=fmt),
        page_url=_url(f"monitoring-{report}-report", plan, fmt=fmt),
        links=links,
        done_text=done_text,
    )


def _report_page(request: HttpRequest, plan: ActionPlan, report: str, fmt: str) -> HttpResponse:
    return _page(
        request, "report", plan, report, report=report, format=fmt.upper(), **_job_context(plan, report, fmt)
    )


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, organization: str, plan: int, report: str, fmt: str) -> HttpResponse:
    """The evaluation or review report: a POST asks for the file, the page shows its making."""
    _checked(report, fmt)
    current = _plan(request)
    if request.method == "POST":
        job = services.report_request(
            actor=_user(request), plan=current, report=report, fmt=fmt, language=get_language() or "en"
        )
        # A worker that is quick (or runs tasks at once, as in tests) may be done already.
        job.refresh_from_db()
        if job.is_active:
            messages.success(request, _("The report is being written. This page shows its progress."))
        return redirect(_url(f"monitoring-{report}-report", current, fmt=fmt))
    return _report_page(request, current, report, fmt)


@on_object("plan", "planning.ActionPlan")
@require_GET
def report_progress(
    request: HttpRequest, organization: str, plan: int, report: str, fmt: str
) -> HttpResponse:
    """The report's progress for htmx; without script, the page itself."""
    _checked(report, fmt)
    current = _plan(request)
    if is_htmx(request):
        return job_poll_response(request, _job_context(current, report, fmt))
    return _report_page(request, current, report, fmt)


@on_object("plan", "planning.ActionPlan")
@require_GET
def report_file(
    request: HttpRequest, organization: str, plan: int, report: str, fmt: str, pk: int
) -> FileResponse:
    """A written report, for those who may read the plan now (not only the one who asked)."""
    _checked(report, fmt)
    return job_file_response(job_get_for(_plan(request), services.report_kind(report, fmt), pk))
