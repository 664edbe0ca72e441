"""`manage.py case_retention`: the daily run that archives closed cases and purges those due.

Run it once a day (docs/cases-statistics.md gives the cron line). Cases on legal hold
are counted and left alone. It prints counts only, never a reference or a case's content.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from arusha.cases.services.retention import ARCHIVE_AFTER_DAYS, retention_run


class Command(BaseCommand):
    help = (
        "Archive cases closed for longer than the grace period, then purge (crypto-shred) closed and "
        "archived cases whose retention has run out, unless they are on legal hold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--archive-after",
            type=int,
            default=ARCHIVE_AFTER_DAYS,
            help=f"Days a closed case may still be reopened before it is archived ({ARCHIVE_AFTER_DAYS}).",
        )
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(_("--today takes a date written YYYY-MM-DD.")) from error
        if options["archive_after"] < 0:
            raise CommandError(_("--archive-after takes a number of days, 0 or more."))
        done = retention_run(today=today, archive_after=options["archive_after"], dry_run=options["dry_run"])
        prefix = _("Would have: ") if options["dry_run"] else ""
        self.stdout.write(
            prefix
            + _("%(archived)d archived, %(purged)d purged, %(held)d kept by a legal hold.")
            % {"archived": done.archived, "purged": done.purged, "held": done.held}
        )
