"""What every public answer of surveys shares: the station app, its API and the online survey.

`station_public` makes a view public (no account), CSRF-exempt (a CSRF token would need
a cookie; the API authenticates with a bearer token, the online survey with nothing
that a forged request could misuse), and private in its answer, whatever the
middleware did before: no cookie of any kind (session, CSRF, language), the session
detached so it is neither saved nor sent, `Cache-Control: no-store`, a strict Content
Security Policy and `Referrer-Policy: no-referrer`. The same rules as the reporters'
pages of cases, from the same place (arusha.core.public), with a policy that also lets
the station install its service worker and web app manifest.

A missing object is answered here (JSON for the API, a bare page otherwise), never by
the site's 404 page, which is a staff page and may set a CSRF cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from arusha.core.public import STRICT_CSP, View, cookieless_page

# The strict policy, and the station's own service worker and web app manifest.
STATION_CSP = {**STRICT_CSP, "manifest-src": ["'self'"], "worker-src": ["'self'"]}


def json_error(status: int, code: str, message: str) -> JsonResponse:
    """An API refusal: a stable code for programs, a sentence for people."""
    return JsonResponse({"error": code, "message": message}, status=status)


def _not_found(api: bool) -> HttpResponse:
    if api:
        return json_error(404, "not_found", _("There is nothing here."))
    return HttpResponse(render_to_string("surveys/station/not_found.html", {}), status=404)


def station_public(*, api: bool = False) -> Callable[[View], View]:
    """A public, cookie-less, uncached answer (see the module's docstring)."""

    def decorate(view: View) -> View:
        return cookieless_page(
            view,
            not_found=lambda: _not_found(api),
            who="A station or respondent page",
            policy=STATION_CSP,
        )

    return decorate
