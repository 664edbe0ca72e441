"""What the daily commands share: the day they check as of (`--date`, or today)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone


def add_date_argument(parser: CommandParser) -> None:
    parser.add_argument("--date", help="Check as of this day (YYYY-MM-DD) instead of today.")


def date_of(options: Mapping[str, Any]) -> datetime.date:
    """The day given by --date, or today; a CommandError naming --date when it is no date."""
    if not options["date"]:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(options["date"])
    except ValueError as error:
        raise CommandError(f"--date: {error}") from error
