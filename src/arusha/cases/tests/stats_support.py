"""What the statistics, retention and metrics tests share: closed cases and de-identified records."""

from __future__ import annotations

import datetime
from typing import Any

from django_scopes import scopes_disabled
from tests.cases import Desk

from arusha.cases.models import Case, CaseRecord, Status
from arusha.cases.services.intake import Report, Upload, case_settings, report_submit
from arusha.cases.services.workflow import case_move
from arusha.core.models import Organization, User

NARRATIVE = "CANARY-NARRATIVE the officer at gate 4 asked for cash"
# The quick way through: acknowledged, triaged, resolved at intake, answered, closed.
TO_CLOSE = (Status.ACKNOWLEDGED, Status.TRIAGE, Status.RESOLVED_AT_INTAKE, Status.FEEDBACK, Status.CLOSED)


def closed_report(
    d: Desk, *, narrative: str = NARRATIVE, files: list[Upload] | None = None
) -> tuple[Case, str]:
    """A public report, moved through the workflow's services to closed; with its receipt."""
    with scopes_disabled():
        submitted = report_submit(
            Report(
                channel=d.channel,
                answers={"where": "Port"},
                narrative=narrative,
                files=files or [],
                subjects=[{"name": "CANARY-SUBJECT", "role": "gate officer"}],
            )
        )
    case = submitted.case
    for step in TO_CLOSE:
        case = case_move(actor=d.officer, case=case, to=step)
    return case, submitted.receipt


def record(organization: Organization, **values: Any) -> CaseRecord:
    """A de-identified record made directly, for volume figures."""
    month = datetime.date(2026, 3, 1)
    fields: dict[str, Any] = {
        "channel_kind": "integrity_report",
        "received_month": month,
        "closed_month": month,
        "outcome": "resolved",
        "acknowledged_in_time": True,
        "feedback_in_time": True,
        **values,
    }
    with scopes_disabled():
        return CaseRecord.objects.create(organization=organization, **fields)


def smallest_cell(organization: Organization, minimum: int) -> None:
    settings = case_settings(organization)
    with scopes_disabled():
        settings.minimum_cell = minimum
        settings.save(update_fields=["minimum_cell"])


def analyst(d: Desk) -> User:
    """A member who reads statistics (the analyst preset) and holds no case permission."""
    from arusha.core import services
    from arusha.core.permissions import PresetRole

    user = services.user_create(email="analyst@test.example", full_name="Ana Analyst", password=None)
    services.membership_create(actor=None, organization=d.organization, user=user, roles=[PresetRole.ANALYST])
    return user
