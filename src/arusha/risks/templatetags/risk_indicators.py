"""{% risk_indicators risk as kri %}: the key risk indicators of a risk, for its page.

The answer to "may this person add readings?" is the risk policy's, left in the request's
notes by the page's own policy (arusha.core.policies.on_object): the template decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template

from arusha.core.requests import notes_of
from arusha.risks.models import Risk
from arusha.risks.selectors.indicators import IndicatorRow, indicator_rows, shown

register = template.Library()


@dataclass
class Panel:
    rows: list[IndicatorRow]
    may_report: bool


@register.simple_tag(takes_context=True)
def risk_indicators(context: dict[str, Any], risk: Risk) -> Panel:
    request = context.get("request")
    answers = notes_of(request).answers.get("risk", {}) if request is not None else {}
    return Panel(rows=indicator_rows(risk), may_report=bool(answers.get("report")))


@register.filter
def kri_number(value: Decimal | None) -> str:
    """{{ value|kri_number }}: in the reader's language, thousands separated, no trailing zeros."""
    return shown(value)
