"""List the background tasks that failed, for operators (docs/background-tasks.md)."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "List the tasks that failed in the last days, or show the traceback of one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="How far back to look (default: 7).")
        parser.add_argument("--show", metavar="ID", help="Print the whole traceback of this task.")

    def handle(self, *args: Any, days: int, show: str | None, **options: Any) -> None:
        failed = DBTaskResult.objects.failed()
        if show:
            one = failed.filter(pk=show).first()
            if one is None:
                raise CommandError(f"No failed task has the id {show}.")
            self.stdout.write(f"{one.task_path} {one.args_kwargs}\n{one.traceback}")
            return
        since = timezone.now() - datetime.timedelta(days=days)
        rows = failed.filter(finished_at__gte=since).order_by("-finished_at")
        for row in rows:
            last_line = row.traceback.strip().splitlines()[-1] if row.traceback.strip() else ""
            finished = row.finished_at.isoformat(timespec="seconds") if row.finished_at else "?"
            self.stdout.write(f"{row.pk}  {finished}  {row.task_path}  {last_line}")
        self.stdout.write(f"{rows.count()} failed task(s) in the last {days} day(s).")
