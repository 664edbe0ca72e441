"""URLs of the survey results screens (included by arusha.surveys.urls)."""

from django.urls import URLPattern, path

from arusha.surveys.views import results_views as views

urlpatterns: list[URLPattern] = [
    path("waves/<int:wave>/results/", views.wave_results, name="wave-results"),
    path("waves/<int:wave>/results/export/", views.results_export, name="results-export"),
    path("waves/<int:wave>/results/pack/", views.aggregate_pack, name="aggregate-pack"),
    path("waves/<int:wave>/results/report/", views.results_report_page, name="results-report"),
    path(
        "waves/<int:wave>/results/report/progress/",
        views.results_report_progress,
        name="results-report-progress",
    ),
    path("waves/<int:wave>/results/report/<int:pk>/", views.results_report_file, name="results-report-file"),
    path("waves/<int:wave>/microdata/", views.microdata_export, name="microdata-export"),
    path("<int:survey>/trend/", views.survey_trend, name="survey-trend"),
]
