"""The Annex 9 exports of a plan (XLSX, DOCX), written by the task worker (arusha.core.jobs)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_noop
from django_tasks import task

from arusha.core.access import authorize
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User
from arusha.planning import annex9
from arusha.planning.models import ActionPlan

# One kind of job per format: an XLSX and a DOCX may be written side by side, while a
# second click on the same format joins the first.
EXPORT_FORMATS: dict[str, Callable[[ActionPlan], bytes]] = {"xlsx": annex9.to_xlsx, "docx": annex9.to_docx}


def export_kind(fmt: str) -> str:
    """The kind of the background job that writes the plan in `fmt`."""
    return f"planning.annex9.{fmt}"


def plan_export_request(*, actor: User, plan: ActionPlan, fmt: str, language: str) -> BackgroundJob:
    """Ask the worker to write the plan in the layout of IDG Annex 9; see the job for progress.

    Anyone who may read the plan may export it. A request while an export of the same
    format is waiting or running answers that one: a double click writes one file.
    """
    authorize(actor, "view", plan)
    if fmt not in EXPORT_FORMATS:
        raise DomainError(gettext_noop("Choose XLSX or DOCX."), field="fmt")
    return job_request(
        actor=actor,
        organization=plan.organization,
        kind=export_kind(fmt),
        target=plan,
        language=language,
        task=plan_export_task,
    )


@task()
def plan_export_task(job_id: int) -> str:
    """The worker's side of `plan_export_request`."""
    return str(job_run(job_id, _export_for_job))


def _export_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    plan = ActionPlan.objects.filter(pk=int(job.object_id)).first()
    fmt = job.kind.rsplit(".", 1)[-1]
    if plan is None:
        raise DomainError(gettext_noop("The action plan no longer exists."))
    if fmt not in EXPORT_FORMATS:
        raise DomainError(gettext_noop("Choose XLSX or DOCX."))
    try:
        # The person may have lost the right to read the plan since they asked.
        authorize(job.requested_by, "view", plan)
    except (Http404, PermissionDenied) as refused:
        raise DomainError(gettext_noop("You may no longer read this action plan.")) from refused
    progress(0, 1, gettext_noop("Writing the file"))
    content = EXPORT_FORMATS[fmt](plan)
    return JobResult(
        content=content,
        name=f"action-plan-{plan.pk}-r{plan.revision}.{fmt}",
        data={"format": fmt, "revision": plan.revision},
    )
