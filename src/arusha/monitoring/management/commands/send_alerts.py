"""`manage.py send_alerts`: the daily monitoring check. Schedule it once a day (cron, systemd timer)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from arusha.monitoring import alerts


class Command(BaseCommand):
    help = (
        "Raise monitoring alerts (due soon, overdue, report missing, KPI off target, follow-up overdue), "
        "escalate the ignored ones to the coordinator and resolve those that no longer hold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Check as of this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        summary = alerts.run(today)
        self.stdout.write(
            f"{today}: {summary.plans} plans checked, {summary.raised} alerts raised, "
            f"{summary.escalated} escalated, {summary.resolved} resolved."
        )
