"""Background work through Django's Tasks API (the `django-tasks` backport, database backend).

A task is a row in the database that the worker (`manage.py db_worker`) picks up, so a
deployment needs no other server. Side effects are enqueued on commit: a rolled-back
write tells nobody anything, and the worker never looks for rows that are not there yet.
See docs/background-tasks.md.
"""

from __future__ import annotations

import functools
from typing import ParamSpec, TypeVar

from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task
from django_tasks.base import Task

P = ParamSpec("P")
T = TypeVar("T")


def enqueue_on_commit(work: Task[P, T], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue the task `work` once the current transaction commits (at once outside a transaction).

    Arguments must be JSON values: pass ids, never model instances. `robust`: the write is
    committed by then, so a failure to enqueue is logged (by Django) rather than turned
    into an error page for a change that succeeded.
    """
    transaction.on_commit(functools.partial(work.enqueue, *args, **kwargs), robust=True)


@task()
def email_send(*, subject: str, body: str, to: list[str]) -> int:
    """Send one e-mail. A failure fails the task, so operators see it among failed tasks."""
    sent: int = send_mail(subject, body, None, to, fail_silently=False)
    return sent
