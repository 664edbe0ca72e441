"""Forms of a case's investigation: they parse input; services seal it and enforce the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arusha.cases.models import Allegation, Authority, CustodyAction, Evidence, Finding, SanctionKind, Subject
from arusha.cases.services.evidence import EVIDENCE_MAX_MB, MAX_SEAL
from arusha.cases.services.investigation import MAX_SHORT, MAX_TEXT
from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.forms import ModelChoicesField
from arusha.core.models import User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def _text(
    label: Any, *, rows: int = 6, required: bool = True, limit: int = MAX_TEXT, help_text: Any = ""
) -> Any:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        max_length=limit,
        help_text=help_text,
        strip=True,
    )


def _seal_number(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=MAX_SEAL, required=False, help_text=help_text)


class _OpenedLabels:
    """Rows shown by the labels the view opened with the case key (never `str(row)`)."""

    labels: dict[Any, str]

    def label_from_instance(self, obj: Any) -> str:
        labels: dict[Any, str] = getattr(self, "labels", {})
        return labels.get(obj.pk, str(obj.pk))


class LabelledChoice(_OpenedLabels, forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among rows whose labels are opened content, given by the view."""


class LabelledChoices(_OpenedLabels, ModelChoicesField):
    """Several rows chosen by labels the view opened with the case key."""


def _offer(form: forms.Form, name: str, model: type[models.Model], rows: list[tuple[Any, str]]) -> None:
    """Offer `rows` in the labelled field `name`, each under the label the view opened."""
    field = form.fields[name]
    assert isinstance(field, LabelledChoice | LabelledChoices)
    labels = {row.pk: label for row, label in rows}
    field.queryset = model._default_manager.filter(pk__in=list(labels))
    field.labels = labels


def _offer_staff(form: forms.Form, staff: list[User], *names: str) -> None:
    """Offer the members of staff, by name, in the fields `names`."""
    for name in names:
        field = form.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by("full_name")


class PlanForm(forms.Form):
    text = _text(
        _("Investigation plan"),
        rows=14,
        help_text=_(
            "What will be looked into, how, by whom and by when: the questions, the records to obtain, "
            "the people to hear. Sealed with the case key. A new version must be approved again."
        ),
    )
    # 0 when there was no plan yet: a plan written meanwhile by someone else is not overwritten.
    version = VersionField(min_value=0)


class AllegationForm(forms.Form):
    text = _text(
        _("Allegation"), rows=5, help_text=_("What is alleged, as one statement that a finding can answer.")
    )
    subject = LabelledChoice(
        label=_("About"),
        queryset=Subject.objects.none(),
        required=False,
        empty_label=_("— nobody in particular —"),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, subjects: list[tuple[Subject, str]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        _offer(self, "subject", Subject, subjects)


class FindingForm(forms.Form):
    finding = forms.ChoiceField(label=_("Finding"), choices=Finding.choices, widget=forms.RadioSelect)
    reasoning = _text(
        _("Reasoning"), rows=8, help_text=_("What the evidence shows, and why it leads to this finding.")
    )
    version = VersionField()


class InterviewForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    lead: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Led by"), queryset=User.objects.none()
    )
    second: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Second member of staff"), queryset=User.objects.none()
    )
    record = _text(
        _("Record of the interview"),
        rows=12,
        help_text=_("Who was heard, in what capacity, and what was said. Sealed with the case key."),
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_staff(self, staff, "lead", "second")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, second = data.get("lead"), data.get("second")
        if lead is not None and second is not None and lead.pk == second.pk:
            self.add_error("second", _("An interview is held by two different members of staff."))
        held_on = data.get("held_on")
        if held_on is not None and held_on > timezone.localdate():
            self.add_error("held_on", _("An interview cannot be recorded before it is held."))
        return data


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sanction"), choices=SanctionKind.choices)
    amount_recovered = forms.DecimalField(
        label=_("Amount recovered"), max_digits=14, decimal_places=2, min_value=0, required=False, initial=0
    )
    reason = _text(
        _("Why no sanction"), rows=4, required=False, help_text=_("Needed when no sanction is given. Sealed.")
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput(), initial=timezone.localdate)
    idempotency_key = CreationKeyField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == SanctionKind.NONE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why no sanction is given."))
        return data


class EvidenceForm(forms.Form):
    description = _text(
        _("Description"),
        rows=4,
        help_text=_("What the item is and where it came from. Sealed with the case key."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A document, picture or recording, up to %(size)d MB. It is stored sealed.")
        % {"size": EVIDENCE_MAX_MB},
    )
    seal_number = _seal_number(
        _("Seal number"), _("For a physical item: the number of the seal it is kept under.")
    )
    note = _text(_("Note on receipt"), rows=2, required=False, limit=2000)
    idempotency_key = CreationKeyField()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size is not None and upload.size > EVIDENCE_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("A file of evidence is at most %(size)d MB.") % {"size": EVIDENCE_MAX_MB}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "file" not in self.errors
            and data.get("file") is None
            and not (data.get("seal_number") or "").strip()
        ):
            self.add_error("file", _("Attach the file, or give the seal number of the physical item."))
        return data


class CustodyForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What happened"),
        choices=[(value, label) for value, label in CustodyAction.choices if value != CustodyAction.RECEIVED],
    )
    to: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Handed over to"), queryset=User.objects.none(), required=False
    )
    seal_number = _seal_number(_("New seal number"), _("When the item was sealed again."))
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    note = _text(_("Note"), rows=2, required=False, limit=2000)
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_staff(self, staff, "to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("action") == CustodyAction.TRANSFERRED
            and data.get("to") is None
            and "to" not in self.errors
        ):
            self.add_error("to", _("Say to whom the item was handed over."))
        return data


class ProtectionForm(forms.Form):
    description = _text(
        _("Measure"),
        rows=4,
        help_text=_(
            "What is done to protect the reporter (transfer, leave, monitoring of their appraisal…). Sealed."
        ),
    )
    starts_on = forms.DateField(label=_("From"), widget=DateInput(), initial=timezone.localdate)
    ends_on = forms.DateField(label=_("Until"), widget=DateInput(), required=False)
    idempotency_key = CreationKeyField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts, datetime.date) and isinstance(ends, datetime.date) and ends < starts:
            self.add_error("ends_on", _("A measure ends after it starts."))
        return data


class RiskChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title} · {obj.cycle.title}"


class RecommendationForm(forms.Form):
    text = _text(
        _("Recommendation"),
        rows=6,
        limit=10_000,
        help_text=_(
            "A lesson for the organization, about a process or a control. Name nobody: this text is "
            "stored in the clear and shown beyond the case."
        ),
    )
    process = forms.CharField(
        label=_("Business process"),
        max_length=MAX_SHORT,
        required=False,
        help_text=_("The process it concerns, e.g. release of goods, valuation, recruitment."),
    )
    process_ref: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Process of the risk map"),
        queryset=None,
        required=False,
        help_text=_("The process in the risk map's catalogue, to count the recommendation there."),
    )
    risk_map = forms.ChoiceField(
        label=_("In the risk map"),
        choices=[
            ("", _("List it only")),
            ("new", _("Add it as a new risk of the assessment open for this process")),
            ("existing", _("Add it to an existing risk (a monitored risk is reopened)")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    risk: forms.ModelChoiceField[Any] = RiskChoiceField(
        label=_("Risk to update"),
        queryset=None,
        required=False,
        help_text=_("Risks you may rate, in assessments whose register may still change."),
    )
    names_checked = forms.BooleanField(
        label=_("I have checked: the names found are not about people (e.g. a place or a procedure)."),
        required=False,
    )
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, find_names: Any, processes: QuerySet[Any], risks: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.find_names = find_names
        process_field = self.fields["process_ref"]
        risk_field = self.fields["risk"]
        assert isinstance(process_field, forms.ModelChoiceField)
        assert isinstance(risk_field, forms.ModelChoiceField)
        process_field.queryset = processes
        risk_field.queryset = risks

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = f"{data.get('text') or ''}\n{data.get('process') or ''}"
        names = self.find_names(text) if text.strip() else []
        if names and not data.get("names_checked"):
            self.add_error(
                "text",
                _("This text seems to name people (%(names)s). Remove the names, or tick the box below.")
                % {"names": ", ".join(names)},
            )
        return data


class ReferralForm(forms.Form):
    authority: forms.ModelChoiceField[Authority] = forms.ModelChoiceField(
        label=_("Authority"), queryset=Authority.objects.none()
    )
    summary = _text(
        _("Summary for the authority"),
        rows=10,
        help_text=_(
            "What the authority needs to know. Write it for them: nothing else of the case is sent, "
            "and never the reporter's identity or an internal note."
        ),
    )
    allegations = LabelledChoices(
        label=_("Allegations, with their findings"),
        queryset=Subject.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = LabelledChoices(
        label=_("Items of evidence, with their files"),
        queryset=Subject.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    idempotency_key = CreationKeyField()

    def __init__(
        self,
        *args: Any,
        authorities: Any,
        allegations: list[tuple[Any, str]],
        evidence: list[tuple[Any, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        authority = self.fields["authority"]
        assert isinstance(authority, forms.ModelChoiceField)
        authority.queryset = authorities
        _offer(self, "allegations", Allegation, allegations)
        _offer(self, "evidence", Evidence, evidence)


class AuthorityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_SHORT)
    public_key = forms.CharField(
        label=_("Public key (base64)"),
        max_length=200,
        help_text=_(
            "The X25519 public key the authority gives you: 44 characters of base64. It makes it "
            "with scripts/open_referral.py keygen and keeps the private key to itself."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
