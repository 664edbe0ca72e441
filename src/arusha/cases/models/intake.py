"""Channels, cases and what a reporter gives: everything a report says is sealed.

Content (answers, narrative, messages, attachments, subjects) is stored only as
ciphertext sealed to the case's key (arusha.cases.crypto); the reporter's identity
is sealed to a separate identity key held by custodians. A row keeps in the clear
only what the workflow and the statistics need: channel, category, office, status and
dates. Anonymous reports carry no account, address or exact time: dates only.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class ChannelKind(models.TextChoices):
    SERVICE_COMPLAINT = "service_complaint", _("Service complaint")
    INTEGRITY_REPORT = "integrity_report", _("Integrity report")
    STAFF_REPORT = "staff_report", _("Internal staff report")
    REFERRAL_IN = "referral_in", _("Referral from another body")
    ORAL_INTAKE = "oral_intake", _("Oral report recorded by staff")


class Anonymity(models.TextChoices):
    ANONYMOUS_ONLY = "anonymous_only", _("Anonymous only: no identity is asked")
    OPTIONAL = "optional", _("The reporter chooses")
    IDENTIFIED = "identified", _("The reporter must give their identity")


def default_retention() -> dict[str, int]:
    """Days a closed case is kept, by outcome, before it is purged."""
    return {
        "not_admissible": 365,
        "redirected": 365,
        "resolved": 730,
        "unsubstantiated": 1825,
        "substantiated": 3650,
    }


class Channel(models.Model):
    """A way in for reports, with its own questionnaire, anonymity, timers and retention."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("web address"), max_length=60)
    introduction = models.TextField(_("introduction for reporters"), blank=True)
    is_public = models.BooleanField(
        _("open to the public"),
        default=True,
        help_text=_(
            "Reporters reach it without signing in. Referrals and oral reports are recorded by staff."
        ),
    )
    anonymity = models.CharField(
        _("anonymity"), max_length=20, choices=Anonymity.choices, default=Anonymity.OPTIONAL
    )
    # [{"key": "where", "label": "...", "kind": "text|long_text|choice|date", "required": bool,
    #   "choices": ["..."]}] (arusha.cases.questionnaire validates it)
    questionnaire = models.JSONField(_("questionnaire"), default=list, blank=True)
    acknowledge_days = models.PositiveSmallIntegerField(_("acknowledge within (days)"), default=7)
    feedback_days = models.PositiveSmallIntegerField(_("give feedback within (days)"), default=90)
    remind_days = models.PositiveSmallIntegerField(_("remind this many days before a deadline"), default=2)
    retention = models.JSONField(_("retention by outcome (days)"), default=default_retention)
    max_attachment_mb = models.PositiveSmallIntegerField(_("largest attachment (MB)"), default=30)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        blank=True,
        verbose_name=_("intake officers"),
        help_text=_("They receive the keys of every new report of this channel."),
    )
    is_active = models.BooleanField(_("open"), default=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Channel]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="channel_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What a case is about (bribery, misuse of office, service quality…), mapped to a key factor."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=150)
    factor = models.CharField(_("key factor"), max_length=20, blank=True)

    objects: ClassVar[models.Manager[Category]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="case_category_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TRIAGE = "triage", _("Triage")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    REDIRECTED = "redirected", _("Redirected")
    RESOLVED_AT_INTAKE = "resolved_at_intake", _("Resolved at intake")
    PRELIMINARY_REVIEW = "preliminary_review", _("Preliminary review")
    INVESTIGATION = "investigation", _("Investigation")
    FINDINGS_REVIEW = "findings_review", _("Findings review")
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")
    FEEDBACK = "feedback", _("Feedback")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    PURGED = "purged", _("Purged")


class Case(models.Model):
    """A report from any channel, followed from intake to purge."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="cases", verbose_name=_("channel")
    )
    # Random, never a running number: it tells nothing about when the report came in.
    reference = models.CharField(_("reference"), max_length=12)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    office = models.ForeignKey(
        "core.Division",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    # Dates, never times: an anonymous report must not be matched with a log line.
    received_on = models.DateField(_("received"))
    acknowledge_by = models.DateField(_("acknowledge by"))
    feedback_by = models.DateField(_("feedback by"))
    acknowledged_on = models.DateField(_("acknowledged"), null=True, blank=True)
    feedback_on = models.DateField(_("feedback given"), null=True, blank=True)
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    on_hold = models.BooleanField(_("on hold"), default=False)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    purge_after = models.DateField(_("purge after"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalated = models.BooleanField(_("escalated"), default=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    # The reporter's way back: a digest of the Argon2 output of their receipt (the key
    # that unwraps `reporter_key` is derived from the same output, never stored).
    receipt_lookup = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    reporter_key = models.BinaryField(null=True, editable=False)
    # Sealed to the case key: {"answers": {...}, "narrative": "...", "summary": "..."}.
    content = models.BinaryField(editable=False)
    # Sealed to the identity key: {"name": ..., "contact": ...}; empty when anonymous.
    identity = models.BinaryField(null=True, editable=False)
    unread_by_staff = models.BooleanField(default=True)
    unread_by_reporter = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Case]] = ScopedManager(organization="organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"content", "identity", "reporter_key", "receipt_lookup"}
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "reference"], name="case_unique_reference")
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-received_on"], name="case_status_idx"),
            models.Index(fields=["organization", "-received_on"], name="case_received_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class KeyPurpose(models.TextChoices):
    CONTENT = "content", _("Case content")
    IDENTITY = "identity", _("Reporter's identity")


class CaseKey(models.Model):
    """A case's key (content or identity) sealed to one person's public key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=10, choices=KeyPurpose.choices)
    wrapped = models.BinaryField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_on = models.DateField(auto_now_add=True)

    objects: ClassVar[models.Manager[CaseKey]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"wrapped"})

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "purpose"], name="case_key_unique_holder")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.purpose}"


class Message(models.Model):
    """One message of the dialogue with the reporter, or an internal note staff keep."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    from_reporter = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    internal = models.BooleanField(_("internal note"), default=False)
    body = models.BinaryField()
    sent_on = models.DateField()
    # Order within a day, since a reporter's messages carry no time.
    position = models.PositiveIntegerField()

    objects: ClassVar[models.Manager[Message]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"body"})

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_message_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.case} #{self.position}"


def sealed_path(instance: models.Model, filename: str) -> str:
    """A random name: the stored file says nothing of what it holds."""
    return f"sealed/{uuid.uuid4().hex}"


class CaseFile(models.Model):
    """A file of a case (an attachment from the reporter or staff, or evidence), sealed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="files"
    )
    from_reporter = models.BooleanField(default=False)
    # Sealed to the case key: {"name": ..., "content_type": ...}.
    meta = models.BinaryField()
    blob = models.FileField(upload_to=sealed_path)
    size = models.PositiveBigIntegerField()
    # SHA-256 of the sealed file, so the nightly check proves nothing changed without a key.
    sealed_sha256 = models.CharField(max_length=64)
    added_on = models.DateField()

    objects: ClassVar[models.Manager[CaseFile]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"meta"})

    def __str__(self) -> str:
        return f"{self.case} file {self.pk}"


class Subject(models.Model):
    """A person a case is about. Who they are is sealed; only staff with the key know."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    # Sealed to the case key: {"name": ..., "role": ..., "membership": id or null}.
    sealed = models.BinaryField()
    position = models.PositiveSmallIntegerField(default=1)

    objects: ClassVar[models.Manager[Subject]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"sealed"})

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.case} subject {self.position}"
