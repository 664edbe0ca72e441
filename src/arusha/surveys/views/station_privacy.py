"""What every public answer of surveys shares: the station app, its API and the online survey.

`station_public` makes a view public (no account), CSRF-exempt (a CSRF token would need
a cookie; the API authenticates with a bearer token, the online survey with nothing
that a forged request could misuse), and private in its answer, whatever the
middleware did before: no cookie of any kind (session, CSRF, language), the session
detached so it is neither saved nor sent, `Cache-Control: no-store`, a strict Content
Security Policy and `Referrer-Policy: no-referrer`. The same rules as the reporters'
pages of cases (arusha.cases.views.public), with a policy that also lets the station
install its service worker and web app manifest.

A missing object is answered here (JSON for the API, a bare page otherwise), never by
the site's 404 page, which is a staff page and may set a CSRF cookie.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.decorators import csp
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from arusha.core.policies import public

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# Only the deployment's own script, style, images, worker and manifest; requests only to
# itself; no inline code, no frame, no base, no plugin, no form to elsewhere.
STATION_CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "manifest-src": ["'self'"],
    "worker-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}


def json_error(status: int, code: str, message: str) -> JsonResponse:
    """An API refusal: a stable code for programs, a sentence for people."""
    return JsonResponse({"error": code, "message": message}, status=status)


def _not_found(api: bool) -> HttpResponse:
    if api:
        return json_error(404, "not_found", _("There is nothing here."))
    return HttpResponse(render_to_string("surveys/station/not_found.html", {}), status=404)


def _session_written(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(getattr(session, "modified", False))


def private(response: HttpResponseBase) -> HttpResponseBase:
    response.cookies.clear()
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def station_public(*, api: bool = False) -> Callable[[View], View]:
    """A public, cookie-less, uncached answer (see the module's docstring)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            written_before = _session_written(request)
            try:
                response: HttpResponseBase = view(request, *args, **kwargs)
            except Http404:
                response = _not_found(api)
            if _session_written(request) and not written_before:
                raise RuntimeError("A station or respondent page must never write the session.")
            # Detached, the session middleware neither saves the session nor sends its cookie.
            if hasattr(request, "session"):
                del request.session
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
            return private(response)

        return cast(View, public(csrf_exempt(csp(STATION_CSP)(wrapper))))

    return decorate
