"""Small display helpers of action planning."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from arusha.planning import kpis

register = template.Library()


@register.filter
def quarter(value: datetime.date | None) -> str:
    """The calendar quarter of a date, as plans are read: "Q2 2027"."""
    if value is None:
        return ""
    return _("Q%(quarter)s %(year)s") % {"quarter": (value.month - 1) // 3 + 1, "year": value.year}


def quarters(start: datetime.date | None, end: datetime.date | None) -> str:
    """A timeline in quarters, written once when it starts and ends in the same one:
    "Q1 2022", otherwise "Q4 2021 - Q1 2022" (with an en dash)."""
    first, last = quarter(start), quarter(end)
    if first and last and first != last:
        return f"{first} \N{EN DASH} {last}"
    return first or last


@register.filter
def timeline(activity: Any) -> str:
    """An activity's timeline in quarters (see `quarters`)."""
    return quarters(activity.start_date, activity.due_date)


@register.filter
def plain(value: Decimal | None) -> str:
    """A decimal as people write it: no trailing zeros, no exponent."""
    return "" if value is None else kpis.plain(value)
