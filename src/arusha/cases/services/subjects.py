"""The people a case is about ("subjects"): who they are is sealed with the case key.

Staff record them from what the report says, and link a subject to a member of the
organization when they are one: arm's-length rules (services.assignment.conflict_reasons)
read that link to refuse conflicted assignments. Adding a subject also tells who is
already assigned and now conflicts with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.keys import Keyring
from arusha.cases.models import Assignment, Case, Status, Subject
from arusha.core.access import authorize
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Membership, User

MAX_NAME = 200


@dataclass(frozen=True)
class SubjectShown:
    pk: int
    name: str
    role: str
    member: Membership | None


def subjects_of(keyring: Keyring, case: Case) -> list[SubjectShown]:
    """The case's subjects, opened with the person's key (VaultLocked / NoKey otherwise)."""
    authorize(keyring.user, "view", case)
    key = keyring.key(case)
    with scopes_disabled():
        rows = list(Subject.objects.filter(case=case).order_by("position", "pk"))
        opened = [(row, crypto.unseal_json(key, bytes(row.sealed))) for row in rows]
        ids = [int(d["membership"]) for _r, d in opened if str(d.get("membership") or "").isdigit()]
        members = {
            m.pk: m
            for m in Membership.objects.filter(organization=case.organization, pk__in=ids).select_related(
                "user"
            )
        }
    return [
        SubjectShown(
            pk=row.pk,
            name=str(data.get("name", "")),
            role=str(data.get("role", "")),
            member=members.get(int(data["membership"]))
            if str(data.get("membership") or "").isdigit()
            else None,
        )
        for row, data in opened
    ]


def _text(value: str, field: str, *, required: bool) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise DomainError(_("Give the person's name, or how the report describes them."), field=field)
    if len(text) > MAX_NAME:
        raise DomainError(_("Write at most %(count)d characters.") % {"count": MAX_NAME}, field=field)
    return text


def subject_add(
    *, keyring: Keyring, case: Case, name: str, role: str = "", member: Membership | None = None
) -> Subject:
    """Record a person the case is about (`now_conflicted` then tells who is assigned and conflicts)."""
    authorize(keyring.user, "handle", case)
    if case.status in (Status.ARCHIVED, Status.PURGED):
        raise DomainError(_("This case is archived: its record is closed."))
    key = keyring.key(case)
    name = _text(name, "name", required=True)
    role = _text(role, "role", required=False)
    if member is not None and (member.organization_id != case.organization_id):
        raise DomainError(_("Choose a member of this organization."), field="member")
    data = {"name": name, "role": role, "membership": member.pk if member else None}
    with transaction.atomic(), scopes_disabled():
        top = Subject.objects.filter(case=case).aggregate(top=Max("position"))["top"] or 0
        subject = Subject.objects.create(case=case, sealed=crypto.seal_json(key, data), position=top + 1)
        audit_record(
            actor=keyring.user, action="arusha.case.subject.added", obj=case, organization=case.organization
        )
    return subject


def now_conflicted(keyring: Keyring, case: Case) -> list[User]:
    """The people assigned without an override who conflict with the case's subjects."""
    from arusha.cases.services.assignment import conflict_reasons

    with scopes_disabled():
        working = list(
            Assignment.objects.filter(case=case, ended_at__isnull=True, override__isnull=True).select_related(
                "user"
            )
        )
        memberships = {
            m.user_id: m
            for m in Membership.objects.filter(
                organization=case.organization, user__in=[a.user for a in working]
            )
        }
    return [
        a.user
        for a in working
        if a.user_id in memberships and conflict_reasons(keyring, case, memberships[a.user_id])
    ]


def subject_remove(*, keyring: Keyring, case: Case, pk: int) -> None:
    authorize(keyring.user, "handle", case)
    keyring.key(case)  # only a key holder, who can read what they remove
    with transaction.atomic(), scopes_disabled():
        deleted, _detail = Subject.objects.filter(case=case, pk=pk).delete()
        if not deleted:
            raise DomainError(_("This person is no longer recorded on the case."))
        audit_record(
            actor=keyring.user, action="arusha.case.subject.removed", obj=case, organization=case.organization
        )
