"""Forms of the keys-and-people screens and of the cases set-up: they parse input; services enforce rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.keys import MIN_PASSPHRASE
from arusha.cases.models import Anonymity, AssignmentRole, Channel, ChannelKind
from arusha.cases.questionnaire import KEY, KINDS, MAX_QUESTIONS
from arusha.cases.services.channels import FACTORS, OUTCOMES
from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.forms import ModelChoicesField
from arusha.core.models import Membership, Organization, RelationshipKind, User
from arusha.frameworks.factors import FACTOR_NAMES

_PASSPHRASE_MAX = 1024


def _passphrase(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=_PASSPHRASE_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


class VaultCreateForm(forms.Form):
    passphrase = _passphrase(
        _("Passphrase"),
        min_length=MIN_PASSPHRASE,
        help_text=_(
            "At least %(count)d characters. A few unrelated words are easy to remember and hard to guess."
        )
        % {"count": MIN_PASSPHRASE},
    )
    again = _passphrase(_("The same passphrase again"))


class VaultUnlockForm(forms.Form):
    passphrase = _passphrase(_("Passphrase"))


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "full_name", "") or obj)


class _MemberChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user)


def _users(ids: list[int]) -> Any:
    return User.objects.filter(pk__in=ids).order_by("full_name")


class AssignForm(forms.Form):
    user = _UserChoice(label=_("Person"), queryset=User.objects.none(), empty_label=_("— choose —"))
    role = forms.ChoiceField(label=_("Role in the case"), choices=AssignmentRole.choices)
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users([user.pk for user in staff])  # type: ignore[attr-defined]


class OverrideRequestForm(forms.Form):
    """Asked after a refused assignment: the person and role come along, hidden."""

    user = _UserChoice(queryset=User.objects.none(), widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=AssignmentRole.choices, widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Why the assignment should go ahead despite the conflict"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Two other supervisors read this before they approve. It stays out of the audit trail."),
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users([user.pk for user in staff])  # type: ignore[attr-defined]


class AttestForm(forms.Form):
    no_conflict = forms.BooleanField(
        label=_(
            "I attest that I am not a subject of this case, that none of its subjects is in my reporting "
            "line or close to me, and that nothing else keeps me from working on it at arm's length."
        ),
        required=False,
    )
    statement = forms.CharField(
        label=_("Your statement (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Kept sealed with the case, as an internal note that only key holders read."),
    )


class DisclosureRequestForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why you need to know who the reporter is"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Sealed: only the case's key holders and the identity custodians can read it."),
    )
    idempotency_key = CreationKeyField()


class DisclosureDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )


class RelationshipForm(forms.Form):
    other = _MemberChoice(
        label=_("Related person"), queryset=Membership.objects.none(), empty_label=_("— choose —")
    )
    kind = forms.ChoiceField(label=_("Kind of relationship"), choices=RelationshipKind.choices)
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, organization: Organization, me: Membership | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with scopes_disabled():
            others = Membership.objects.filter(organization=organization, is_active=True).select_related(
                "user"
            )
            if me is not None:
                others = others.exclude(pk=me.pk)
        self.fields["other"].queryset = others.order_by("user__full_name")  # type: ignore[attr-defined]


class SubjectForm(forms.Form):
    name = forms.CharField(label=_("Name, or how the report describes the person"), max_length=200)
    role = forms.CharField(label=_("Position or role (optional)"), max_length=200, required=False)
    member = _MemberChoice(
        label=_("A member of this organization (optional)"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("— not a member, or not known —"),
        help_text=_(
            "Linking the person to a member lets the platform refuse assignments that conflict with them."
        ),
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with scopes_disabled():
            members = Membership.objects.filter(organization=organization, is_active=True).select_related(
                "user"
            )
        self.fields["member"].queryset = members.order_by("user__full_name")  # type: ignore[attr-defined]


# --- Questionnaire editor: one question per line -------------------------------------------------

_REQUIRED = {"required", "yes", "y", "true", "1", "*"}
_OPTIONAL = {"", "optional", "no", "n", "false", "0"}


def questionnaire_text(questions: list[dict[str, Any]]) -> str:
    """The stored questionnaire as the editor shows it: `code | label | kind | required | a; b`."""
    lines = []
    for question in questions:
        parts = [
            str(question.get("key", "")),
            str(question.get("label", "")),
            str(question.get("kind", "text")),
            "required" if question.get("required") else "optional",
        ]
        choices = [str(choice) for choice in question.get("choices", []) or []]
        if choices:
            parts.append("; ".join(choices))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _line_error(number: int, message: Any) -> ValidationError:
    return ValidationError(_("Line %(number)d: %(problem)s") % {"number": number, "problem": message})


def questionnaire_parse(text: str) -> list[dict[str, Any]]:
    """The editor's lines as questions; a ValidationError naming the first line at fault."""
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or len(parts) > 5:
            raise _line_error(
                number, _("write code | label | kind | required or optional | choices separated by ;")
            )
        parts += [""] * (5 - len(parts))
        code, label, kind, required, choices = parts
        kind = kind.lower() or "text"
        if not KEY.match(code):
            raise _line_error(
                number,
                _("the code has at most 40 lower-case letters, digits and _, and starts with a letter"),
            )
        if code in seen:
            raise _line_error(number, _("the code %(code)s is used twice") % {"code": code})
        seen.add(code)
        if not label or len(label) > 500:
            raise _line_error(number, _("the label is missing or longer than 500 characters"))
        if kind not in KINDS:
            raise _line_error(number, _("the kind is one of %(kinds)s") % {"kinds": ", ".join(KINDS)})
        if required.lower() not in _REQUIRED | _OPTIONAL:
            raise _line_error(number, _("write required or optional"))
        options = [choice.strip() for choice in choices.split(";") if choice.strip()]
        if kind == "choice" and len(options) < 2:
            raise _line_error(number, _("a choice question needs at least two choices, separated by ;"))
        if kind != "choice" and options:
            raise _line_error(number, _("only a choice question has choices"))
        questions.append(
            {
                "key": code,
                "label": label,
                "kind": kind,
                "required": required.lower() in _REQUIRED,
                "choices": options,
            }
        )
        if len(questions) > MAX_QUESTIONS:
            raise _line_error(
                number, _("a questionnaire has at most %(count)d questions") % {"count": MAX_QUESTIONS}
            )
    return questions


def _days(label: Any, high: int, low: int = 1) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=low, max_value=high)


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.CharField(
        label=_("Web address"),
        max_length=60,
        help_text=_("Lower-case letters, digits and dashes: the last part of the reporting page's address."),
    )
    is_public = forms.BooleanField(
        label=_("Open to the public"),
        required=False,
        help_text=_(
            "Reporters reach it without signing in. Referrals and oral reports are recorded by staff."
        ),
    )
    anonymity = forms.ChoiceField(label=_("Anonymity"), choices=Anonymity.choices)
    introduction = forms.CharField(
        label=_("Introduction for reporters"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    questionnaire = forms.CharField(
        label=_("Questionnaire"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=50_000,
        strip=False,  # line numbers in errors count the lines as typed
        help_text=_(
            "One question per line: code | label | kind | required or optional | choices separated by ; "
            "— kinds are text, long_text, choice and date. Example: "
            "kind | What kind of wrongdoing? | choice | optional | Bribery; Abuse of office; Other"
        ),
    )
    acknowledge_days = _days(_("Acknowledge within (days)"), 365)
    feedback_days = _days(_("Give feedback within (days)"), 730)
    remind_days = _days(_("Remind this many days before a deadline"), 60, low=0)
    retention_not_admissible = _days(_("Keep a case found not admissible (days)"), 36_500)
    retention_redirected = _days(_("Keep a redirected case (days)"), 36_500)
    retention_resolved = _days(_("Keep a case resolved at intake (days)"), 36_500)
    retention_unsubstantiated = _days(_("Keep an unsubstantiated case (days)"), 36_500)
    retention_substantiated = _days(_("Keep a substantiated case (days)"), 36_500)
    max_attachment_mb = forms.IntegerField(label=_("Largest attachment (MB)"), min_value=1, max_value=200)
    recipients = ModelChoicesField(
        label=_("Intake officers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "They receive the key of every new report of this channel: choose people who have a case vault."
        ),
    )
    is_active = forms.BooleanField(label=_("Open: the channel takes reports"), required=False)
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, staff: list[User], editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        field = self.fields["recipients"]
        field.queryset = _users([user.pk for user in staff])  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: str(user.full_name or user)  # type: ignore[attr-defined]

    def clean_questionnaire(self) -> list[dict[str, Any]]:
        return questionnaire_parse(str(self.cleaned_data.get("questionnaire") or ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(f"retention_{outcome}" in cleaned for outcome in OUTCOMES):
            cleaned["retention"] = {outcome: cleaned.pop(f"retention_{outcome}") for outcome in OUTCOMES}
        return cleaned


def channel_values(channel: Channel) -> dict[str, Any]:
    """The form's values for a channel as saved (its initial data, and "their version" on a conflict)."""
    with scopes_disabled():
        recipients = list(channel.recipients.all())
    retention = channel.retention or {}
    return {
        "kind": channel.kind,
        "name": channel.name,
        "slug": channel.slug,
        "is_public": channel.is_public,
        "anonymity": channel.anonymity,
        "introduction": channel.introduction,
        "questionnaire": questionnaire_text(channel.questionnaire or []),
        "acknowledge_days": channel.acknowledge_days,
        "feedback_days": channel.feedback_days,
        "remind_days": channel.remind_days,
        **{f"retention_{outcome}": retention.get(outcome) for outcome in OUTCOMES},
        "max_attachment_mb": channel.max_attachment_mb,
        "recipients": recipients,
        "is_active": channel.is_active,
        "version": channel.version,
    }


FACTOR_LABELS = FACTOR_NAMES


def factor_choices() -> list[tuple[str, str]]:
    return [("", str(_("— none —"))), *((code, f"{code} {FACTOR_LABELS[code]}") for code in FACTORS)]


class CategoryForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits, dashes and _; used in exports."),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    factor = forms.ChoiceField(
        label=_("Key factor of the Revised Arusha Declaration"), choices=factor_choices, required=False
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields.pop("idempotency_key")


class CaseSettingsForm(forms.Form):
    line_levels = forms.IntegerField(
        label=_("Reporting-line levels that conflict"),
        min_value=0,
        max_value=5,
        help_text=_("Nobody may handle a case about someone this many levels above or below them (0: none)."),
    )
    same_unit_conflicts = forms.BooleanField(
        label=_("Working in the same division is a conflict"), required=False
    )
    minimum_cell = forms.IntegerField(
        label=_("Smallest count shown in statistics"),
        min_value=1,
        max_value=100,
        help_text=_("Counts below this are shown as fewer than this number, in pages and exports."),
    )
    version = VersionField()
