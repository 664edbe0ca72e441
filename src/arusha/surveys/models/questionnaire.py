"""Surveys, respondent groups, questionnaire versions, items and choices: questionnaires as data.

A questionnaire version is what one XLSForm describes (arusha.surveys.xlsform). Once
published it never changes: an edit is a new version. An item keeps its `lineage`
across versions, so that waves answered on different versions still compare item by
item and factor by factor.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

# Never below 5 (issue: "groups under k are hidden, default 10, never below 5").
SMALLEST_CELL = 5
DEFAULT_CELL = 10


class Survey(models.Model):
    """One perception survey of one administration (e.g. its CIPS), run in waves."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    minimum_cell = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=DEFAULT_CELL,
        validators=[MinValueValidator(SMALLEST_CELL)],
        help_text=_("Results of fewer respondents than this are never shown. It cannot be below 5."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_on = models.DateField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Survey]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="survey_unique_slug")]

    def __str__(self) -> str:
        return self.title


class RespondentGroup(models.Model):
    """Who answers: staff, the private sector, and subgroups such as brokers or carriers."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("code"), max_length=40)
    # {"en": "Customs staff", "fr": "...", ...}
    labels = models.JSONField(_("labels"), default=dict)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subgroups",
        verbose_name=_("part of"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[models.Manager[RespondentGroup]] = ScopedManager(organization="survey__organization")

    class Meta:
        verbose_name = _("respondent group")
        verbose_name_plural = _("respondent groups")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="respondent_group_unique_code")
        ]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str = "en") -> str:
        return str(
            self.labels.get(language) or self.labels.get("en") or next(iter(self.labels.values()), self.code)
        )


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class QuestionnaireVersion(models.Model):
    """One version of a survey's questionnaire. Published means immutable."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    # XLSForm settings: form_id and version as the form's author wrote them.
    form_id = models.CharField(_("form ID"), max_length=100, blank=True)
    form_version = models.CharField(_("form version"), max_length=100, blank=True)
    # ["en", "fr", "es"]: the languages every label is given in, default first.
    languages = models.JSONField(_("languages"), default=list)
    # {"en": "...", ...}: what a respondent reads before answering.
    anonymity_statement = models.JSONField(_("anonymity statement"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # SHA-256 of the canonical package a station caches (arusha.surveys.package), fixed on publication.
    checksum = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_on = models.DateField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[QuestionnaireVersion]] = ScopedManager(
        organization="survey__organization"
    )

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["survey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="questionnaire_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class ItemKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale (Likert)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Short text")
    NOTE = "note", _("Note (no answer)")


class ItemRole(models.TextChoices):
    QUESTION = "question", _("Question")
    DEMOGRAPHIC = "demographic", _("Demographic (banded)")


class Polarity(models.IntegerChoices):
    POSITIVE = 1, _("Agreeing is favourable")
    NEGATIVE = -1, _("Agreeing is unfavourable (reversed)")


class Item(models.Model):
    """One question (or note) of a version, in order, with its factor, polarity and rules."""

    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="items")
    # Stable across versions: the same question keeps its lineage when reworded or moved.
    lineage = models.UUIDField(_("lineage"), default=uuid.uuid4)
    name = models.CharField(_("name"), max_length=64)
    position = models.PositiveIntegerField()
    kind = models.CharField(_("type"), max_length=10, choices=ItemKind.choices)
    role = models.CharField(_("role"), max_length=12, choices=ItemRole.choices, default=ItemRole.QUESTION)
    # The block (XLSForm group) it belongs to, e.g. "kf3"; empty at the top level.
    block = models.CharField(_("block"), max_length=64, blank=True)
    factor = models.CharField(_("key factor"), max_length=10, blank=True)
    polarity = models.SmallIntegerField(_("polarity"), choices=Polarity.choices, default=Polarity.POSITIVE)
    required = models.BooleanField(_("required"), default=False)
    # The XLSForm `relevant` expression as written, and the tree it compiles to
    # (arusha.surveys.relevance), which the station and the server both evaluate.
    relevance = models.CharField(_("relevance"), max_length=500, blank=True)
    relevance_tree = models.JSONField(null=True, blank=True)
    choice_list = models.CharField(_("choice list"), max_length=64, blank=True)
    labels = models.JSONField(_("labels"), default=dict)
    hints = models.JSONField(_("hints"), default=dict, blank=True)

    objects: ClassVar[models.Manager[Item]] = ScopedManager(
        organization="questionnaire__survey__organization"
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "name"], name="item_unique_name"),
            models.UniqueConstraint(fields=["questionnaire", "lineage"], name="item_unique_lineage"),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str = "en") -> str:
        return str(self.labels.get(language) or next(iter(self.labels.values()), self.name))


class Special(models.TextChoices):
    NONE = "", _("An answer")
    DONT_KNOW = "dont_know", _("Don't know")
    REFUSED = "refused", pgettext_lazy("survey answer", "Refused")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Choice(models.Model):
    """One choice of a list; special codes mark "don't know", "refused" and "not applicable"."""

    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="choices")
    list_name = models.CharField(_("list"), max_length=64)
    name = models.CharField(_("value"), max_length=64)
    position = models.PositiveIntegerField()
    labels = models.JSONField(_("labels"), default=dict)
    special = models.CharField(
        _("special code"), max_length=16, choices=Special.choices, blank=True, default=""
    )

    objects: ClassVar[models.Manager[Choice]] = ScopedManager(
        organization="questionnaire__survey__organization"
    )

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["questionnaire", "list_name", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "list_name", "name"], name="choice_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.list_name}:{self.name}"
