"""Waves, stations, invitations, and what arrives: envelopes, re-sends and responses.

Anonymity by construction: an envelope or a response stores no account, address, user
agent, station or time of day; an envelope keeps the day it arrived and nothing finer.
An invitation token is spent without any link to the response it let in.

Nothing is lost or doubled: an envelope is unique per (wave, response ID) and carries
the SHA-256 of its ciphertext; a re-send with another ciphertext is kept aside for
review; late or old-version responses are quarantined, never dropped.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from arusha.surveys.models.questionnaire import QuestionnaireVersion, RespondentGroup, Survey


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Collecting")
    CLOSED = "closed", pgettext_lazy("survey wave", "Closed")


class Wave(models.Model):
    """One round of a survey, answered on one published questionnaire version."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    name = models.CharField(_("name"), max_length=150)
    number = models.PositiveSmallIntegerField(_("round"))
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="waves", verbose_name=_("questionnaire")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    # RSA-3072 public key (SubjectPublicKeyInfo, PEM) stations encrypt to; the private key
    # is PKCS#8 encrypted with a passphrase the server never keeps (arusha.surveys.keys).
    public_key = models.TextField(editable=False, blank=True)
    private_key = models.BinaryField(editable=False, null=True)
    key_fingerprint = models.CharField(max_length=64, editable=False, blank=True)
    created_on = models.DateField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Wave]] = ScopedManager(organization="survey__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"private_key"})

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="wave_unique_number")]

    def __str__(self) -> str:
        return self.name


class Population(models.Model):
    """How many people a group counts, for weighting a wave's results to known totals."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="populations")
    group = models.ForeignKey(RespondentGroup, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(_("people in the group"))

    objects: ClassVar[models.Manager[Population]] = ScopedManager(organization="wave__survey__organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "group"], name="population_unique_group")]

    def __str__(self) -> str:
        return f"{self.wave} · {self.group}: {self.count}"


class OpenKey(models.Model):
    """A wave's private key while a custodian has opened it for processing, until `until`.

    Sealed with a key derived from the deployment's secret so that the background
    worker can decrypt envelopes; deleted when processing is closed or the time is up.
    """

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="open_key")
    sealed = models.BinaryField(editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    until = models.DateTimeField()

    objects: ClassVar[models.Manager[OpenKey]] = ScopedManager(organization="wave__survey__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"sealed"})

    def __str__(self) -> str:
        return f"{self.wave} (open)"


class StationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be enrolled")
    ACTIVE = "active", _("Enrolled")
    RETIRED = "retired", _("Retired")


class Station(models.Model):
    """A tablet or laptop enrolled to collect a survey's waves offline."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    waves = models.ManyToManyField(Wave, related_name="stations", verbose_name=_("waves"))
    status = models.CharField(
        _("status"), max_length=10, choices=StationStatus.choices, default=StationStatus.PENDING
    )
    # One-time enrolment code (in the QR code), its digest and expiry; then the station's
    # own token, of which only the SHA-256 digest is kept.
    enrol_digest = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001 - unique, NULL when unset
    enrol_until = models.DateTimeField(null=True, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001 - unique, NULL when unset
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_on = models.DateField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Station]] = ScopedManager(organization="organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"enrol_digest", "token_digest"})

    class Meta:
        verbose_name = _("survey station")
        verbose_name_plural = _("survey stations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A single-use token for the online survey. Spending it leaves no link to the response."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    batch = models.CharField(_("batch"), max_length=100, blank=True)
    used = models.BooleanField(_("used"), default=False)
    created_on = models.DateField(auto_now_add=True)

    objects: ClassVar[models.Manager[Invitation]] = ScopedManager(organization="wave__survey__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"digest"})

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.wave} · {self.batch}"


class Source(models.TextChoices):
    STATION = "station", _("Survey station")
    ONLINE = "online", _("Online")
    BUNDLE = "bundle", _("File carried from a station")
    PAPER = "paper", _("Paper, keyed in")
    IMPORT = "import", _("Imported from another tool")


class EnvelopeState(models.TextChoices):
    RECEIVED = "received", _("Received, not yet opened")
    ACCEPTED = "accepted", _("Accepted")
    QUARANTINED = "quarantined", _("Quarantined for review")
    EXCLUDED = "excluded", _("Excluded after review")


class Reason(models.TextChoices):
    NONE = "", _("None")
    LATE = "late", _("Arrived after the wave closed")
    OLD_VERSION = "old_version", _("Answered on another questionnaire version")
    INVALID = "invalid", _("Does not match the questionnaire")
    UNREADABLE = "unreadable", _("Cannot be decrypted")


class Envelope(models.Model):
    """One encrypted response as it arrived. Unique per wave and response ID."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="envelopes")
    response_id = models.UUIDField()
    digest = models.CharField(max_length=64)
    ciphertext = models.BinaryField()
    source = models.CharField(max_length=10, choices=Source.choices)
    received_on = models.DateField()
    state = models.CharField(max_length=12, choices=EnvelopeState.choices, default=EnvelopeState.RECEIVED)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True, default="")
    # What the check found, in words that name the item (never an answer's content).
    detail = models.CharField(max_length=300, blank=True)

    objects: ClassVar[models.Manager[Envelope]] = ScopedManager(organization="wave__survey__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"ciphertext", "digest"})

    class Meta:
        verbose_name = _("envelope")
        verbose_name_plural = _("envelopes")
        constraints = [
            models.UniqueConstraint(fields=["wave", "response_id"], name="envelope_unique_response")
        ]
        indexes = [models.Index(fields=["wave", "state"], name="envelope_state_idx")]

    def __str__(self) -> str:
        return str(self.response_id)


class Resend(models.Model):
    """A re-send of a response ID with a different ciphertext, kept for review."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="resends")
    digest = models.CharField(max_length=64)
    ciphertext = models.BinaryField()
    source = models.CharField(max_length=10, choices=Source.choices)
    received_on = models.DateField()
    resolved = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[Resend]] = ScopedManager(
        organization="envelope__wave__survey__organization"
    )

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"ciphertext", "digest"})

    class Meta:
        constraints = [models.UniqueConstraint(fields=["envelope", "digest"], name="resend_unique_digest")]

    def __str__(self) -> str:
        return f"{self.envelope} (re-send)"


class Response(models.Model):
    """One accepted response: its group, language, banded demographics and answers.

    `answers` maps item names of `questionnaire` to what was chosen or typed: a choice's
    value, a list of values (multiple choice), a number or a short text. Nothing else.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    envelope = models.OneToOneField(Envelope, on_delete=models.CASCADE, related_name="response")
    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10)
    demographics = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)

    objects: ClassVar[models.Manager[Response]] = ScopedManager(organization="wave__survey__organization")

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["wave", "group"], name="response_group_idx")]

    def __str__(self) -> str:
        return f"{self.wave} · {self.pk}"
