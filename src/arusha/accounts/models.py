"""Sign-in: API tokens (stored as digests), invitations, and each person's session epoch."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.manager import ScopedManager
from knox.models import AbstractAuthToken

from arusha.core.models import Division, Organization, User


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(AbstractAuthToken):  # type: ignore[misc]  # knox ships no type hints
    """A program's key to the API, for one person in one organization.

    Only the SHA-512 digest of the key and its first characters (to find it and to
    show it) are stored: django-rest-knox's model, with what Arusha adds.
    """

    name: models.CharField[str, str] = models.CharField(_("name"), max_length=100, blank=True)
    organization: models.ForeignKey[Organization, Organization] = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    scope: models.CharField[str, str] = models.CharField(
        _("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    last_used_at: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(_("last used"), null=True, blank=True)
    )

    # The key's digest and first characters never enter the audit trail (docs/audit-trail.md).
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"digest", "token_key"})

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "organization"], name="apitoken_user_org_idx")]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.organization})"


class Invitation(models.Model):
    """An offer to join an organization, which the person accepts through the link they receive.

    Only the SHA-256 digest of the link's secret is stored. Nobody becomes a member
    before accepting.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("division"),
    )
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Invitation]] = ScopedManager(organization="organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"token_digest"})

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "email"], name="invitation_org_email_idx")]

    def __str__(self) -> str:
        return self.email

    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()


class SessionEpoch(models.Model):
    """A counter per person: a session signed in under an older value has ended.

    Changing a person's roles moves their counter on, which ends every session they
    have open, wherever it is, without reading the session table.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="+")
    epoch = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.epoch}"
