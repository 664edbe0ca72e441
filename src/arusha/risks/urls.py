"""Screens of corruption risk mapping, under /o/<organization>/risks/."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("arusha.risks.views.cycle_urls")),
    path("", include("arusha.risks.views.library_urls")),
    path("", include("arusha.risks.views.register_urls")),
    path("", include("arusha.risks.views.monitoring_urls")),
    path("", include("arusha.risks.views.io_urls")),
]
