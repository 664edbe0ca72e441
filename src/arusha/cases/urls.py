"""Staff screens of cases, under /o/<organization>/cases/. Reporters' pages: arusha.cases.public_urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("arusha.cases.views.desk_urls")),
    path("", include("arusha.cases.views.people_urls")),
    path("", include("arusha.cases.views.investigation_urls")),
    path("", include("arusha.cases.views.statistics_urls")),
]
