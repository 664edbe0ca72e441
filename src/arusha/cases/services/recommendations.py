"""Systemic recommendations of cases, and what they do in the risk map (issue 10, 6).

A recommendation is a lesson written without names, stored in the clear and listed for
the whole organization. With a process of the risk map's catalogue it can create a risk
in the assessment open for that process, or be added to an existing risk (a monitored
one is then reopened): arusha.risks decides, with its own access rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.access import authorize_case
from arusha.cases.models import Case, Recommendation, Status
from arusha.cases.services.investigation import MAX_SHORT, text_of
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.risks.services.recommendations import risk_from_recommendation

if TYPE_CHECKING:
    from arusha.risks.models import Process, Risk

S = Status


class RiskMap:
    """What a recommendation does in the risk map: nothing, a new risk, or an update of one."""

    NONE = ""
    NEW = "new"
    EXISTING = "existing"


def recommendation_add(
    *,
    actor: User,
    case: Case,
    text: str,
    process: str = "",
    process_ref: Process | None = None,
    risk_map: str = RiskMap.NONE,
    risk: Risk | None = None,
) -> Recommendation:
    """A systemic lesson, written without names: it is plain text, meant for the risk map.

    With a process of the risk map's catalogue, it can create a risk in the assessment
    open for that process (`risk_map="new"`) or be added to an existing risk
    (`risk_map="existing"`, which a monitored risk then reopens): arusha.risks decides,
    with its own access rules, and refuses with a message naming the field.
    """
    authorize_case(actor, "handle", case)
    if case.status in (S.ARCHIVED, S.PURGED):
        raise DomainError(_("This case is archived: no recommendation can be added."))
    body = text_of(text, "text", limit=10_000)
    where = text_of(process, "process", required=False, limit=MAX_SHORT)
    if risk_map not in (RiskMap.NONE, RiskMap.NEW, RiskMap.EXISTING):
        raise DomainError(_("Choose what the recommendation does in the risk map."), field="risk_map")
    if process_ref is not None and process_ref.organization_id != case.organization_id:
        raise DomainError(_("Choose a process of the organization's catalogue."), field="process_ref")
    if risk_map == RiskMap.NEW and process_ref is None:
        raise DomainError(
            _("Choose the process of the risk map the new risk belongs to."), field="process_ref"
        )
    if risk_map == RiskMap.EXISTING and risk is None:
        raise DomainError(_("Choose the risk to update."), field="risk")
    with transaction.atomic(), scopes_disabled():
        linked: Risk | None = None
        if risk_map == RiskMap.NEW and process_ref is not None:
            linked = risk_from_recommendation(
                actor=actor,
                organization=case.organization,
                process=process_ref,
                text=body,
                reference=case.reference,
            )
        elif risk_map == RiskMap.EXISTING and risk is not None:
            linked = risk_from_recommendation(
                actor=actor,
                organization=case.organization,
                process=process_ref or risk.process,
                text=body,
                reference=case.reference,
                risk=risk,
            )
        recommendation = Recommendation.objects.create(
            case=case,
            text=body,
            process=where or (process_ref.name if process_ref is not None else ""),
            process_ref=process_ref or (linked.process if linked is not None else None),
            risk=linked,
            written_by=actor,
            written_on=timezone.localdate(),
        )
        audit_record(
            actor=actor,
            action="arusha.case.recommendation.added",
            obj=case,
            organization=case.organization,
            changes={
                "recommendation": [None, recommendation.pk],
                "risk": [None, linked.code if linked is not None else None],
            },
        )
    return recommendation


def recommendations_of(organization: Organization) -> list[Recommendation]:
    with scopes_disabled():
        return list(
            Recommendation.objects.filter(case__organization=organization)
            .select_related("case", "written_by", "risk")
            .order_by("-written_on", "-id")
        )
