"""Figures from the clearance data that a KPI or a key risk indicator may take (arusha.core.metrics).

Registered from AnalyticsConfig.ready. Each is computed from the office-level signals
of the latest finished run for each month of the requested period (the months its first
and last day fall in): the national figure pools every office's numerators and
denominators, month by month; "<code>@<office code>" ("analytics.hit_rate@KIL-PRT") is
one office's. Months without a run give nothing, and a period with nothing gives None.

The figure per office is how an agreed performance contract feeds the KPI an indicator is
linked to: the KPI takes its values from it, and monitoring offers the office's figure
for each reporting period to the person who enters the measurement, who still saves it,
and someone else still verifies it (services/contracts.py, docs/analytics-contracts.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from arusha.analytics.selectors.scorecard import figures, offices_with_contracts, periods_of, pooled
from arusha.core.metrics import PART, Computed, register_metric
from arusha.core.models import Organization

HIT_RATE = "analytics.hit_rate"
VALUE_UPLIFT = "analytics.value_uplift"
RELEASE_TIME = "analytics.release_time"
UNDOCUMENTED_OVERRIDES = "analytics.undocumented_overrides"

# The core.metrics code of each office-level measure of the catalogue.
METRIC_CODES: dict[str, str] = {
    "HIT_RATE": HIT_RATE,
    "VALUE_UPLIFT": VALUE_UPLIFT,
    "RELEASE_TIME": RELEASE_TIME,
    "DOWNGRADE_UNDOC": UNDOCUMENTED_OVERRIDES,
}


def office_metric(indicator: str, office_code: str) -> str | None:
    """The code of one office's figure for a measure of the catalogue ("analytics.hit_rate@KIL-PRT")."""
    base = METRIC_CODES.get(indicator)
    return f"{base}{PART}{office_code}" if base is not None else None


def _compute(
    indicator: str, organization: Organization, start: datetime.date, end: datetime.date, office: str | None
) -> Computed:
    periods = periods_of(start, end)
    found = figures(organization, [indicator], periods, office)
    amounts = found.office if office is not None else found.national
    return pooled(amounts.get((indicator, period)) for period in periods)


def _national(indicator: str) -> Callable[[Organization, datetime.date, datetime.date], Computed]:
    def compute(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
        return _compute(indicator, organization, start, end, None)

    return compute


def _office(indicator: str) -> Callable[[Organization, datetime.date, datetime.date, str], Computed]:
    def compute(
        organization: Organization, start: datetime.date, end: datetime.date, office: str
    ) -> Computed:
        return _compute(indicator, organization, start, end, office)

    return compute


LABELS = {
    HIT_RATE: _("Hit rate of examinations, from the clearance data (%)"),
    VALUE_UPLIFT: _("Value uplift after control, from the clearance data (%)"),
    RELEASE_TIME: _("Mean release time, from the clearance data (hours)"),
    UNDOCUMENTED_OVERRIDES: _("Red-channel downgrades without a reason, from the clearance data (%)"),
}


def register() -> None:
    for indicator, code in METRIC_CODES.items():
        hours = code == RELEASE_TIME
        register_metric(
            code,
            LABELS[code],
            _national(indicator),
            # Rates are (numerator, denominator) pairs: times 100 for a percentage, 1 for hours.
            scale=1 if hours else 100,
            unit="hours" if hours else "%",
            compute_part=_office(indicator),
            parts=offices_with_contracts,
        )
