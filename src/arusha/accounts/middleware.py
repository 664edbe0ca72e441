"""Session rules for signed-in people: idle time, role changes, and the compulsory second factor."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from arusha.accounts import sessions
from arusha.accounts.selectors import has_totp, session_epoch
from arusha.core.models import User

# Pages a person who must enrol or confirm a second factor can still open.
_SECOND_FACTOR_PAGES = frozenset(
    {
        "logout",
        "account_logout",
        "set-language",
        "second-factor-required",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
    }
)
# "Last seen" is written at most this often, so a busy page does not write its session each time.
_SEEN_PRECISION_SECONDS = 60


class SessionPolicyMiddleware:
    """Ends idle sessions and sessions of people whose roles changed; asks for the second factor.

    Runs after authentication and before the tenant middleware, on every page but
    static files. API requests that carry a token have no session and pass untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        ended = self._session_ended(request, user)
        if ended:
            logout(request)
            messages.info(request, ended)
            return redirect_to_login(request.get_full_path())
        refusal = self._second_factor(request, user)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _session_ended(self, request: HttpRequest, user: User) -> str | None:
        session = request.session
        epoch = session_epoch(user)
        started_in = session.get(sessions.EPOCH_KEY)
        if started_in is None:
            session[sessions.EPOCH_KEY] = epoch
        elif started_in != epoch:
            return _("Your roles changed: sign in again.")
        confidential = sessions.is_confidential(request, user)
        minutes = (
            settings.ARUSHA_SESSION_IDLE_CONFIDENTIAL_MINUTES
            if confidential
            else settings.ARUSHA_SESSION_IDLE_MINUTES
        )
        now = time.time()
        seen = session.get(sessions.SEEN_KEY)
        if isinstance(seen, int | float) and now - seen > minutes * 60:
            return _("You were away for more than %(minutes)s minutes: sign in again.") % {"minutes": minutes}
        if not isinstance(seen, int | float) or now - seen > _SEEN_PRECISION_SECONDS:
            session[sessions.SEEN_KEY] = now
        return None

    def _second_factor(self, request: HttpRequest, user: User) -> HttpResponse | None:
        if not settings.ARUSHA_MFA_ENFORCE or not sessions.is_confidential(request, user):
            return None
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in _SECOND_FACTOR_PAGES:
            return None
        if not has_totp(user):
            return HttpResponseRedirect(reverse("second-factor-required"))
        if not sessions.has_passed_second_factor(request, user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None
