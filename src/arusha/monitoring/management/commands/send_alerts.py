"""`manage.py send_alerts`: the daily monitoring check. Schedule it once a day (cron, systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from arusha.core.management.dates import add_date_argument, date_of
from arusha.monitoring import alerts


class Command(BaseCommand):
    help = (
        "Raise monitoring alerts (due soon, overdue, report missing, KPI off target, follow-up overdue), "
        "escalate the ignored ones to the coordinator and resolve those that no longer hold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_of(options)
        summary = alerts.run(today)
        self.stdout.write(
            f"{today}: {summary.plans} plans checked, {summary.raised} alerts raised, "
            f"{summary.escalated} escalated, {summary.resolved} resolved."
        )
