"""Writes of the core context. Each service is one transaction with one audit record."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from pathlib import PurePath
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes.state import scope

from arusha.core.access import authorize, authorize_in, policy_for
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import (
    LANGUAGE_CHOICES,
    Attachment,
    Comment,
    Division,
    Grant,
    Membership,
    Notification,
    Organization,
    PaperSize,
    Role,
    User,
)
from arusha.core.permissions import PERMISSIONS, Permission, PresetRole
from arusha.core.tasks import email_send, enqueue_on_commit

_ORGANIZATION_FIELDS = ("slug", "name", "kind", "country", "default_language", "paper_size")
_DIVISION_FIELDS = ("name", "code", "parent")
_MEMBERSHIP_FIELDS = ("roles", "job_title", "division", "is_active", "reports_to")
# `membership_update(reports_to=KEEP)` leaves the reporting line as it is (callers that do not edit it).
KEEP: Literal["keep"] = "keep"


def user_create(*, email: str, full_name: str, password: str | None, preferred_language: str = "en") -> User:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise DomainError(_("A person with this e-mail address already exists."), field="email")
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, preferred_language=preferred_language
    )


@transaction.atomic
def user_update_preferences(*, actor: User, user: User, full_name: str, preferred_language: str) -> User:
    if preferred_language not in dict(LANGUAGE_CHOICES):
        raise DomainError(_("This language is not available."), field="preferred_language")
    if not full_name.strip():
        raise DomainError(_("Your name cannot be empty."), field="full_name")
    before = snapshot(user, ("full_name", "preferred_language"))
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    audit_change(
        actor=actor,
        action="arusha.user.updated",
        obj=user,
        organization=None,
        fields=("full_name", "preferred_language"),
        before=before,
    )
    return user


@transaction.atomic
def organization_create(
    *,
    actor: User | None,
    slug: str,
    name: str,
    kind: str,
    country: str = "",
    default_language: str = "en",
) -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(_("This short name is already taken."), field="slug")
    organization = Organization(
        slug=slug, name=name, kind=kind, country=country.upper(), default_language=default_language
    )
    organization.full_clean()
    organization.save()
    audit_change(
        actor=actor,
        action="arusha.organization.created",
        obj=organization,
        organization=organization,
        fields=_ORGANIZATION_FIELDS,
    )
    return organization


@transaction.atomic
def organization_update(
    *,
    actor: User,
    organization: Organization,
    name: str,
    country: str,
    default_language: str,
    paper_size: str | None = None,
    version: int | None = None,
) -> Organization:
    """Change the organization's settings; `paper_size` None keeps the current one."""
    authorize_in(actor, Permission.MANAGE, organization)
    if paper_size is not None and paper_size not in PaperSize.values:
        raise DomainError(_("Choose A4 or US Letter."), field="paper_size")
    before = snapshot(organization, _ORGANIZATION_FIELDS)
    organization.name = name
    organization.country = country.upper()
    organization.default_language = default_language
    organization.paper_size = paper_size or organization.paper_size
    organization.full_clean()
    save_versioned(
        organization, version=version, fields=["name", "country", "default_language", "paper_size"]
    )
    audit_change(
        actor=actor,
        action="arusha.organization.updated",
        obj=organization,
        organization=organization,
        fields=_ORGANIZATION_FIELDS,
        before=before,
    )
    return organization


def _check_parent(organization: Organization, division: Division | None, parent: Division | None) -> None:
    if parent is None:
        return
    if parent.organization_id != organization.pk:
        raise DomainError(_("The parent division belongs to another organization."), field="parent")
    node: Division | None = parent
    while node is not None:
        if division is not None and node.pk == division.pk:
            raise DomainError(
                _("A division cannot sit under itself or its own sub-divisions."), field="parent"
            )
        node = node.parent


@transaction.atomic
def division_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    code: str = "",
    parent: Division | None = None,
) -> Division:
    authorize_in(actor, Permission.MANAGE, organization)
    _check_parent(organization, None, parent)
    division = Division(organization=organization, name=name.strip(), code=code.strip(), parent=parent)
    try:
        with transaction.atomic():
            division.save()
    except IntegrityError as exc:
        raise DomainError(_("A division with this name already exists at this place."), field="name") from exc
    audit_change(
        actor=actor,
        action="arusha.division.created",
        obj=division,
        organization=organization,
        fields=_DIVISION_FIELDS,
    )
    return division


@transaction.atomic
def division_update(
    *,
    actor: User,
    division: Division,
    name: str,
    code: str,
    parent: Division | None,
    version: int | None = None,
) -> Division:
    """Change a division; `version` is the one the form was read at (a stale save is refused)."""
    authorize_in(actor, Permission.MANAGE, division.organization)
    _check_parent(division.organization, division, parent)
    before = snapshot(division, _DIVISION_FIELDS)
    division.name, division.code, division.parent = name.strip(), code.strip(), parent
    try:
        with transaction.atomic():
            save_versioned(division, version=version, fields=["name", "code", "parent"])
    except IntegrityError as exc:
        raise DomainError(_("A division with this name already exists at this place."), field="name") from exc
    audit_change(
        actor=actor,
        action="arusha.division.updated",
        obj=division,
        organization=division.organization,
        fields=_DIVISION_FIELDS,
        before=before,
    )
    return division


def roles_clean(organization: Organization, roles: list[str]) -> list[str]:
    """Preset roles first in their usual order, then the organization's own roles."""
    with scope(organization=organization):
        own = list(Role.objects.filter(organization=organization).values_list("code", flat=True))
    order = [*PresetRole.values, *sorted(own)]
    unknown = [role for role in roles if role not in order]
    if unknown:
        raise DomainError(_("Unknown role: %(role)s.") % {"role": unknown[0]}, field="roles")
    if not roles:
        raise DomainError(_("Give the member at least one role."), field="roles")
    return sorted(set(roles), key=order.index)


@transaction.atomic
def membership_create(
    *,
    actor: User | None,
    organization: Organization,
    user: User,
    roles: list[str],
    job_title: str = "",
    division: Division | None = None,
) -> Membership:
    authorize_in(actor, Permission.MEMBERS, organization)
    roles = roles_clean(organization, roles)
    if division is not None and division.organization_id != organization.pk:
        raise DomainError(_("The division belongs to another organization."), field="division")
    with scope(organization=organization):
        if Membership.objects.filter(organization=organization, user=user).exists():
            raise DomainError(_("This person is already a member."), field="email")
    membership = Membership.objects.create(
        organization=organization, user=user, roles=roles, job_title=job_title, division=division
    )
    audit_change(
        actor=actor,
        action="arusha.membership.created",
        obj=membership,
        organization=organization,
        fields=_MEMBERSHIP_FIELDS,
    )
    return membership


# What a membership change means elsewhere: arusha.accounts ends the person's sessions
# when their roles change and revokes their API tokens when the membership stops. A
# context above core registers here from its AppConfig.ready (core imports no context).
membership_listeners: list[Callable[..., None]] = []


def _check_reporting_line(membership: Membership, reports_to: Membership | None) -> None:
    """The person one reports to is another member of the organization, and the line makes no loop."""
    if reports_to is None:
        return
    if reports_to.organization_id != membership.organization_id:
        raise DomainError(_("Choose a member of this organization."), field="reports_to")
    seen = {membership.pk}
    current: Membership | None = reports_to
    while current is not None:
        if current.pk in seen:
            raise DomainError(
                _("A person cannot report to themselves, directly or through others."), field="reports_to"
            )
        seen.add(current.pk)
        with scope(organization=membership.organization):
            current = (
                Membership.objects.filter(pk=current.reports_to_id).first() if current.reports_to_id else None
            )


@transaction.atomic
def membership_update(
    *,
    actor: User,
    membership: Membership,
    roles: list[str],
    job_title: str,
    division: Division | None,
    is_active: bool,
    version: int | None = None,
    reports_to: Membership | Literal["keep"] | None = KEEP,
) -> Membership:
    authorize_in(actor, Permission.MEMBERS, membership.organization)
    roles = roles_clean(membership.organization, roles)
    if division is not None and division.organization_id != membership.organization_id:
        raise DomainError(_("The division belongs to another organization."), field="division")
    if not isinstance(reports_to, str):
        _check_reporting_line(membership, reports_to)
    if membership.user_id == actor.pk and not is_active:
        raise DomainError(_("You cannot deactivate your own membership."), field="is_active")
    before = snapshot(membership, _MEMBERSHIP_FIELDS)
    roles_before, active_before = list(membership.roles), membership.is_active
    if not isinstance(reports_to, str):
        membership.reports_to = reports_to
    membership.roles, membership.job_title = roles, job_title
    membership.division, membership.is_active = division, is_active
    save_versioned(
        membership, version=version, fields=["roles", "job_title", "division", "is_active", "reports_to"]
    )
    for listener in membership_listeners:
        listener(membership=membership, roles_before=roles_before, active_before=active_before)
    audit_change(
        actor=actor,
        action="arusha.membership.updated",
        obj=membership,
        organization=membership.organization,
        fields=_MEMBERSHIP_FIELDS,
        before=before,
    )
    return membership


def _may_discuss(actor: User, organization: Organization, target: models.Model) -> None:
    """Comments follow their object: whoever may see it; a member also needs the comment permission.

    Guests (participants from other organizations) comment on what they were invited to.
    """
    access = authorize(actor, "view", target)
    if access.is_member and not access.has(Permission.COMMENT):
        raise PermissionDenied(_("Your roles in this organization do not allow comments."))


@transaction.atomic
def comment_add(*, actor: User, organization: Organization, target: models.Model, body: str) -> Comment:
    from django.contrib.contenttypes.models import ContentType

    _may_discuss(actor, organization, target)
    body = body.strip()
    if not body:
        raise DomainError(_("Write something before you send the comment."), field="body")
    comment = Comment.objects.create(
        organization=organization,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        author=actor,
        body=body,
    )
    audit_record(
        actor=actor,
        action="arusha.comment.added",
        obj=target,
        organization=organization,
        # The comment's id, not its text: the text may be anything, and the audit CSV
        # goes to every auditor (Comment.AUDIT_SENSITIVE_FIELDS).
        changes={"comment": [None, comment.pk]},
    )
    return comment


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_add(
    *, actor: User, organization: Organization, target: models.Model, upload: UploadedFile
) -> Attachment:
    from django.contrib.contenttypes.models import ContentType

    # The calling service has checked the right to write (evidence, a sign-off's
    # document); a file may hang only on what the person may see.
    authorize(actor, "view", target)
    name = PurePath(upload.name or "file").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = settings.ARUSHA_ATTACHMENT_TYPES
    if extension not in allowed:
        raise DomainError(
            _("Files of type “%(ext)s” are not accepted. Accepted: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(allowed)},
            field="file",
        )
    size = upload.size or 0
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    limit = settings.ARUSHA_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise DomainError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": round(limit / 1048576, 1)},
            field="file",
        )
    attachment = Attachment(
        organization=organization,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        name=name,
        size=size,
        sha256=_sha256(upload),
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="arusha.attachment.added",
        obj=target,
        organization=organization,
        changes={"attachment": [None, {"name": name, "size": size, "sha256": attachment.sha256}]},
    )
    return attachment


def notification_send(
    *, recipient: User, subject: str, body: str = "", url: str = "", organization: Organization | None = None
) -> Notification:
    """Tell one person something, in the app and by e-mail.

    The in-app notification is written in the caller's transaction; the e-mail is handed
    to the worker when that transaction commits, so a rolled-back write tells nobody and
    no mail server is ever waited for inside a transaction. A failed e-mail does not undo
    the notification: it is listed among the worker's failed tasks.
    """
    notification = Notification.objects.create(
        recipient=recipient, organization=organization, subject=subject, body=body, url=url
    )
    enqueue_on_commit(email_send, subject=str(subject), body=f"{body}\n\n{url}".strip(), to=[recipient.email])
    return notification


def notification_mark_read(*, recipient: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# --- Roles of the organization's own, and grants on single objects -------------------

_ROLE_FIELDS = ("code", "name", "description", "based_on", "permissions")


def _clean_permissions(permissions: list[str]) -> list[str]:
    unknown = [code for code in permissions if code not in PERMISSIONS]
    if unknown:
        raise DomainError(_("Unknown permission: %(code)s.") % {"code": unknown[0]}, field="permissions")
    return sorted(set(permissions))


@transaction.atomic
def role_create(
    *, actor: User | None, organization: Organization, based_on: str, name: str, description: str = ""
) -> Role:
    """Copy a preset role into a role of the organization's own, which its administrator then edits."""
    from django.utils.text import slugify

    from arusha.core.permissions import preset_permissions

    authorize_in(actor, Permission.MEMBERS, organization)
    if based_on not in PresetRole.values:
        raise DomainError(_("Choose the preset role to start from."), field="based_on")
    name = name.strip()
    if not name:
        raise DomainError(_("Give the role a name."), field="name")
    code = slugify(name)[:40] or "role"
    if code in PresetRole.values:
        code = f"own-{code}"
    with scope(organization=organization):
        taken = set(Role.objects.filter(organization=organization).values_list("code", flat=True))
        if Role.objects.filter(organization=organization, name__iexact=name).exists():
            raise DomainError(_("A role with this name already exists."), field="name")
    base, suffix = code, 2
    while code in taken:
        code, suffix = f"{base}-{suffix}", suffix + 1
    role = Role.objects.create(
        organization=organization,
        code=code,
        name=name,
        description=description.strip(),
        based_on=based_on,
        permissions=sorted(preset_permissions(based_on)),
    )
    audit_change(
        actor=actor, action="arusha.role.created", obj=role, organization=organization, fields=_ROLE_FIELDS
    )
    return role


@transaction.atomic
def role_update(
    *, actor: User, role: Role, name: str, description: str, permissions: list[str], version: int
) -> Role:
    """Change an organization's own role; a stale form (someone saved first) is refused."""
    authorize_in(actor, Permission.MEMBERS, role.organization)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the role a name."), field="name")
    with scope(organization=role.organization):
        same_name = Role.objects.filter(organization=role.organization, name__iexact=name)
        if same_name.exclude(pk=role.pk).exists():
            raise DomainError(_("A role with this name already exists."), field="name")
    before = snapshot(role, _ROLE_FIELDS)
    role.name, role.description = name, description.strip()
    role.permissions = _clean_permissions(permissions)
    save_versioned(role, version=version, fields=("name", "description", "permissions"))
    audit_change(
        actor=actor,
        action="arusha.role.updated",
        obj=role,
        organization=role.organization,
        fields=_ROLE_FIELDS,
        before=before,
    )
    return role


@transaction.atomic
def role_delete(*, actor: User, role: Role) -> None:
    authorize_in(actor, Permission.MEMBERS, role.organization)
    with scope(organization=role.organization):
        members = Membership.objects.filter(organization=role.organization)
        holders = [m for m in members if role.code in m.roles]
    if holders:
        raise DomainError(
            _("%(count)s member(s) hold this role: give them another role first.") % {"count": len(holders)}
        )
    audit_record(actor=actor, action="arusha.role.deleted", obj=role, organization=role.organization)
    role.delete()


_GRANT_FIELDS = ("user", "permission", "object_repr", "reason", "expires_at")


@transaction.atomic
def grant_create(
    *,
    actor: User | None,
    organization: Organization,
    user: User,
    permission: str,
    target: models.Model,
    reason: str,
    expires_at: datetime.datetime | None = None,
    checked_by_context: bool = False,
) -> Grant:
    """Give one person one permission on one object, audited, until it expires or is revoked.

    `checked_by_context`: a context's service gives the grant as part of its own work
    (adding someone to a risk working group) and has checked the actor's right to do that.
    """
    from django.contrib.contenttypes.models import ContentType

    if not checked_by_context:
        authorize_in(actor, Permission.GRANTS, organization)
    policy = policy_for(target)
    if policy.organization_of(target).pk != organization.pk:
        raise DomainError(_("This object belongs to another organization."))
    if permission not in policy.actions.values():
        raise DomainError(_("This permission does not apply to this object."), field="permission")
    with scope(organization=organization):
        if not Membership.objects.filter(organization=organization, user=user, is_active=True).exists():
            raise DomainError(_("Access can be given only to active members."), field="user")
    if not reason.strip():
        raise DomainError(_("Say why this access is given."), field="reason")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The end of the access must be in the future."), field="expires_at")
    grant = Grant.objects.create(
        organization=organization,
        user=user,
        permission=permission,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=str(target)[:300],
        reason=reason.strip(),
        expires_at=expires_at,
        granted_by=actor,
    )
    audit_change(
        actor=actor, action="arusha.grant.created", obj=grant, organization=organization, fields=_GRANT_FIELDS
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: User, grant: Grant, checked_by_context: bool = False) -> Grant:
    if not checked_by_context:
        authorize_in(actor, Permission.GRANTS, grant.organization)
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action="arusha.grant.revoked", obj=grant, organization=grant.organization)
    return grant
