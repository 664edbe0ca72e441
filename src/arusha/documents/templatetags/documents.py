"""Template filters for figures: `{% load documents %}` then `{{ value|kpi_value:kpi }}`."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from arusha.documents import numbers

register = template.Library()


@register.filter
def kpi_value(value: numbers.Value, kpi: numbers.Formatted | None) -> str:
    """A KPI's value rounded as the KPI says, written in the reader's language: "11,6 %" in French.

    Same rounding and suffix as numbers.format_value (charts and documents); only the
    decimal mark and the thousands separator follow the active language. Without a KPI,
    the value is shown as a number with one decimal.
    """
    value_format = getattr(kpi, "value_format", numbers.NUMBER) or numbers.NUMBER
    decimals = getattr(kpi, "decimals", 1)
    unit = getattr(kpi, "unit", "") or ""
    number = numbers.shown(value, value_format)
    if number is None:
        return numbers.EMPTY
    places = max(0, min(int(decimals), numbers.MAX_DECIMALS))
    text = number_format(numbers.rounded(number, places), decimal_pos=places, force_grouping=True)
    return text + numbers.suffix(value_format, unit)
