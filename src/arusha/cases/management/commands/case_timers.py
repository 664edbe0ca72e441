"""`manage.py case_timers`: the daily check of the cases' statutory timers. Schedule it once a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from arusha.cases import timers
from arusha.core.management.dates import add_date_argument, date_of


class Command(BaseCommand):
    help = (
        "Remind the handlers of cases before their acknowledgement and feedback dates, tell them when "
        "a date is past, and escalate to the supervisors cases still overdue after the reminder delay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_of(options)
        summary = timers.run(today)
        self.stdout.write(
            f"{today}: {summary.cases} open cases checked, {summary.reminders} reminders, "
            f"{summary.overdue} overdue notices, {summary.escalated} escalations, "
            f"{summary.waiting_notices} notices of reports waiting."
        )
