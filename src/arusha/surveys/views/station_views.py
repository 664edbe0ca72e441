"""The survey station app and the online survey: one shell page, its service worker and manifest.

`/station/` is the installable app a tablet runs offline (enrolment, readiness check,
kiosk, synchronisation); `/s/<organization>/<wave>/` is the same app in online mode,
for a respondent's own browser. The shell is the same for everyone and holds nothing
of a respondent or a station: its script learns the rest from the station API, or from
the wave's public package in online mode. All sentences come from the server, in
every language (arusha.surveys.station_strings), inside a `json_script` element.

The service worker is served here, not as a static file, so that it may control
`/station/` and so that its bytes change whenever the shell does: the browser then
installs the new worker, which waits until no respondent is answering (station.js).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_scopes import scopes_disabled

from arusha.core.requests import organization_of
from arusha.surveys.models import Wave, WaveStatus
from arusha.surveys.package import package_of
from arusha.surveys.services.invitations import invitation_required, invitation_usable
from arusha.surveys.station_strings import catalogue
from arusha.surveys.views.station_privacy import station_public

# Idle respondents are discarded after IDLE seconds, warned WARNING seconds before.
IDLE_SECONDS = 180
WARNING_SECONDS = 30
# The readiness check wants this much free space before collection starts.
MIN_FREE_MB = 50
# Envelopes per synchronisation request.
SYNC_BATCH = 50

SCRIPTS = ("surveys/station-core.js", "surveys/station-store.js", "surveys/station.js")
STYLES = ("surveys/station.css",)
ICONS = ("surveys/station-icon.svg", "surveys/station-icon-192.png", "surveys/station-icon-512.png")
TEMPLATE = "surveys/station/app.html"


def _source(name: str) -> bytes:
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found).read_bytes() if found else b""


@functools.cache
def shell_version() -> str:
    """A digest of everything the shell is made of: it changes when any of it changes (a new release)."""
    digest = hashlib.sha256()
    for name in (*SCRIPTS, *STYLES, *ICONS, "surveys/sw.js"):
        digest.update(name.encode() + b"\0" + _source(name))
    template = Path(__file__).resolve().parent.parent / "templates" / TEMPLATE
    digest.update(template.read_bytes() if template.exists() else b"")
    for locale in sorted(Path(settings.BASE_DIR / "locale").glob("*/LC_MESSAGES/django.mo")):
        digest.update(locale.read_bytes())
    return digest.hexdigest()[:16]


def _shell_assets() -> list[str]:
    return [
        reverse("station-app"),
        reverse("station-webmanifest"),
        *(static(name) for name in (*SCRIPTS, *STYLES, *ICONS)),
    ]


def _page(config: dict[str, Any], *, station: bool, status: int = 200) -> HttpResponse:
    # Rendered without the request: no context processor reads the session or makes a CSRF token.
    context = {
        "config": config,
        "station": station,
        "scripts": SCRIPTS,
        "styles": STYLES,
        "language": get_language() or settings.LANGUAGE_CODE,
    }
    return HttpResponse(render_to_string(TEMPLATE, context), status=status)


def _common() -> dict[str, Any]:
    return {
        "strings": catalogue(),
        "language_names": {
            code: str(get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        },
        "language": get_language() or settings.LANGUAGE_CODE,
        "idle_seconds": IDLE_SECONDS,
        "warning_seconds": WARNING_SECONDS,
        "min_free_mb": MIN_FREE_MB,
        "batch": SYNC_BATCH,
        "version": shell_version(),
        "require_persist": bool(settings.ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE),
    }


@station_public()
@require_GET
def station_app(request: HttpRequest) -> HttpResponse:
    config = {
        **_common(),
        "mode": "station",
        "home": reverse("station-app"),
        "scope": reverse("station-app"),
        "worker": reverse("station-worker"),
        "api": {
            "enrol": reverse("station-api-enrol"),
            "manifest": reverse("station-api-manifest"),
            "envelopes": reverse("station-api-envelopes"),
            "verify": reverse("station-api-verify"),
        },
    }
    return _page(config, station=True)


@station_public()
@require_GET
def station_worker(request: HttpRequest) -> HttpResponse:
    shell = {
        "version": shell_version(),
        "scope": reverse("station-app"),
        "api": reverse("station-app") + "api/",
        "assets": _shell_assets(),
    }
    body = (
        "self.ARUSHA_SHELL = " + json.dumps(shell, sort_keys=True) + ";\n" + _source("surveys/sw.js").decode()
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("station-app")
    return response


@station_public()
@require_GET
def station_webmanifest(request: HttpRequest) -> HttpResponse:
    manifest = {
        "name": _("Arusha survey station"),
        "short_name": _("Survey station"),
        "description": _("Collects perception survey responses offline, encrypted on the device."),
        "start_url": reverse("station-app"),
        "scope": reverse("station-app"),
        "id": reverse("station-app"),
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#0b0c0c",
        "icons": [
            {"src": static(ICONS[0]), "sizes": "any", "type": "image/svg+xml"},
            {"src": static(ICONS[1]), "sizes": "192x192", "type": "image/png"},
            {"src": static(ICONS[2]), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )


# --- The online survey ---------------------------------------------------------------------


def open_wave(request: HttpRequest, wave: int, *, collecting: bool = True) -> Wave:
    """The organization's wave `wave`, with its key; 404 unless it is open (or, for sending, not draft)."""
    organization = organization_of(request)
    with scopes_disabled():
        found = (
            Wave.objects.select_related("survey", "questionnaire")
            .filter(survey__organization=organization, pk=wave)
            .exclude(public_key="")
            .first()
        )
    if found is None or found.status == WaveStatus.DRAFT:
        raise Http404
    if collecting and found.status != WaveStatus.OPEN:
        raise Http404
    return found


@station_public()
@require_GET
def online_survey(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    found = open_wave(request, wave)
    token = str(request.GET.get("t", ""))[:200]
    refusal = ""
    if invitation_required(found):
        if not token:
            refusal = "online_invitation_needed"
        elif not invitation_usable(found, token):
            refusal = "online_invitation_used"
    package = package_of(found)
    kwargs = {"organization": found.survey.organization.slug, "wave": found.pk}
    config = {
        **_common(),
        "mode": "online",
        "home": reverse("online-survey", kwargs=kwargs),
        "online": {
            "wave": found.pk,
            "package": reverse("online-package", kwargs=kwargs),
            "checksum": package.checksum,
            "submit": reverse("online-submit", kwargs=kwargs),
            "refusal": refusal,
        },
    }
    return _page(config, station=False, status=403 if refusal else 200)


@station_public()
def public_not_found(request: HttpRequest) -> HttpResponse:
    raise Http404
