"""`manage.py case_timers`: the daily check of the cases' statutory timers. Schedule it once a day."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from arusha.cases import timers


class Command(BaseCommand):
    help = (
        "Remind the handlers of cases before their acknowledgement and feedback dates, tell them when "
        "a date is past, and escalate to the supervisors cases still overdue after the reminder delay."
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
        summary = timers.run(today)
        self.stdout.write(
            f"{today}: {summary.cases} open cases checked, {summary.reminders} reminders, "
            f"{summary.overdue} overdue notices, {summary.escalated} escalations, "
            f"{summary.waiting_notices} notices of reports waiting."
        )
