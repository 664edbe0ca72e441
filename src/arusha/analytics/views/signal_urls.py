"""URLs of risk signals and their reviews (arusha.analytics.urls includes them under
/o/<organization>/analytics/)."""

from django.urls import URLPattern, path

from arusha.analytics.views import review_views, signal_views

urlpatterns: list[URLPattern] = [
    path("", signal_views.landing, name="analytics-landing"),
    path("signals/", signal_views.signal_list, name="analytics-signals"),
    path("signals/export.csv", signal_views.signal_export, {"fmt": "csv"}, name="analytics-signals-csv"),
    path("signals/export.xlsx", signal_views.signal_export, {"fmt": "xlsx"}, name="analytics-signals-xlsx"),
    path("signals/<int:signal>/", signal_views.signal_detail, name="analytics-signal"),
    path(
        "signals/<int:signal>/reidentify/", signal_views.signal_reidentify, name="analytics-signal-reidentify"
    ),
    path("reviews/outcomes/", review_views.outcomes, name="analytics-review-outcomes"),
    path("reviews/<int:review>/explain/", review_views.review_explain, name="analytics-review-explain"),
    path("reviews/<int:review>/close/", review_views.review_close, name="analytics-review-close"),
    path("reviews/<int:review>/refer/", review_views.review_refer, name="analytics-review-refer"),
    path("reviews/<int:review>/reopen/", review_views.review_reopen, name="analytics-review-reopen"),
]
