"""How the signal screens write numbers and names: rounded, localized, never in exponents."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.formats import date_format, number_format
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


def _fixed(value: Any, places: int) -> str:
    """A number with `places` decimals and thousands separated, in the reader's language."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number_format(round(number, places), decimal_pos=places, use_l10n=True, force_grouping=True)


def _moment(value: Any, *, with_time: bool) -> str:
    """An ISO date or timestamp (the engine's examples) as the reader writes it, to the minute."""
    try:
        moment = value if isinstance(value, datetime.date) else datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if not isinstance(moment, datetime.datetime):
        return date_format(moment, "SHORT_DATE_FORMAT")
    # The data's own clock, as recorded: never shifted to the reader's time zone.
    day = date_format(moment.date(), "SHORT_DATE_FORMAT")
    return f"{day} {moment:%H:%M}" if with_time else day


def _auto(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return count(value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_auto(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_auto(item) for item in value)
    return str(value)


@register.filter
def shown(value: Any, kind: str) -> str:
    """A detail's or an example's value written as its kind says (selectors.signal_details).

    count: whole numbers; number: as `num`; small: four decimals (a deviation of 0.015);
    money: two decimals, thousands separated; hours: one decimal; percent: a ratio as a
    percentage with one decimal; timestamp: date and time to the minute; date; flag: yes or
    no; text: as it is; auto (a name the page does not know): numbers rounded, the rest as
    it is. Missing values are a dash.
    """
    if value is None or value == "":
        return "—"
    writers = {
        "count": count,
        "number": num,
        "small": lambda v: _fixed(v, 4),
        "money": lambda v: _fixed(v, 2),
        "hours": lambda v: _fixed(v, 1),
        "percent": lambda v: _fixed(float(v) * 100, 1) + " %" if isinstance(v, int | float) else str(v),
        "timestamp": lambda v: _moment(v, with_time=True),
        "date": lambda v: _moment(v, with_time=False),
        "flag": lambda v: (_("yes") if v else _("no")) if isinstance(v, bool) else str(v),
        "auto": _auto,
    }
    writer = writers.get(kind)
    return writer(value) if writer is not None else str(value)
