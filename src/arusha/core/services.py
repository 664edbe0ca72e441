"""Writes of the core context. Each service is one transaction with one audit record."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes.state import scope

from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import (
    LANGUAGE_CHOICES,
    Attachment,
    Comment,
    Division,
    Membership,
    Notification,
    Organization,
    User,
)
from arusha.core.roles import Role

_ORGANIZATION_FIELDS = ("slug", "name", "kind", "country", "default_language")
_DIVISION_FIELDS = ("name", "code", "parent")
_MEMBERSHIP_FIELDS = ("roles", "job_title", "division", "is_active")


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
    *, actor: User, organization: Organization, name: str, country: str, default_language: str
) -> Organization:
    before = snapshot(organization, _ORGANIZATION_FIELDS)
    organization.name = name
    organization.country = country.upper()
    organization.default_language = default_language
    organization.full_clean()
    organization.save(update_fields=["name", "country", "default_language"])
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
    *, actor: User, division: Division, name: str, code: str, parent: Division | None
) -> Division:
    _check_parent(division.organization, division, parent)
    before = snapshot(division, _DIVISION_FIELDS)
    division.name, division.code, division.parent = name.strip(), code.strip(), parent
    try:
        with transaction.atomic():
            division.save(update_fields=["name", "code", "parent"])
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


def _clean_roles(roles: list[str]) -> list[str]:
    valid = set(Role.values)
    unknown = [role for role in roles if role not in valid]
    if unknown:
        raise DomainError(_("Unknown role: %(role)s.") % {"role": unknown[0]}, field="roles")
    if not roles:
        raise DomainError(_("Give the member at least one role."), field="roles")
    return sorted(set(roles), key=Role.values.index)


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
    roles = _clean_roles(roles)
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


@transaction.atomic
def membership_update(
    *,
    actor: User,
    membership: Membership,
    roles: list[str],
    job_title: str,
    division: Division | None,
    is_active: bool,
) -> Membership:
    roles = _clean_roles(roles)
    if division is not None and division.organization_id != membership.organization_id:
        raise DomainError(_("The division belongs to another organization."), field="division")
    if membership.user_id == actor.pk and not is_active:
        raise DomainError(_("You cannot deactivate your own membership."), field="is_active")
    before = snapshot(membership, _MEMBERSHIP_FIELDS)
    membership.roles, membership.job_title = roles, job_title
    membership.division, membership.is_active = division, is_active
    membership.save(update_fields=["roles", "job_title", "division", "is_active"])
    audit_change(
        actor=actor,
        action="arusha.membership.updated",
        obj=membership,
        organization=membership.organization,
        fields=_MEMBERSHIP_FIELDS,
        before=before,
    )
    return membership


@transaction.atomic
def comment_add(*, actor: User, organization: Organization, target: models.Model, body: str) -> Comment:
    from django.contrib.contenttypes.models import ContentType

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
        changes={"comment": [None, body]},
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

    E-mail failures do not undo the in-app notification: the person still sees it on
    their next visit, and the mail server's trouble is logged by the backend.
    """
    notification = Notification.objects.create(
        recipient=recipient, organization=organization, subject=subject, body=body, url=url
    )
    send_mail(subject, f"{body}\n\n{url}".strip(), None, [recipient.email], fail_silently=True)
    return notification


def notification_mark_read(*, recipient: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def membership_invite(
    *,
    actor: User,
    organization: Organization,
    email: str,
    full_name: str,
    roles: list[str],
    job_title: str = "",
    division: Division | None = None,
    login_url: str = "",
) -> Membership:
    """Add a person by e-mail: an existing account joins; otherwise an account is opened.

    A new account has no usable password: the notification tells the person to set
    one through the password-reset page, so no password ever travels by e-mail.
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        if not full_name.strip():
            raise DomainError(_("This person has no account yet: give their full name."), field="full_name")
        user = user_create(
            email=email,
            full_name=full_name.strip(),
            password=None,
            preferred_language=organization.default_language,
        )
    membership = membership_create(
        actor=actor, organization=organization, user=user, roles=roles, job_title=job_title, division=division
    )
    notification_send(
        recipient=user,
        organization=organization,
        subject=_("You are now a member of %(org)s in Arusha") % {"org": organization.name},
        body=_("%(actor)s added you. If you have no password yet, set one here:") % {"actor": actor},
        url=login_url,
    )
    return membership


@transaction.atomic
def api_token_renew(*, actor: User) -> str:
    """Give the person a new API token, revoking the old one; the key is shown only once."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    audit_record(actor=actor, action="arusha.user.api_token_renewed", obj=actor, organization=None)
    return str(token.key)


@transaction.atomic
def api_token_revoke(*, actor: User) -> None:
    from rest_framework.authtoken.models import Token

    if Token.objects.filter(user=actor).delete()[0]:
        audit_record(actor=actor, action="arusha.user.api_token_revoked", obj=actor, organization=None)
