"""Small display helpers of action planning."""

from __future__ import annotations

import datetime
from decimal import Decimal

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


@register.filter
def plain(value: Decimal | None) -> str:
    """A decimal as people write it: no trailing zeros, no exponent."""
    return "" if value is None else kpis.plain(value)
