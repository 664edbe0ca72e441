"""Framework packs: versioned checklists with stable codes (KF6, KF6.II, KF6.II.4).

Texts are kept per language in JSON mappings ({"en": ..., "fr": ..., "es": ...}) because
a pack carries its own languages, which need not be the interface's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    KEY_FACTOR = "key_factor", _("Key factor")
    COLLECTIVE_ACTION = "collective_action", _("Collective action")
    GENDER_DIVERSITY = "gender_diversity", _("Gender equality and diversity")


class Framework(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class FrameworkVersion(models.Model):
    """One immutable version of a pack. Once locked (an assessment pins it), it never changes."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=30)
    name = models.JSONField(_("name"))
    description = models.JSONField(_("description"), default=dict)
    languages = models.JSONField(_("languages"), default=list)
    source = models.CharField(_("source"), max_length=300, blank=True)
    checksum = models.CharField(max_length=64)
    is_builtin = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when an assessment first uses this version.")
    )

    class Meta:
        ordering = ["framework__code", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "version"], name="framework_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.version}"


class Area(models.Model):
    """A key factor, a collective-action area or the gender and diversity area."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=30, choices=AreaKind.choices)
    order = models.PositiveIntegerField()
    idg_reference = models.CharField(_("IDG reference"), max_length=120, blank=True)
    title = models.JSONField(_("title"))
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="area_code_unique")]

    def __str__(self) -> str:
        return self.code


class Topic(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="topics")
    code = models.CharField(_("code"), max_length=30)
    order = models.PositiveIntegerField()
    title = models.JSONField(_("title"))

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="topic_code_unique")]

    def __str__(self) -> str:
        return self.code


class Question(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="questions")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="questions")
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    code = models.CharField(_("code"), max_length=40)
    number = models.PositiveIntegerField(_("number"))
    order = models.PositiveIntegerField()
    idg_reference = models.CharField(_("IDG reference"), max_length=120, blank=True)
    text = models.JSONField(_("question"))
    guidance = models.JSONField(_("guidance"), default=dict)
    # Every language's text and guidance, lower-cased and without accents, so one
    # portable LIKE query searches the pack on SQLite and PostgreSQL alike.
    search_text = models.TextField(editable=False)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="question_code_unique")]

    def __str__(self) -> str:
        return self.code
