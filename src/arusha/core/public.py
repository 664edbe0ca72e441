"""Pages for people without an account, of whom nothing may be kept: reporters, survey
stations and respondents.

`cookieless_page` makes a view public (no account), CSRF-exempt (a CSRF token would need
a cookie) and private in its answer, whatever the middleware did before: no cookie of any
kind (session, CSRF, language), the session detached so it is neither saved nor sent,
`Cache-Control: no-store`, a strict Content Security Policy and `Referrer-Policy:
no-referrer`. A view's Http404 is answered by the context's own page (`not_found`), never
by the site's 404 page, which is a staff page and may set a CSRF cookie. A view that
writes the session is a bug, and fails loudly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from csp.decorators import csp
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from arusha.core.policies import public

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# Only the deployment's own script, stylesheets and images; requests only to itself; no
# inline code, no frame, no base, no plugin, no form to elsewhere.
STRICT_CSP: dict[str, Sequence[str]] = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}


def session_written(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(getattr(session, "modified", False))


def private(response: HttpResponseBase) -> HttpResponseBase:
    """No cookie, no cache, no referrer, no index."""
    response.cookies.clear()
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def cookieless_page(
    view: View,
    *,
    not_found: Callable[[], HttpResponseBase],
    who: str,
    policy: dict[str, Sequence[str]] = STRICT_CSP,
) -> View:
    """`view`, public, cookie-less and uncached (see the module's docstring).

    `who` names the page in the error raised when the view writes the session ("A
    reporter's page"); `policy` is the Content Security Policy, STRICT_CSP or one that a
    context widens for what its pages need.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        written_before = session_written(request)
        try:
            response: HttpResponseBase = view(request, *args, **kwargs)
        except Http404:
            response = not_found()
        if session_written(request) and not written_before:
            raise RuntimeError(f"{who} must never write the session.")
        # Detached, the session middleware neither saves the session nor sends its cookie
        # (it leaves a request without a session alone), even for someone signed in.
        if hasattr(request, "session"):
            del request.session
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return private(response)

    return cast(View, public(csrf_exempt(csp(policy)(wrapper))))
