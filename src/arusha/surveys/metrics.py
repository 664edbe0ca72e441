"""Survey indices a KPI may take its values from (arusha.core.metrics), registered from SurveysConfig.ready.

"surveys.index.overall" and "surveys.index.KF1" … "surveys.index.KF10": the index of
every respondent (results.EVERYONE) in the organization's latest wave whose closing day
(or, without one, its opening day) falls in the period. Weighted to the wave's
population counts when it has them, as the dashboard shows it when asked. None when
the index is suppressed (fewer than k respondents), when no wave falls in the period,
or when the wave has no result for the factor.

A review indicator takes these values the way it takes any KPI's: the KPI is measured
from the platform, the measurement is verified, and the review records it
(monitoring's indicator_record with the KPI).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.core.metrics import Compute, Computed, Figure, register_metric
from arusha.core.models import Organization
from arusha.frameworks.factors import FACTOR_NAMES, FACTORS
from arusha.surveys.models import Population, Wave, WaveStatus
from arusha.surveys.results import EVERYONE, OVERALL

PREFIX = "surveys.index."
OVERALL_CODE = f"{PREFIX}overall"


def code_of(factor: str) -> str:
    return OVERALL_CODE if factor == OVERALL else f"{PREFIX}{factor}"


def wave_in(organization: Organization, start: datetime.date, end: datetime.date) -> Wave | None:
    """The organization's latest wave (any survey) closing, or else opening, between start and end."""
    closing = Q(closes_on__gte=start, closes_on__lte=end)
    opening = Q(closes_on__isnull=True, opens_on__gte=start, opens_on__lte=end)
    with scopes_disabled():
        waves = (
            Wave.objects.filter(survey__organization=organization)
            .exclude(status=WaveStatus.DRAFT)
            .filter(closing | opening)
            .select_related("survey", "questionnaire")
        )
        latest = sorted(waves, key=lambda w: (w.closes_on or w.opens_on or start, w.number, w.pk))
    return latest[-1] if latest else None


def index_of(organization: Organization, start: datetime.date, end: datetime.date, factor: str) -> Computed:
    from arusha.surveys.analysis import results

    wave = wave_in(organization, start, end)
    if wave is None:
        return None
    with scopes_disabled():
        weighted = Population.objects.filter(wave=wave).exists()
        table = results(wave, weighted=weighted)
    cell = table.cell(factor, EVERYONE)
    if cell is None or cell.suppressed or cell.index is None:
        return None
    return Figure(value=round(_decimal(cell.index), 6))


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))


def _compute(factor: str) -> Compute:
    def compute(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
        return index_of(organization, start, end, factor)

    return compute


def _label(factor: str) -> str:
    return gettext("Perception survey: %(factor)s index (0-100)") % {
        "factor": f"{factor} {FACTOR_NAMES[factor]}"
    }


# Labels are read in the language of whoever reads the KPI form, not of the process start.
_lazy_label = lazy(_label, str)


def register() -> None:
    register_metric(OVERALL_CODE, _("Perception survey: overall integrity index (0-100)"), _compute(OVERALL))
    for factor in FACTORS:
        register_metric(code_of(factor), _lazy_label(factor), _compute(factor))
