"""`manage.py risk_indicators`: the daily refresh of key risk indicators. Schedule it once a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from arusha.core.management.dates import add_date_argument, date_of
from arusha.risks.services.indicators import SPANS, indicators_refresh


class Command(BaseCommand):
    help = (
        "Fetch the readings of every key risk indicator fed by a KPI or a computed figure, in the "
        "risk assessments under monitoring; a new red reading reopens its risk and tells its owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)
        parser.add_argument(
            "--span",
            choices=SPANS,
            default="month",
            help="The period a computed figure is taken over: the last full month (default) or quarter.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_of(options)
        summary = indicators_refresh(today=today, span=options["span"])
        self.stdout.write(
            f"{today}: {summary.indicators} indicators checked, {summary.readings} readings written, "
            f"{summary.red} in red, {summary.failed} refused."
        )
