"""Reads of the final report: its texts, its generated versions and the feedback."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from arusha.assessments.models import Assessment, Feedback, Participant, ReportText, ReportVersion
from arusha.core.models import User


def report_text_of(assessment: Assessment) -> ReportText:
    """The report's texts, or empty ones (not saved: reading writes nothing)."""
    return ReportText.objects.filter(assessment=assessment).first() or ReportText(assessment=assessment)


def feedback_of(assessment: Assessment, user: User) -> Feedback | None:
    return Feedback.objects.filter(assessment=assessment, user=user).first()


def feedback_count(assessment: Assessment) -> int:
    return Feedback.objects.filter(assessment=assessment).count()


def is_participant(assessment: Assessment, user: User) -> bool:
    return Participant.objects.filter(assessment=assessment, user=user, revoked_at__isnull=True).exists()


def report_versions_of(assessment: Assessment) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(assessment=assessment).select_related("generated_by")


def report_version_get(assessment: Assessment, pk: int) -> ReportVersion:
    version = ReportVersion.objects.filter(assessment=assessment, pk=pk).first()
    if version is None:
        raise Http404
    return version
