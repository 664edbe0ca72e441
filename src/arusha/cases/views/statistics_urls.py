"""URLs of the cases context's statistics screens (included by arusha.cases.urls)."""

from django.urls import URLPattern, path

from arusha.cases.views import statistics

urlpatterns: list[URLPattern] = [
    path("statistics/", statistics.statistics_page, name="case-statistics"),
    path("statistics/export/", statistics.statistics_export, name="case-statistics-export"),
    path("retention/", statistics.retention_page, name="case-retention"),
]
