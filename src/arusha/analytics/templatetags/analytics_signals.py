"""How the signal screens write numbers and names: rounded, localized, never in exponents."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from arusha.analytics.selectors.indicators import indicator_text
from arusha.analytics.vocabulary import EntityKind, ReviewStatus, SignalStatus

register = template.Library()

# The smallest p or q worth writing out; below, "< 0.0001".
SMALLEST = 0.0001


@register.filter
def num(value: Any) -> str:
    """A number rounded to what it can say: 2 decimals, fewer when large, more when small."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    size = abs(number)
    places = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.01 or size == 0 else 4
    return number_format(round(number, places), decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def pvalue(value: Any) -> str:
    """A p- or q-value with four decimals, or "< 0.0001"."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number < SMALLEST:
        return "< " + number_format(SMALLEST, decimal_pos=4, use_l10n=True)
    return number_format(number, decimal_pos=4, use_l10n=True)


@register.filter
def indicator_name(code: str) -> str:
    return indicator_text(str(code)).name


@register.filter
def kind_label(value: str) -> str:
    return str(EntityKind(value).label) if value in EntityKind.values else str(value)


@register.filter
def status_label(value: str) -> str:
    return str(SignalStatus(value).label) if value in SignalStatus.values else str(value)


@register.filter
def review_label(value: str) -> str:
    return str(ReviewStatus(value).label) if value in ReviewStatus.values else str(value)


@register.simple_tag
def flag_tag(flag: bool) -> str:
    """The flag as words (never colour alone); the template adds the tag's style."""
    return _("flagged") if flag else _("not flagged")


@register.filter
def count(value: Any) -> str:
    """A count (a numerator, a denominator): whole numbers without decimals, others as `num`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return num(value)
    if number.is_integer():
        return number_format(int(number), use_l10n=True, force_grouping=True)
    return num(number)
