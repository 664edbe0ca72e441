"""Long work in the task worker, with progress the page can show (docs/background-tasks.md).

A context that moves slow work to the worker:

1. in its service, in one transaction, calls `job_create` and then
   `enqueue_on_commit(its_task, job.pk)`;
2. in its task, calls `job_run(job_id, work)`; `work(job, progress)` does the work,
   calls `progress(done, total, message)` between steps and returns a `JobResult`;
3. on its page, shows `core/_job.html` for `job_recent_for(target, kind)`, polled by a
   view under the target's own access policy (`job_poll_response`), and serves the
   result file through a view under that same policy (`job_file_response`), so only those
   who may read the target see its job and its result (both in `jobs_views`).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled
from django_tasks.base import Task

from arusha.core.errors import DomainError
from arusha.core.models import BackgroundJob, JobStatus, Organization, User
from arusha.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

# Shown instead of a traceback when the work fails for a reason that is not the user's.
FAILED_MESSAGE = gettext_noop(
    "The work could not be finished. Try again; if it fails again, tell your administrator."
)
# How long a finished job stays on its page; after that its result speaks for itself.
RECENT = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class JobResult:
    """What finished work leaves: a file to download and/or small facts for the page."""

    content: bytes | None = None
    name: str = ""
    data: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[int, int, str], None]


def _target_filter(target: models.Model) -> dict[str, Any]:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": str(target.pk)}


def job_create(
    *, actor: User | None, organization: Organization, kind: str, target: models.Model, language: str
) -> BackgroundJob:
    """A queued job for `target`. Call it inside the transaction that enqueues the task."""
    return BackgroundJob.objects.create(
        organization=organization,
        requested_by=actor,
        kind=kind,
        language=language or "en",
        message=gettext_noop("Waiting for the background worker."),
        **_target_filter(target),
    )


def job_request(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    target: models.Model,
    language: str,
    task: Task[[int], Any],
    prepare: Callable[[BackgroundJob], None] | None = None,
) -> BackgroundJob:
    """Queue `task` for a new job of `kind` on `target`, or answer the one still queued or running.

    The target's row is locked first, so two requests at once (a double click, two people)
    make one job: the second waits, then finds the first. `prepare` runs on a new job
    before the task is enqueued (to keep an uploaded file with it, for instance). The
    caller has checked the actor's right to ask.
    """
    with scope(organization=organization), transaction.atomic():
        type(target)._base_manager.select_for_update().filter(pk=target.pk).first()
        active = job_active_for(target, kind)
        if active is not None:
            return active
        job = job_create(
            actor=actor, organization=organization, kind=kind, target=target, language=language.split("-")[0]
        )
        if prepare is not None:
            prepare(job)
        enqueue_on_commit(task, job.pk)
        return job


def job_active_for(target: models.Model, kind: str) -> BackgroundJob | None:
    """The job of this kind still queued or running for `target`, if any."""
    return (
        BackgroundJob.objects.filter(
            kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING], **_target_filter(target)
        )
        .select_related("requested_by")
        .first()
    )


def job_recent_for(target: models.Model, kind: str) -> BackgroundJob | None:
    """The job to show on the target's page: the latest one, while it runs or just after."""
    job = (
        BackgroundJob.objects.filter(kind=kind, **_target_filter(target))
        .select_related("requested_by")
        .first()
    )
    if job is None or job.is_active:
        return job
    if job.finished_at is not None and job.finished_at >= timezone.now() - RECENT:
        return job
    return None


def job_get_for(target: models.Model, kind: str, pk: int) -> BackgroundJob:
    """One job of `target`, or 404: the caller's access policy has already vouched for the target."""
    job = BackgroundJob.objects.filter(pk=pk, kind=kind, **_target_filter(target)).first()
    if job is None:
        raise Http404
    return job


def _update(job: BackgroundJob, **values: Any) -> None:
    # One UPDATE outside any transaction: the page polling the job sees it at once.
    for name, value in values.items():
        setattr(job, name, value)
    BackgroundJob.objects.filter(pk=job.pk).update(**values)


def job_run(job_id: int, work: Callable[[BackgroundJob, Progress], JobResult]) -> JobStatus:
    """Run `work` for the job, in the language and organization it was requested in.

    A DomainError is the user's business: its message is shown on the page. Anything else
    is shown as a plain failure and raised again, so the task is recorded as failed with
    its traceback for the operator (docs/background-tasks.md).
    """
    with scopes_disabled():
        job = BackgroundJob.objects.select_related("organization", "requested_by").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        # Deleted with its organization, or already taken by another worker: nothing to do.
        return JobStatus(job.status) if job is not None else JobStatus.FAILED

    def progress(done: int, total: int, message: str) -> None:
        _update(job, progress_done=done, progress_total=total, message=message)

    with scope(organization=job.organization), translation.override(job.language):
        _update(job, status=JobStatus.RUNNING, started_at=timezone.now(), message="")
        try:
            result = work(job, progress)
        except DomainError as error:
            _update(job, status=JobStatus.FAILED, error=str(error.message)[:500], finished_at=timezone.now())
            return JobStatus.FAILED
        except Exception:
            _update(job, status=JobStatus.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now())
            raise
        with transaction.atomic():
            if result.content is not None:
                job.result.save(result.name or f"job-{job.pk}", ContentFile(result.content), save=False)
            _update(
                job,
                status=JobStatus.DONE,
                progress_done=job.progress_total,
                message="",
                result=job.result.name or "",
                result_name=result.name,
                result_data=result.data,
                finished_at=timezone.now(),
            )
    return JobStatus.DONE
