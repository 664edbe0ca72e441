"""The case figures a KPI may take its values from (arusha.core.metrics), registered from CasesConfig.ready.

Each is computed from the de-identified records (CaseRecord) of the cases closed in the
months of the period, with the statistics page's small-cell rules: a figure the page would
not show is None here too.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from arusha.cases.statistics import (
    Counts,
    Period,
    count_hidden,
    counts_of,
    median_days,
    minimum_of,
    month_of,
    rate_hidden,
    records_of,
)
from arusha.core.metrics import Computed, register_metric
from arusha.core.models import Organization

RECEIVED = "cases.received"
ACKNOWLEDGED = "cases.acknowledged_in_time"
FEEDBACK = "cases.feedback_in_time"
SUBSTANTIATION = "cases.substantiation_rate"
DAYS_TO_DECISION = "cases.median_days_to_decision"
REOPENED = "cases.reopen_rate"
OVERRIDES = "cases.conflict_overrides"


def _counts(organization: Organization, start: datetime.date, end: datetime.date) -> tuple[Counts, int]:
    records = records_of(organization, Period(month_of(start), month_of(end)))
    return counts_of(records), minimum_of(organization)


def _count(value: int, minimum: int) -> Computed:
    return None if count_hidden(value, minimum) else value


def _rate(numerator: int, denominator: int, minimum: int) -> Computed:
    if denominator == 0 or rate_hidden(numerator, denominator, minimum):
        return None
    return (numerator, denominator)


def cases_received(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    return _count(counts.cases, minimum)


def acknowledged_in_time(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    return _rate(counts.acknowledged, counts.cases, minimum)


def feedback_in_time(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    return _rate(counts.feedback, counts.cases, minimum)


def substantiation_rate(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    return _rate(counts.substantiated, counts.allegations, minimum)


def days_to_decision(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    days = counts.decision_days
    if not days or len(days) < minimum:
        return None
    return median_days(days)


def reopen_rate(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    return _rate(counts.cases_reopened, counts.cases, minimum)


def conflict_overrides(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
    counts, minimum = _counts(organization, start, end)
    return _count(counts.overrides, minimum)


def register() -> None:
    register_metric(RECEIVED, _("Cases: received and closed in the period"), cases_received)
    register_metric(
        ACKNOWLEDGED, _("Cases: acknowledged in time (%)"), acknowledged_in_time, scale=100, unit="%"
    )
    register_metric(FEEDBACK, _("Cases: feedback given in time (%)"), feedback_in_time, scale=100, unit="%")
    register_metric(
        SUBSTANTIATION,
        _("Cases: substantiated allegations among allegations decided (%)"),
        substantiation_rate,
        scale=100,
        unit="%",
    )
    register_metric(
        DAYS_TO_DECISION, _("Cases: median days from receipt to decision"), days_to_decision, unit="days"
    )
    register_metric(REOPENED, _("Cases: reopened at least once (%)"), reopen_rate, scale=100, unit="%")
    register_metric(OVERRIDES, _("Cases: conflict-of-interest overrides"), conflict_overrides)
