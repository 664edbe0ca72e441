"""Forms of sign-in: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.core import context
from allauth.mfa.totp import forms as allauth_totp_forms
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from arusha.accounts.models import TokenScope
from arusha.accounts.sessions import second_factor_passed
from arusha.core.concurrency import CreationKeyField
from arusha.core.forms import MembershipEditForm
from arusha.core.models import Organization


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. the program that uses it."),
    )
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_in_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        days = self.fields["expires_in_days"]
        days.initial = settings.ARUSHA_API_TOKEN_DAYS
        days.validators.append(MaxValueValidator(settings.ARUSHA_API_TOKEN_MAX_DAYS))
        days.widget.attrs["max"] = settings.ARUSHA_API_TOKEN_MAX_DAYS


class InvitationForm(MembershipEditForm):
    """Invite a person by e-mail: the membership fields, without "active", and the address."""

    email = forms.EmailField(label=_("E-mail address"))
    is_active = None  # type: ignore[assignment]
    # A double submit sends one invitation (core.concurrency.create_once).
    idempotency_key = CreationKeyField()
    field_order = ["email", "roles", "job_title", "division"]


class NewAccountForm(forms.Form):
    """A person without an account accepts an invitation: their name and a password."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ActivateTOTPForm(allauth_totp_forms.ActivateTOTPForm):  # type: ignore[misc]
    """allauth's enrolment form: the code typed to turn TOTP on also passes this session's check.

    (allauth announces the new authenticator only after the transaction commits, too late
    for the session of the same request.)
    """

    def clean_code(self) -> str:
        code: str = super().clean_code()
        second_factor_passed(context.request, self.user)
        return code


class LoginForm(allauth_forms.LoginForm):  # type: ignore[misc]
    """allauth's sign-in form, with the words the rest of Arusha uses."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["password"].label = _("Password")
