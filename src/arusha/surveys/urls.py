"""Staff screens of perception surveys, under /o/<organization>/surveys/.

Stations and respondents: arusha.surveys.public_urls.
"""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("arusha.surveys.views.questionnaire_urls")),
    path("", include("arusha.surveys.views.processing_urls")),
    path("", include("arusha.surveys.views.results_urls")),
    path("", include("arusha.surveys.views.station_urls")),
]
