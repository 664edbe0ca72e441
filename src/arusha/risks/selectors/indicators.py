"""The key risk indicators of one risk as its page shows them: three queries, whatever their number."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django_scopes import scope

from arusha.core.metrics import metric_label
from arusha.planning import selectors as planning_selectors
from arusha.risks.models import Indicator, Reading, Risk
from arusha.risks.selectors.base import one_or_404
from arusha.risks.services.indicators import plain
from arusha.risks.vocabulary import IndicatorSource

READINGS_SHOWN = 12


def indicator_of(risk: Risk, pk: int) -> Indicator:
    """The indicator `pk` of the risk, or 404 (another risk's indicator is not found here)."""
    return one_or_404(Indicator, risk.organization, related=["risk__cycle"], risk=risk, pk=pk)


def shown(value: Decimal | None) -> str:
    """A number in the reader's language, thousands separated, without trailing zeros."""
    if value is None:
        return ""
    return str(number_format(Decimal(plain(value)), force_grouping=True))


@dataclass
class IndicatorRow:
    indicator: Indicator
    source: str
    last_value: str
    amber: str
    red: str
    readings: list[tuple[Reading, str]] = field(default_factory=list)
    count: int = 0

    @property
    def fetches(self) -> bool:
        return self.indicator.source != IndicatorSource.MANUAL


def indicator_rows(risk: Risk) -> list[IndicatorRow]:
    """The risk's indicators, each with its latest readings (newest first) and its source named."""
    with scope(organization=risk.organization):
        indicators = list(Indicator.objects.filter(risk=risk).order_by("pk"))
        readings = list(
            Reading.objects.filter(indicator__in=indicators).order_by("-period_end", "-period_start", "-pk")
        )
        kpi_ids = [i.kpi_id for i in indicators if i.kpi_id]
        kpis = (
            {k.pk: k for k in planning_selectors.kpis_among(kpi_ids).only("code", "name", "organization_id")}
            if kpi_ids
            else {}
        )
    rows = []
    for indicator in indicators:
        if indicator.source == IndicatorSource.KPI:
            kpi = kpis.get(indicator.kpi_id or 0)
            source = f"{kpi.code} · {kpi.name}" if kpi else ""
        elif indicator.source == IndicatorSource.METRIC:
            source = metric_label(indicator.metric)
        else:
            source = str(IndicatorSource.MANUAL.label)
        mine = [r for r in readings if r.indicator_id == indicator.pk]
        rows.append(
            IndicatorRow(
                indicator=indicator,
                source=source,
                last_value=shown(indicator.last_value),
                amber=shown(indicator.amber),
                red=shown(indicator.red),
                readings=[(r, shown(r.value)) for r in mine[:READINGS_SHOWN]],
                count=len(mine),
            )
        )
    return rows
