"""What the tests of keys and people share: reports about members, reporting lines, unlocked browsers."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import PASSPHRASE, Desk, signed_in

from arusha.cases.models import Case
from arusha.cases.services.intake import Report, report_submit
from arusha.core import services as core_services
from arusha.core.models import Membership, User

NARRATIVE = "The clerk at desk 7 took money to skip the inspection."


def membership(d: Desk, user: User) -> Membership:
    with scopes_disabled():
        return Membership.objects.get(organization=d.organization, user=user)


def report_about(d: Desk, *subjects: User, identity: dict[str, str] | None = None) -> Case:
    """A public report naming members of the organization as its subjects."""
    about: list[dict[str, Any]] = [
        {"name": str(user), "role": "clerk", "membership": membership(d, user).pk} for user in subjects
    ]
    with scopes_disabled():
        return report_submit(
            Report(
                channel=d.channel,
                answers={"where": "Port"},
                narrative=NARRATIVE,
                subjects=about,
                identity=identity,
            )
        ).case


def set_line(d: Desk, owner: User, user: User, boss: User | None) -> None:
    """`user` reports to `boss`, set through core's membership service (as the member page does)."""
    member = membership(d, user)
    core_services.membership_update(
        actor=owner,
        membership=member,
        roles=member.roles,
        job_title=member.job_title,
        division=member.division,
        is_active=True,
        reports_to=membership(d, boss) if boss is not None else None,
    )


def set_division(d: Desk, owner: User, user: User, division: Any) -> None:
    member = membership(d, user)
    core_services.membership_update(
        actor=owner,
        membership=member,
        roles=member.roles,
        job_title=member.job_title,
        division=division,
        is_active=True,
    )


def vault_url(d: Desk) -> str:
    return reverse("cases-vault", args=[d.organization.slug])


def unlocked(d: Desk, user: User) -> Client:
    """A signed-in browser whose vault was unlocked through the vault page."""
    client = signed_in(user)
    response = client.post(vault_url(d), {"action": "unlock", "passphrase": PASSPHRASE})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def people_url(case: Case, name: str = "case-people", *args: object) -> str:
    return reverse(name, args=[case.organization.slug, case.pk, *args])
