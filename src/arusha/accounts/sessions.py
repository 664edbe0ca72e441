"""What a signed-in session carries: the epoch it began in, when it was last used, its second factor."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from arusha.accounts.selectors import session_epoch
from arusha.core.models import User
from arusha.core.permissions import requires_second_factor

EPOCH_KEY = "arusha_epoch"
SEEN_KEY = "arusha_seen"
SECOND_FACTOR_KEY = "arusha_second_factor"
CONFIDENTIAL_KEY = "arusha_confidential"
# How long a session trusts its answer to "does this person hold a confidential
# permission?" before asking again (a role change ends the session anyway).
CONFIDENTIAL_RECHECK_SECONDS = 300


def session_begin(request: HttpRequest, user: User) -> None:
    request.session[EPOCH_KEY] = session_epoch(user)
    request.session[SEEN_KEY] = time.time()


def second_factor_passed(request: HttpRequest | None, user: Any, **_kwargs: Any) -> None:
    """allauth's signal that a TOTP or recovery code was just accepted (sign-in, re-check, enrolment)."""
    if request is not None and getattr(user, "pk", None) is not None:
        request.session[SECOND_FACTOR_KEY] = user.pk


def has_passed_second_factor(request: HttpRequest, user: User) -> bool:
    return bool(request.session.get(SECOND_FACTOR_KEY) == user.pk)


def is_confidential(request: HttpRequest, user: User) -> bool:
    """Whether the person needs a second factor, asked at most every few minutes per session."""
    cached = request.session.get(CONFIDENTIAL_KEY)
    now = time.time()
    if isinstance(cached, list) and len(cached) == 2 and now - cached[1] < CONFIDENTIAL_RECHECK_SECONDS:
        return bool(cached[0])
    answer = requires_second_factor(user)
    request.session[CONFIDENTIAL_KEY] = [answer, now]
    return answer
