"""Screens of the Annex 9 exports: a click asks the worker for the file, the page follows it.

Every view stands under the plan's own policy, so only those who may read the plan see
its export jobs and download their files (arusha.core.jobs).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arusha.core.jobs import job_get_for, job_recent_for
from arusha.core.jobs_views import job_context, job_file_response, job_poll_response
from arusha.core.models import JobStatus
from arusha.core.policies import on_object
from arusha.core.requests import is_htmx, object_of
from arusha.core.requests import user_of as _user
from arusha.planning import services
from arusha.planning.models import ActionPlan


def _plan_and_format(request: HttpRequest, fmt: str) -> tuple[ActionPlan, str]:
    if fmt not in services.EXPORT_FORMATS:
        raise Http404
    return object_of(request, "plan", ActionPlan), fmt


def _job_context(plan: ActionPlan, fmt: str) -> dict[str, Any]:
    """The latest export of this format, for the page and for its polling."""
    slug = plan.organization.slug
    job = job_recent_for(plan, services.export_kind(fmt))
    links: list[tuple[str, str]] = []
    done_text = ""
    if job is not None and job.status == JobStatus.DONE:
        done_text = _("The file is ready.")
        links = [(_("Download %(name)s") % {"name": job.result_name}, _file_url(plan, fmt, job.pk))]
    return job_context(
        job,
        poll_url=reverse("plan-export-progress", args=[slug, plan.pk, fmt]),
        page_url=reverse("plan-export", args=[slug, plan.pk, fmt]),
        links=links,
        done_text=done_text,
    )


def _file_url(plan: ActionPlan, fmt: str, pk: int) -> str:
    return reverse("plan-export-file", args=[plan.organization.slug, plan.pk, fmt, pk])


@on_object("plan", ActionPlan)
@require_http_methods(["GET", "POST"])
def plan_export(request: HttpRequest, organization: str, plan: int, fmt: str) -> HttpResponse:
    """The plan in the layout of IDG Annex 9: a POST asks for the file, the page shows its making."""
    current, fmt = _plan_and_format(request, fmt)
    if request.method == "POST":
        job = services.plan_export_request(
            actor=_user(request), plan=current, fmt=fmt, language=get_language() or "en"
        )
        # A worker that is quick (or runs tasks at once, as in tests) may be done already.
        job.refresh_from_db()
        if job.is_active:
            messages.success(request, _("The file is being written. This page shows its progress."))
        return redirect("plan-export", organization=organization, plan=plan, fmt=fmt)
    return _page(request, current, fmt)


def _page(request: HttpRequest, plan: ActionPlan, fmt: str) -> HttpResponse:
    context = {"plan": plan, "tab": "export", "format": fmt.upper(), **_job_context(plan, fmt)}
    return render(request, "planning/plan_export.html", context)


@on_object("plan", ActionPlan)
@require_GET
def plan_export_progress(request: HttpRequest, organization: str, plan: int, fmt: str) -> HttpResponse:
    """The export's progress for htmx; without script, the page itself."""
    current, fmt = _plan_and_format(request, fmt)
    if is_htmx(request):
        return job_poll_response(request, _job_context(current, fmt))
    return _page(request, current, fmt)


@on_object("plan", ActionPlan)
@require_GET
def plan_export_file(request: HttpRequest, organization: str, plan: int, fmt: str, pk: int) -> FileResponse:
    """A written export, for those who may read the plan now (not only the one who asked)."""
    current, fmt = _plan_and_format(request, fmt)
    return job_file_response(job_get_for(current, services.export_kind(fmt), pk))
