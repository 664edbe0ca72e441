"""Heat maps, the dashboard, the thread of a process, and key risk indicators (under /o/<org>/risks/)."""

from django.urls import URLPattern, URLResolver, path

from arusha.risks.views import monitoring_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:cycle>/heatmap/", views.cycle_heatmap, name="cycle-heatmap"),
    path("dashboard/", views.risk_dashboard, name="risk-dashboard"),
    path("processes/<int:process>/thread/", views.process_thread, name="process-thread"),
    path("risks/<int:risk>/indicators/add/", views.indicator_add, name="indicator-add"),
    path("risks/<int:risk>/indicators/<int:indicator>/edit/", views.indicator_edit, name="indicator-edit"),
    path(
        "risks/<int:risk>/indicators/<int:indicator>/readings/add/",
        views.reading_create,
        name="reading-add",
    ),
    path(
        "risks/<int:risk>/indicators/<int:indicator>/refresh/",
        views.indicator_fetch,
        name="indicator-refresh",
    ),
]
