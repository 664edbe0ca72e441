"""Relationships a member declares with other members; the arm's-length rules apply them."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.core.access import authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, Relationship, RelationshipKind, User
from arusha.core.permissions import Permission


def _own_membership(actor: User, organization: Organization) -> Membership:
    access = authorize_in(actor, Permission.VIEW, organization)
    if access.membership is None:
        raise Http404
    return access.membership


def relationships_of(actor: User, organization: Organization) -> list[Relationship]:
    membership = _own_membership(actor, organization)
    with scopes_disabled():
        return list(
            Relationship.objects.filter(member=membership)
            .select_related("other__user")
            .order_by("-declared_on")
        )


def relationship_declare(
    *, actor: User, organization: Organization, other: Membership, kind: str
) -> Relationship:
    """A member declares a relationship with another member; arm's-length rules then apply it."""
    membership = _own_membership(actor, organization)
    if other.organization_id != organization.pk or not other.is_active:
        raise DomainError(_("Choose a member of this organization."), field="other")
    if other.pk == membership.pk:
        raise DomainError(_("Choose someone other than yourself."), field="other")
    if kind not in RelationshipKind.values:
        raise DomainError(_("Choose one of the kinds offered."), field="kind")
    today = timezone.localdate()
    with transaction.atomic(), scopes_disabled():
        if (
            Relationship.objects.filter(member=membership, other=other, kind=kind)
            .exclude(ended_on__lte=today)
            .exists()
        ):
            raise DomainError(_("You have already declared this relationship."), field="other")
        relationship = Relationship.objects.create(
            organization=organization, member=membership, other=other, kind=kind
        )
        audit_record(
            actor=actor,
            action="arusha.relationship.declared",
            obj=relationship,
            organization=organization,
            changes={"kind": [None, kind]},
        )
    return relationship


def relationship_end(*, actor: User, relationship: Relationship) -> Relationship:
    """The declarer says the relationship has ended (it stays on record)."""
    membership = _own_membership(actor, relationship.organization)
    if relationship.member_id != membership.pk:
        raise Http404
    today = timezone.localdate()
    if relationship.ended_on is not None and relationship.ended_on <= today:
        raise DomainError(_("This relationship has already ended."))
    with transaction.atomic(), scopes_disabled():
        relationship.ended_on = today
        relationship.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action="arusha.relationship.ended",
            obj=relationship,
            organization=relationship.organization,
            changes={"ended_on": [None, str(today)]},
        )
    return relationship
