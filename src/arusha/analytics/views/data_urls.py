"""URLs of clearance datasets and catalogue runs (arusha.analytics.urls includes them under
/o/<organization>/analytics/)."""

from django.urls import URLPattern, path

from arusha.analytics.views import data_views as views

urlpatterns: list[URLPattern] = [
    path("datasets/", views.dataset_list, name="analytics-datasets"),
    path("datasets/import/", views.dataset_import, name="analytics-dataset-import"),
    path("datasets/generate/", views.dataset_generate, name="analytics-dataset-generate"),
    path("datasets/<int:dataset>/", views.dataset_detail, name="analytics-dataset"),
    path("datasets/<int:dataset>/progress/", views.dataset_progress, name="analytics-dataset-progress"),
    path("datasets/<int:dataset>/run/", views.dataset_run, name="analytics-dataset-run"),
    path("datasets/<int:dataset>/delete/", views.dataset_delete, name="analytics-dataset-delete"),
    path("runs/", views.run_list, name="analytics-runs"),
    path("runs/<int:run>/", views.run_detail, name="analytics-run"),
    path("runs/<int:run>/progress/", views.run_progress, name="analytics-run-progress"),
    path("runs/<int:run>/signals.csv", views.run_output, {"fmt": "csv"}, name="analytics-run-output-csv"),
    path(
        "runs/<int:run>/signals.parquet",
        views.run_output,
        {"fmt": "parquet"},
        name="analytics-run-output-parquet",
    ),
]
