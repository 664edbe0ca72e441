"""Reads of the core context. Tenant data is read inside the organization's scope."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes.state import scopes_disabled

from arusha.core.models import (
    Attachment,
    AuditEvent,
    Comment,
    Division,
    Grant,
    Membership,
    Notification,
    Organization,
    Role,
    User,
)


def memberships_of(user: User) -> list[Membership]:
    """Every organization a person acts in: the one cross-tenant read, for their home page."""
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def division_list(organization: Organization) -> list[Division]:
    return list(
        Division.objects.filter(organization=organization)
        .select_related("parent")
        .annotate(member_count=Count("membership"))
        .order_by("name")
    )


def division_tree(organization: Organization) -> list[tuple[Division, int]]:
    """Divisions in tree order, each with its depth, from one query."""
    divisions = division_list(organization)
    children: dict[int | None, list[Division]] = {}
    for division in divisions:
        children.setdefault(division.parent_id, []).append(division)
    ordered: list[tuple[Division, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for child in children.get(parent_id, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered


def division_get(organization: Organization, pk: int) -> Division:
    division = Division.objects.filter(organization=organization, pk=pk).select_related("parent").first()
    if division is None:
        raise Http404
    return division


def membership_list(organization: Organization, query: str = "") -> QuerySet[Membership]:
    memberships = Membership.objects.filter(organization=organization).select_related("user", "division")
    if query:
        memberships = memberships.filter(
            models.Q(user__full_name__icontains=query) | models.Q(user__email__icontains=query)
        )
    return memberships.order_by("user__full_name", "pk")


def membership_get(organization: Organization, pk: int) -> Membership:
    membership = (
        Membership.objects.filter(organization=organization, pk=pk).select_related("user", "division").first()
    )
    if membership is None:
        raise Http404
    return membership


def audit_list(organization: Organization) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organization=organization).select_related("content_type")


def object_history(organization: Organization, obj: models.Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(**_hung_on(organization, obj))


def _hung_on(organization: Organization, obj: models.Model) -> dict[str, object]:
    return {
        "organization": organization,
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": str(obj.pk),
    }


def comments_on(organization: Organization, obj: models.Model) -> list[Comment]:
    return list(Comment.objects.filter(**_hung_on(organization, obj)).select_related("author"))


def attachments_on(organization: Organization, obj: models.Model) -> list[Attachment]:
    return list(Attachment.objects.filter(**_hung_on(organization, obj)).select_related("uploaded_by"))


def attachment_get(organization: Organization, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(organization=organization, pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


def notification_list(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preset_roles() -> list[tuple[str, str, list[str]]]:
    """Every preset role: code, label and the labels of the permissions it holds."""
    from arusha.core.permissions import PERMISSIONS, PresetRole, preset_permissions

    return [
        (code, str(label), sorted(str(PERMISSIONS[p].label) for p in preset_permissions(code)))
        for code, label in PresetRole.choices
    ]


def role_list(organization: Organization) -> list[Role]:
    return list(Role.objects.filter(organization=organization).order_by("name"))


def role_get(organization: Organization, pk: int) -> Role:
    role = Role.objects.filter(organization=organization, pk=pk).first()
    if role is None:
        raise Http404
    return role


def permission_groups() -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Registered permissions grouped by the context that declared them, for the role form."""
    from arusha.core.permissions import PERMISSIONS

    groups: dict[str, list[tuple[str, str, bool]]] = {}
    for spec in sorted(PERMISSIONS.values(), key=lambda s: s.code):
        groups.setdefault(spec.context, []).append((spec.code, str(spec.label), spec.confidential))
    return list(groups.items())


def grant_list(organization: Organization, *, active_only: bool = True) -> QuerySet[Grant]:
    grants = Grant.objects.filter(organization=organization).select_related("user", "granted_by")
    if active_only:
        now = timezone.now()
        grants = grants.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )
    return grants.order_by("-created_at", "-id")


def grant_get(organization: Organization, pk: int) -> Grant:
    grant = Grant.objects.filter(organization=organization, pk=pk).select_related("user").first()
    if grant is None:
        raise Http404
    return grant


def grants_on(organization: Organization, obj: models.Model) -> list[Grant]:
    return list(grant_list(organization).filter(**_hung_on(organization, obj)))
