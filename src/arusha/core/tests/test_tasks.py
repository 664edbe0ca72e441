"""Background work: e-mail leaves on commit, long work runs in the worker and shows progress.

Most tests run tasks at once (the test settings' ImmediateBackend). The ones named
"worker" use the database backend of a deployment and run `manage.py db_worker --batch`
in this process, on a database that really commits.
"""

from __future__ import annotations

import io
import logging
import signal
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django_scopes import scope
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from arusha.core import services
from arusha.core.jobs import FAILED_MESSAGE, JobResult, Progress, job_create, job_get_for, job_run
from arusha.core.jobs_views import job_file_response
from arusha.core.models import BackgroundJob, JobStatus, Notification
from arusha.core.tasks import enqueue_on_commit

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _export(job: BackgroundJob, progress: Progress) -> JobResult:
    for done in range(3):
        progress(done, 3, "Writing the rows")
    return JobResult(content=b"code,name\nOPS,Operations\n", name="divisions.csv", data={"rows": 1})


def _crash(job: BackgroundJob, progress: Progress) -> JobResult:
    progress(0, 2, "Writing the rows")
    raise ZeroDivisionError("a bug, not the user's doing")


@task()
def export_task(job_id: int) -> str:
    return str(job_run(job_id, _export))


@task()
def crash_task(job_id: int) -> str:
    return str(job_run(job_id, _crash))


def _run_worker() -> None:
    """`manage.py db_worker --batch --no-startup-delay --no-reload`, then this process as it was."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    levels = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=io.StringIO()
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def database_tasks(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_BACKEND
    yield


def _job(cast, kind: str) -> BackgroundJob:  # type: ignore[no-untyped-def]
    return job_create(
        actor=cast.owner, organization=cast.customs, kind=kind, target=cast.division, language="en"
    )


def test_the_notification_is_written_at_once_and_its_email_leaves_on_commit(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(recipient=cast.member, subject="Your turn", body="Answer KF1.", url="/x/")
        assert Notification.objects.filter(recipient=cast.member, subject="Your turn").count() == 1
        assert mail.outbox == []  # not committed yet: nothing has left
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["member@test.example"], "Your turn", "Answer KF1.\n\n/x/")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_tells_nobody(cast, database_tasks) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notification_send(recipient=cast.member, subject="Never told")
        raise RuntimeError("the write that carried the notification failed")
    assert not Notification.objects.filter(subject="Never told").exists()
    assert DBTaskResult.objects.count() == 0
    _run_worker()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_the_email_enqueued_on_commit(cast, database_tasks) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with transaction.atomic():
        services.notification_send(recipient=cast.member, subject="Plan adopted")
        assert DBTaskResult.objects.count() == 0  # enqueued only when the transaction commits
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.task_path == "arusha.core.tasks.email_send"
    assert mail.outbox == []  # the web request never waits for the mail server
    _run_worker()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == 1
    assert [m.to for m in mail.outbox] == [["member@test.example"]]


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_a_crash_as_a_failed_job_and_keeps_the_traceback_for_operators(
    cast, database_tasks
) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic(), scope(organization=cast.customs):
        job = _job(cast, "test.crash")
        enqueue_on_commit(crash_task, job.pk)
    _run_worker()
    with scope(organization=cast.customs):
        job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == FAILED_MESSAGE
    assert "ZeroDivisionError" not in job.error and job.finished_at is not None
    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED" and failed.exception_class_path == "builtins.ZeroDivisionError"
    assert "a bug, not the user's doing" in failed.traceback
    listed = io.StringIO()
    call_command("task_failures", stdout=listed)
    assert f"{failed.pk}" in listed.getvalue() and "ZeroDivisionError" in listed.getvalue()
    assert "1 failed task(s) in the last 7 day(s)." in listed.getvalue()


def test_a_job_reports_its_progress_and_keeps_its_result_file_for_its_target_only(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        with django_capture_on_commit_callbacks(execute=True):
            job = _job(cast, "test.export")
            assert job.status == JobStatus.QUEUED and job.percent == 0
            enqueue_on_commit(export_task, job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.percent == 100
        assert (job.progress_done, job.progress_total, job.result_data) == (3, 3, {"rows": 1})
        assert job.started_at is not None and job.finished_at is not None
        response = job_file_response(job_get_for(cast.division, "test.export", job.pk))
        content = response.streaming_content
        assert isinstance(content, Iterator)  # a stored file streams synchronously, not async
        assert b"".join(content) == b"code,name\nOPS,Operations\n"
        assert response.file_to_stream is not None
        response.file_to_stream.close()  # not response.close(): that would end a request
        assert 'filename="divisions.csv"' in response["Content-Disposition"]
        with pytest.raises(Http404):
            job_get_for(cast.sub_division, "test.export", job.pk)  # another object's screen
        with pytest.raises(Http404):
            job_get_for(cast.division, "test.other-kind", job.pk)


def test_a_job_is_run_once_even_if_its_task_is_delivered_twice(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        job = _job(cast, "test.export")
    assert export_task.call(job.pk) == "done"
    with scope(organization=cast.customs):
        BackgroundJob.objects.filter(pk=job.pk).update(progress_done=0)
    assert export_task.call(job.pk) == "done"  # already done: left alone
    with scope(organization=cast.customs):
        job.refresh_from_db()
    assert job.progress_done == 0
