"""The de-identified record a closed case leaves, which outlives its purge."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django_scopes import scopes_disabled

from arusha.cases.models import Allegation, Case, CaseRecord, ConflictOverride, Finding, Sanction


def _month(value: object) -> object:
    return value.replace(day=1) if value is not None else None  # type: ignore[attr-defined]


def record_write(case: Case) -> CaseRecord:
    """Write (or, for a reopened case, rewrite) the case's record: metadata only."""
    from arusha.cases.services.workflow import outcome_of

    with scopes_disabled():
        allegations = list(Allegation.objects.filter(case=case).values_list("finding", flat=True))
        sanctions: dict[str, int] = {}
        for kind in Sanction.objects.filter(case=case).values_list("kind", flat=True):
            sanctions[kind] = sanctions.get(kind, 0) + 1
        recovered = Sanction.objects.filter(case=case).aggregate(total=Sum("amount_recovered"))["total"]
        overrides = ConflictOverride.objects.filter(case=case, approved_at__isnull=False).count()
        category = case.category
        acknowledged = case.acknowledged_on is not None and case.acknowledged_on <= case.acknowledge_by
        feedback = case.feedback_on is not None and case.feedback_on <= case.feedback_by
        decided = (case.decided_on - case.received_on).days if case.decided_on else None
        record, _created = CaseRecord.objects.update_or_create(
            case=case,
            defaults={
                "organization": case.organization,
                "channel_kind": case.channel.kind,
                "category": category.code if category else "",
                "factor": category.factor if category else "",
                "office": case.office,
                "received_month": _month(case.received_on),
                "closed_month": _month(case.closed_on),
                "outcome": outcome_of(case),
                "acknowledged_in_time": acknowledged,
                "feedback_in_time": feedback,
                "days_to_decision": decided,
                "allegations": len(allegations),
                "substantiated": sum(1 for f in allegations if f == Finding.SUBSTANTIATED),
                "sanctions": sanctions,
                "amount_recovered": recovered or Decimal(0),
                "reopened": case.reopened,
                "overrides": overrides,
            },
        )
    return record
