"""The evaluation and review reports of a plan (PDF, DOCX), written by the task worker.

A plan at full volume (hundreds of activities, a hundred KPIs over two dozen periods)
makes a report of many pages, which takes longer than a web request should: the page
asks the worker (arusha.core.jobs) and follows the job to the download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_noop
from django_tasks import task

from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User
from arusha.documents import report as document
from arusha.monitoring.access import rights
from arusha.monitoring.reports import REPORTS
from arusha.planning import selectors as planning_selectors

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan

REPORT_FORMATS = {"pdf": document.to_pdf, "docx": document.to_docx}


def report_kind(report: str, fmt: str) -> str:
    """The kind of the background job that writes the `report` ("evaluation", "review") in `fmt`."""
    return f"monitoring.{report}.{fmt}"


def report_request(*, actor: User, plan: ActionPlan, report: str, fmt: str, language: str) -> BackgroundJob:
    """Ask the worker to write the plan's evaluation or review report; see the job for progress.

    Whoever may read the plan's monitoring may have its reports. A request while the same
    report in the same format is waiting or running answers that one.
    """
    rights(plan, actor)  # 404 to anyone who may not read the plan
    if report not in REPORTS:
        raise DomainError(gettext_noop("Choose the evaluation or the review report."), field="report")
    if fmt not in REPORT_FORMATS:
        raise DomainError(gettext_noop("Choose PDF or DOCX."), field="fmt")
    return job_request(
        actor=actor,
        organization=plan.organization,
        kind=report_kind(report, fmt),
        target=plan,
        language=language,
        task=report_write_task,
    )


@task()
def report_write_task(job_id: int) -> str:
    """The worker's side of `report_request`."""
    return str(job_run(job_id, _write_for_job))


def _write_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    _app, report, fmt = job.kind.split(".")
    if report not in REPORTS or fmt not in REPORT_FORMATS:
        raise DomainError(gettext_noop("Choose PDF or DOCX."))
    try:
        plan = planning_selectors.plan_get(job.organization, int(job.object_id))
    except Http404 as missing:
        raise DomainError(gettext_noop("The action plan no longer exists.")) from missing
    if job.requested_by is None:
        raise DomainError(gettext_noop("You may no longer read this action plan."))
    try:
        # The person may have lost the right to read the plan since they asked.
        rights(plan, job.requested_by)
    except (Http404, PermissionDenied) as refused:
        raise DomainError(gettext_noop("You may no longer read this action plan.")) from refused
    progress(0, 2, gettext_noop("Gathering the figures of the plan"))
    content = REPORTS[report](plan)
    progress(1, 2, gettext_noop("Writing the file"))
    return JobResult(
        content=REPORT_FORMATS[fmt](content),
        name=f"action-plan-{plan.pk}-{report}.{fmt}",
        data={"report": report, "format": fmt},
    )
