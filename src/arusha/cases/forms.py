"""Forms of the staff desk: they parse input; the services enforce the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.models import Anonymity, Channel, Status
from arusha.cases.selectors import DEFAULT_SORT, GROUPS, SORTS, CaseFilters
from arusha.cases.services.dialogue import MAX_MESSAGE
from arusha.cases.services.intake import Upload
from arusha.core.concurrency import CreationKeyField, VersionField
from arusha.core.forms import MultipleFileField
from arusha.core.models import Organization

MAX_FILES = 10
MAX_REFERENCE_SEARCH = 20
MAX_NARRATIVE = 50_000


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


class CaseFilterForm(forms.Form):
    """The list's filters: choices only, so nothing typed reaches a query but a reference."""

    group = forms.ChoiceField(label=_("Cases"), choices=list(GROUPS.items()), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    office = forms.ChoiceField(label=_("Office"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    q = forms.CharField(label=_("Reference"), required=False, max_length=MAX_REFERENCE_SEARCH)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        channels: list[tuple[int, str]],
        categories: list[tuple[int, str]],
        offices: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["status"].choices = [*every, *Status.choices]  # type: ignore[attr-defined]
        self.fields["channel"].choices = [*every, *channels]  # type: ignore[attr-defined]
        self.fields["category"].choices = [*every, *categories]  # type: ignore[attr-defined]
        self.fields["office"].choices = [*every, *offices]  # type: ignore[attr-defined]

    def filters(self) -> CaseFilters:
        """The filters asked for; a damaged value (an unknown choice, a bad number) is left out."""
        if not self.is_bound:
            return CaseFilters()
        self.is_valid()  # cleaned_data then holds the valid values only
        data = self.cleaned_data
        return CaseFilters(
            group=data.get("group") or "open",
            status=data.get("status") or "",
            channel=_id(data.get("channel") or ""),
            category=_id(data.get("category") or ""),
            office=_id(data.get("office") or ""),
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
            unread=bool(data.get("unread")),
            reference=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )


def uploads(files: list[UploadedFile], max_mb: int) -> list[Upload]:
    """The files as the services take them; a file over the channel's limit names the field."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES})
    limit = max_mb * 1024 * 1024
    found = []
    for upload in files:
        # Checked before reading, so an oversized file is never held in memory.
        if (upload.size or 0) > limit:
            raise ValidationError(
                _("The file %(name)s is larger than %(size)d MB.") % {"name": upload.name, "size": max_mb}
            )
        found.append(
            Upload(
                name=str(upload.name or "file"),
                content_type=str(upload.content_type or "application/octet-stream"),
                data=upload.read(),
            )
        )
    return found


class MessageForm(forms.Form):
    """A message to the reporter or an internal note, with attachments; created once."""

    kind = forms.ChoiceField(
        label=_("Write"),
        choices=[
            ("note", _("An internal note (the reporter never sees it)")),
            ("message", _("A message to the reporter")),
        ],
        initial="note",
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, max_mb: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_mb = max_mb

    def clean_attachments(self) -> list[Upload]:
        return uploads(self.cleaned_data.get("attachments") or [], self.max_mb)


class MoveForm(forms.Form):
    """A step of the workflow, with the case version the page was read at."""

    to = forms.ChoiceField(label=_("Next step"), choices=Status.choices)
    version = VersionField(required=True)
    confirm = forms.BooleanField(required=False)


class HoldForm(forms.Form):
    on = forms.TypedChoiceField(
        label=_("On hold"), choices=[("1", _("yes")), ("0", _("no"))], coerce=lambda v: v == "1"
    )


class RecordChannelForm(forms.Form):
    """First step of recording a report: which channel it came through."""

    channel = forms.ChoiceField(label=_("Channel"))

    def __init__(self, *args: Any, channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [  # type: ignore[attr-defined]
            (str(c.pk), f"{c.name} ({c.get_kind_display()})") for c in channels
        ]


def _question_field(question: dict[str, Any]) -> forms.Field:
    label = str(question.get("label", ""))
    required = bool(question.get("required"))
    kind = question.get("kind", "text")
    if kind == "long_text":
        return forms.CharField(
            label=label, required=required, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
        )
    if kind == "choice":
        choices = [("", "—"), *[(c, c) for c in question.get("choices", [])]]
        return forms.ChoiceField(label=label, required=required, choices=choices)
    if kind == "date":
        return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=required, max_length=20_000)


QUESTION_PREFIX = "q_"


class RecordForm(forms.Form):
    """A report taken by staff (oral intake, referral in), with the channel's own questions."""

    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    office = forms.ChoiceField(label=_("Office concerned"), required=False)
    narrative = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    identity_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=200)
    identity_contact = forms.CharField(label=_("How to reach the reporter"), required=False, max_length=500)
    attachments = MultipleFileField(label=_("Documents received"), required=False)
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, channel: Channel, offices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["office"].choices = [("", "—"), *offices]  # type: ignore[attr-defined]
        if channel.anonymity == Anonymity.ANONYMOUS_ONLY:
            del self.fields["identity_name"]
            del self.fields["identity_contact"]
        elif channel.anonymity == Anonymity.IDENTIFIED:
            self.fields["identity_name"].required = True
        questions = [q for q in channel.questionnaire if isinstance(q, dict)]
        for question in questions:
            self.fields[QUESTION_PREFIX + str(question.get("key", ""))] = _question_field(question)
        # The questions first, as the reporter would have answered them.
        order = [QUESTION_PREFIX + str(q.get("key", "")) for q in questions]
        self.order_fields(["received_on", "office", *order])

    def clean_received_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise ValidationError(_("A report cannot be received in the future."))
        return value

    def clean_attachments(self) -> list[Upload]:
        return uploads(self.cleaned_data.get("attachments") or [], self.channel.max_attachment_mb)

    def answers(self) -> dict[str, str]:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(QUESTION_PREFIX) and value not in (None, ""):
                found[name[len(QUESTION_PREFIX) :]] = (
                    value.isoformat() if isinstance(value, datetime.date) else str(value)
                )
        return found

    def identity(self) -> dict[str, str] | None:
        name = (self.cleaned_data.get("identity_name") or "").strip()
        contact = (self.cleaned_data.get("identity_contact") or "").strip()
        if not name and not contact:
            return None
        return {"name": name, "contact": contact}


class ClassifyForm(forms.Form):
    """What a case is about and where it happened, set at triage (the statistics count both)."""

    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    office = forms.TypedChoiceField(label=_("Office concerned"), required=False, coerce=int, empty_value=None)
    version = VersionField()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from arusha.cases.models import Category
        from arusha.core.models import Division

        with scopes_disabled():
            categories = [(c.pk, c.name) for c in Category.objects.filter(organization=organization)]
            offices = [
                (d.pk, d.name) for d in Division.objects.filter(organization=organization).order_by("name")
            ]
        self.fields["category"].choices = [("", _("— not yet classified —")), *categories]  # type: ignore[attr-defined]
        self.fields["office"].choices = [("", _("— not known —")), *offices]  # type: ignore[attr-defined]
