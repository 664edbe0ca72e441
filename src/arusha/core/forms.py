"""Forms of the core context: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.models import (
    LANGUAGE_CHOICES,
    Division,
    Membership,
    Organization,
    PaperSize,
    Role,
    User,
    country_validator,
)
from arusha.core.permissions import PresetRole, permission_choices

# The largest id a database integer holds. Django 5.2 sends a larger one, chosen in a
# ModelMultipleChoiceField, to an `__in` query where SQLite raises OverflowError (a 500).
_MAX_ID = 2**63 - 1


if TYPE_CHECKING:
    _Multiple = forms.ModelMultipleChoiceField[Any]
else:  # the stubs' generic is not subscriptable at run time
    _Multiple = forms.ModelMultipleChoiceField


class ModelChoicesField(_Multiple):
    """A ModelMultipleChoiceField that refuses an id too large for the database as an invalid choice."""

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ():
            digits = str(item).strip().lstrip("-")
            if digits.isdigit() and (len(digits) > 19 or int(digits) > _MAX_ID):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super().clean(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once: its cleaned value is a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class PreferencesForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES)


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        validators=[country_validator],
        help_text=_("Two-letter ISO 3166 code, e.g. KE, FR, PE."),
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=LANGUAGE_CHOICES)
    # Not required: a form sent without it (an older page, a script) keeps the paper size.
    paper_size = forms.TypedChoiceField(
        label=_("Paper size"),
        choices=PaperSize.choices,
        required=False,
        empty_value=None,
        help_text=_("The page size of every DOCX and PDF the platform writes for the organization."),
    )
    version = VersionField()


class DivisionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    parent: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        label=_("Parent division"),
        queryset=Division.objects.none(),
        required=False,
        empty_label=_("— none: a top-level division —"),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, organization: Organization, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        self.fields["parent"].queryset = Division.objects.filter(organization=organization)  # type: ignore[attr-defined]


class _MembershipFields(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=PresetRole.choices, widget=forms.CheckboxSelectMultiple
    )
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    division: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        label=_("Division"), queryset=Division.objects.none(), required=False, empty_label=_("— none —")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(organization=organization)  # type: ignore[attr-defined]
        with scope(organization=organization):
            own = [(r.code, r.name) for r in Role.objects.filter(organization=organization)]
        self.fields["roles"].choices = [*PresetRole.choices, *own]  # type: ignore[attr-defined]


class MembershipEditForm(_MembershipFields):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class _LineChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user)


class VersionedMembershipForm(MembershipEditForm):
    """The membership page's form: it carries the version it was read at (arusha.accounts'
    invitation form builds on MembershipEditForm and has none)."""

    reports_to = _LineChoice(
        label=_("Reports to"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
        help_text=_(
            "The reporting line: arm's-length rules keep people off cases about those above or below them."
        ),
    )
    version = VersionField()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        with scope(organization=organization):
            members = Membership.objects.filter(organization=organization, is_active=True)
        self.fields["reports_to"].queryset = members.select_related("user").order_by("user__full_name")  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    idempotency_key = CreationKeyField()


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    idempotency_key = CreationKeyField()


class RoleCreateForm(forms.Form):
    based_on = forms.ChoiceField(
        label=_("Start from the preset role"),
        choices=PresetRole.choices,
        help_text=_("The new role starts with the preset's permissions; you then change them."),
    )
    name = forms.CharField(label=_("Name of the new role"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    idempotency_key = CreationKeyField()


class RoleEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    # The version the form was read at: a save over a newer version is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices()  # type: ignore[attr-defined]


class GrantForm(forms.Form):
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), help_text=_("An active member of the organization.")
    )
    permission = forms.ChoiceField(label=_("Access"), choices=())
    expires_on = forms.DateField(
        label=_("Until (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for access until it is revoked."),
    )
    reason = forms.CharField(
        label=_("Why this access is given"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, organization: Organization, permissions: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        with scope(organization=organization):
            members = Membership.objects.filter(organization=organization, is_active=True)
            self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                pk__in=list(members.values_list("user_id", flat=True))
            ).order_by("full_name")
        self.fields["permission"].choices = permissions  # type: ignore[attr-defined]
