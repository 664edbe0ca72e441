"""What stations and respondents reach without an account: the station app and its API, the online survey.

Every view here answers through `station_public` (no cookie, no-store, strict CSP, no
referrer) and is left out of the access logs (arusha.gunicorn_logging, deploy/nginx-arusha.conf).
"""

from django.urls import URLPattern, path, re_path

from arusha.surveys.views import station_api, station_views

urlpatterns: list[URLPattern] = [
    path("station/", station_views.station_app, name="station-app"),
    path("station/sw.js", station_views.station_worker, name="station-worker"),
    path("station/manifest.webmanifest", station_views.station_webmanifest, name="station-webmanifest"),
    path("station/api/enrol", station_api.api_enrol, name="station-api-enrol"),
    path("station/api/manifest", station_api.api_manifest, name="station-api-manifest"),
    path("station/api/package/<int:wave>", station_api.api_package, name="station-api-package"),
    path("station/api/envelopes", station_api.api_envelopes, name="station-api-envelopes"),
    path("station/api/verify", station_api.api_verify, name="station-api-verify"),
    path("s/<slug:organization>/<int:wave>/", station_views.online_survey, name="online-survey"),
    path("s/<slug:organization>/<int:wave>/package", station_api.online_package, name="online-package"),
    path("s/<slug:organization>/<int:wave>/submit", station_api.online_submit, name="online-submit"),
    # Anything else under these addresses gets their own 404, which sets no cookie either.
    re_path(r"^station/.+$", station_views.public_not_found, name="station-not-found"),
    re_path(r"^s/.+$", station_views.public_not_found, name="online-not-found"),
]
