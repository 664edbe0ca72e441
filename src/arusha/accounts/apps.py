from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "arusha.accounts"
    label = "accounts"
    verbose_name = _("Sign-in")

    def ready(self) -> None:
        from allauth.mfa import signals as mfa_signals

        from arusha.accounts import api_schema  # noqa: F401 - registers the token's OpenAPI scheme
        from arusha.accounts.services import membership_changed
        from arusha.accounts.sessions import second_factor_passed
        from arusha.core.audit import register_sentences
        from arusha.core.services import membership_listeners

        # allauth tells when a code was accepted (sign-in, re-check): the session
        # remembers it, and the session rules ask for one only once. Enrolment tells it
        # through arusha.accounts.forms.ActivateTOTPForm.
        mfa_signals.authenticator_used.connect(second_factor_passed, dispatch_uid="arusha-mfa-used")
        membership_listeners.append(membership_changed)
        register_sentences(
            {
                "arusha.account.api_token.created": _("%(actor)s created an API token."),
                "arusha.account.api_token.revoked": _("%(actor)s revoked an API token."),
                "arusha.account.api_token.revoked_with_membership": _(
                    "%(actor)s revoked the API tokens of %(object)s, whose membership ended."
                ),
                "arusha.invitation.sent": _("%(actor)s invited %(object)s to join."),
                "arusha.invitation.accepted": _("%(actor)s accepted the invitation sent to %(object)s."),
            }
        )
