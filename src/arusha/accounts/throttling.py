"""Who a failed sign-in counts against (docs/sign-in.md, "Throttling").

django-axes locks an (account, address) pair after ARUSHA_LOGIN_FAILURE_LIMIT
failures; allauth's `login_failed` limit refuses an address after
ARUSHA_LOGIN_FAILURES_PER_ADDRESS failures across every account. Nothing counts an
account's failures alone, so nobody can lock a chosen person out from elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt names, whichever form sent it, in one spelling."""
    for key in ("email", "username", "login"):
        value = (credentials or {}).get(key) or request.POST.get(key)
        if value:
            return str(value).strip().lower()
    return ""
