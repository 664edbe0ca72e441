"""Screens of integrity analytics, under /o/<organization>/analytics/."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("arusha.analytics.views.signal_urls")),
    path("", include("arusha.analytics.views.data_urls")),
    path("", include("arusha.analytics.views.contract_urls")),
]
