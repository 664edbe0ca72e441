"""Reads of findings and field visits."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from arusha.assessments.models import Assessment, FieldVisit, Finding


def findings_of(
    assessment: Assessment, *, kind: str = "", area: str = "", priority: str = ""
) -> QuerySet[Finding]:
    findings = Finding.objects.filter(assessment=assessment)
    if kind:
        findings = findings.filter(kind=kind)
    if area:
        findings = findings.filter(area_code=area)
    if priority:
        findings = findings.filter(priority=priority)
    return findings.select_related("created_by").prefetch_related("questions")


def finding_get(assessment: Assessment, pk: int) -> Finding:
    finding = Finding.objects.filter(assessment=assessment, pk=pk).prefetch_related("questions").first()
    if finding is None:
        raise Http404
    return finding


def field_visits_of(assessment: Assessment) -> QuerySet[FieldVisit]:
    return FieldVisit.objects.filter(assessment=assessment).select_related("recorded_by")
