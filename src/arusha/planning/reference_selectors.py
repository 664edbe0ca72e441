"""Reads of a KPI's reference values, inside the organization's scope."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from arusha.planning.models import Kpi, KpiReference


def references_of(kpi: Kpi) -> QuerySet[KpiReference]:
    """The KPI's reference values, series by series, oldest first."""
    return KpiReference.objects.filter(kpi=kpi).order_by("label", "date")


def reference_get(kpi: Kpi, pk: int) -> KpiReference:
    """One reference value of the KPI, or 404 (missing and "not this KPI's" alike)."""
    reference = KpiReference.objects.filter(kpi=kpi, pk=pk).select_related("kpi__organization").first()
    if reference is None:
        raise Http404
    return reference
