"""Forms of the core context: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.core.models import LANGUAGE_CHOICES, Division, Organization, country_validator
from arusha.core.roles import Role


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


class DivisionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    parent: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        label=_("Parent division"),
        queryset=Division.objects.none(),
        required=False,
        empty_label=_("— none: a top-level division —"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Division.objects.filter(organization=organization)  # type: ignore[attr-defined]


class _MembershipFields(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    division: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        label=_("Division"), queryset=Division.objects.none(), required=False, empty_label=_("— none —")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(organization=organization)  # type: ignore[attr-defined]


class MembershipAddForm(_MembershipFields):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_(
            "Needed only when the person has no account yet: one is created and they are told how to set a password."  # noqa: E501 - one translatable sentence
        ),
    )
    field_order = ["email", "full_name", "roles", "job_title", "division"]


class MembershipEditForm(_MembershipFields):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
