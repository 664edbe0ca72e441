"""What the desk's tests share: reports in, assignments, and a browser with its vault unlocked."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from tests.cases import Desk

from arusha.cases.keys import give_key
from arusha.cases.models import Assignment, AssignmentRole, Case, KeyPurpose
from arusha.cases.services.intake import Report, report_submit
from arusha.core.models import User

NARRATIVE = "The officer at gate 4 asked for cash to release the container."


def report(d: Desk, narrative: str = NARRATIVE, where: str = "Port") -> Case:
    """A report sent through the public channel, as a reporter would."""
    with scopes_disabled():
        return report_submit(Report(channel=d.channel, answers={"where": where}, narrative=narrative)).case


def assign(d: Desk, case: Case, user: User, role: str = AssignmentRole.HANDLER) -> Assignment:
    """An attested assignment with the case key given (what the people screens do)."""
    with scopes_disabled():
        assignment = Assignment.objects.create(
            case=case, user=user, role=role, assigned_by=d.supervisor, attested_at=timezone.now()
        )
    key = d.keyring(d.officer).key(case)
    give_key(case=case, user=user, key=key, purpose=KeyPurpose.CONTENT, by=d.officer)
    return assignment


def list_url(d: Desk, name: str = "case-list") -> str:
    return reverse(name, args=[d.organization.slug])
